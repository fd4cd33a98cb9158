#include "support/mail_server.hpp"

#include <sstream>
#include <stdexcept>

#include "support/run_command.hpp"
#include "support/temp_dir.hpp"

namespace mailferry::testing {
namespace {

std::string without_line_end(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

int port_from(const std::map<std::string, std::string>& env, const std::string& key,
              const std::string& path) {
  auto it = env.find(key);
  if (it == env.end()) throw std::runtime_error(path + " lacks " + key);
  return it->second.empty() ? 0 : std::stoi(it->second);
}

}  // namespace

std::map<std::string, std::string> read_env_file(const std::string& path) {
  std::map<std::string, std::string> values;
  std::istringstream lines(read_file(path));
  std::string line;
  while (std::getline(lines, line)) {
    auto eq = line.find('=');
    if (eq != std::string::npos) values[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return values;
}

std::map<std::string, std::string> MailServer::read_env(const std::string& root) {
  const std::string path = root + "/env";
  auto env = read_env_file(path);
  imap_port_ = port_from(env, "IMAP_PORT", path);
  imaps_port_ = port_from(env, "IMAPS_PORT", path);
  pop3_port_ = env.count("POP3_PORT") ? port_from(env, "POP3_PORT", path) : 0;
  pop3s_port_ = env.count("POP3S_PORT") ? port_from(env, "POP3S_PORT", path) : 0;
  ca_file_ = env.at("CA_FILE");
  password_file_ = env.at("PASSWORD_FILE");
  // The password may hold spaces, quotes and backslashes; only the line end goes.
  password_ = without_line_end(read_file(password_file_));
  return env;
}

std::string MailServer::url(std::string_view scheme, std::string_view user) const {
  int port = scheme == "imap"    ? imap_port_
             : scheme == "imaps" ? imaps_port_
             : scheme == "pop3"  ? pop3_port_
             : scheme == "pop3s" ? pop3s_port_
                                 : -1;
  if (port < 0) throw std::invalid_argument("unknown scheme " + std::string(scheme));
  if (port == 0) throw std::invalid_argument(kind() + " test server has no " + std::string(scheme));
  return std::string(scheme) + "://" + std::string(user) + "@127.0.0.1:" + std::to_string(port);
}

std::vector<std::string> MailServer::target_args(std::string_view user) const {
  return {"--to", url("imaps", user), "--ca-file", ca_file_, "--to-password-file", password_file_};
}

std::vector<std::string> MailServer::sync_args(const std::string& from, std::string_view user,
                                               const std::vector<std::string>& extra) const {
  std::vector<std::string> args{"sync", "--from", from};
  for (auto& a : target_args(user)) args.push_back(std::move(a));
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

net::ConnectOptions MailServer::connect_options(net::Protocol protocol,
                                                std::string_view user) const {
  net::ConnectOptions o;
  o.protocol = protocol;
  o.host = "127.0.0.1";
  o.port = protocol == net::Protocol::Pop3 ? pop3s_port() : imaps_port();
  o.implicit_tls = true;
  o.ca_file = ca_file();
  o.user = std::string(user);
  o.password = core::Secret(password());
  o.timeout = std::chrono::seconds(30);
  return o;
}

}  // namespace mailferry::testing

#include "support/dovecot_server.hpp"

#include <stdlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include "support/run_command.hpp"
#include "support/temp_dir.hpp"

namespace mailferry::testing {
namespace {

std::string script(const char* name) {
  return std::string(MAILFERRY_TEST_DIR) + "/dovecot/" + name;
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

// Shell-like word splitting without expansions: 'single', "double", \escape.
std::vector<std::string> split_words(const std::string& text) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quote == '\'') {
      if (c == '\'')
        quote = 0;
      else
        word += c;
    } else if (quote == '"') {
      if (c == '"')
        quote = 0;
      else if (c == '\\' && i + 1 < text.size() && (text[i + 1] == '"' || text[i + 1] == '\\'))
        word += text[++i];
      else
        word += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == '\\' && i + 1 < text.size()) {
      word += text[++i];
      in_word = true;
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(word);
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (quote != 0) throw std::invalid_argument("unbalanced quote in: " + text);
  if (in_word) words.push_back(word);
  return words;
}

std::string tail_of(const std::string& text, size_t max_bytes) {
  return text.size() <= max_bytes ? text : "..." + text.substr(text.size() - max_bytes);
}

}  // namespace

DovecotServer::DovecotServer(DovecotShape shape) {
  // Always /tmp, not $TMPDIR: Dovecot's unix socket paths must stay short.
  std::string pattern = "/tmp/mailferry-dovecot.XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr)
    throw std::runtime_error("mkdtemp: " + std::string(std::strerror(errno)));
  root_ = pattern;

  std::vector<std::string> argv{"bash", script("start-dovecot.sh"), root_};
  if (!shape.special_use) argv.push_back("--no-special-use");
  if (shape.minimal) argv.push_back("--minimal");
  if (shape.separator != "/") argv.insert(argv.end(), {"--separator", shape.separator});
  if (!shape.prefix.empty()) argv.insert(argv.end(), {"--prefix", shape.prefix});
  if (!shape.default_folders) argv.push_back("--no-default-folders");
  if (!shape.quota.empty()) argv.insert(argv.end(), {"--quota", shape.quota});
  if (shape.max_mail_size > 0)
    argv.insert(argv.end(), {"--max-mail-size", std::to_string(shape.max_mail_size)});
  if (shape.advertise_appendlimit) argv.push_back("--advertise-appendlimit");
  if (!shape.pop3_pipelining) argv.push_back("--pop3-no-pipelining");

  CommandOptions options;
  options.timeout = std::chrono::seconds(60);
  CommandResult started = run_command(argv, options);
  if (started.exit_code != 0 || started.timed_out) {
    std::string why = started.describe();
    stop_and_remove();
    throw std::runtime_error("cannot start the test Dovecot: " + why);
  }
  try {
    read_env(root_);
  } catch (...) {
    stop_and_remove();
    throw;
  }
}

DovecotServer::~DovecotServer() { stop_and_remove(); }

void DovecotServer::stop_and_remove() noexcept {
  if (root_.empty()) return;
  try {
    CommandOptions options;
    options.timeout = std::chrono::seconds(30);
    run_command({"bash", script("stop-dovecot.sh"), root_}, options);
  } catch (const std::exception& e) {
    std::cerr << "stopping the test Dovecot in " << root_ << ": " << e.what() << "\n";
  }
  const char* keep = std::getenv("MAILFERRY_KEEP_TEST_SERVER");
  if (keep && std::string_view(keep) == "1") {
    std::cerr << "kept test Dovecot directory " << root_ << "\n";
    return;
  }
  std::error_code ignored;  // leftovers in /tmp are harmless; a destructor must not throw
  std::filesystem::remove_all(root_, ignored);
}

std::string DovecotServer::doveadm(const std::string& arguments) const {
  return doveadm(split_words(arguments));
}

namespace {

// Words of a doveadm command name at the start of args ("fetch",
// "mailbox status", "mailbox cache decision").
size_t command_words(const std::vector<std::string>& args, size_t first) {
  static const std::set<std::string> groups{"acl",      "flags", "fts",   "mailbox",
                                            "metadata", "quota", "sieve", "dict"};
  if (first >= args.size() || groups.count(args[first]) == 0) return 1;
  if (args[first] == "mailbox" && first + 1 < args.size() &&
      (args[first + 1] == "cache" || args[first + 1] == "attribute"))
    return 3;
  return 2;
}

}  // namespace

void DovecotServer::create_mailboxes(const std::string& user,
                                     const std::vector<std::string>& names) const {
  for (const auto& name : names)
    doveadm(std::vector<std::string>{"mailbox", "create", "-u", user, name});
}

std::string DovecotServer::doveadm(const std::vector<std::string>& arguments) const {
  // doveadm only takes "-u USER" after the command name; a leading one (as in
  // "-u alice mailbox list") is moved there. Other leading options are global.
  std::vector<std::string> argv{"doveadm", "-c", config_file()};
  std::vector<std::string> user;
  size_t i = 0;
  for (; i < arguments.size() && arguments[i].size() > 1 && arguments[i][0] == '-'; ++i) {
    const std::string& option = arguments[i];
    bool takes_value = option == "-u" || option == "-f" || option == "-o";
    if (takes_value && i + 1 >= arguments.size())
      throw std::invalid_argument("doveadm: " + option + " needs a value");
    if (option == "-u") {
      user = {"-u", arguments[++i]};
      continue;
    }
    argv.push_back(option);
    if (takes_value) argv.push_back(arguments[++i]);
  }
  size_t end_of_command = std::min(arguments.size(), i + command_words(arguments, i));
  argv.insert(argv.end(), arguments.begin() + static_cast<std::ptrdiff_t>(i),
              arguments.begin() + static_cast<std::ptrdiff_t>(end_of_command));
  argv.insert(argv.end(), user.begin(), user.end());
  argv.insert(argv.end(), arguments.begin() + static_cast<std::ptrdiff_t>(end_of_command),
              arguments.end());
  CommandOptions options;
  options.timeout = std::chrono::seconds(60);
  CommandResult r = run_command(argv, options);
  if (r.exit_code != 0 || r.timed_out) {
    std::string joined;
    for (const auto& a : arguments) joined += " " + a;
    throw std::runtime_error("doveadm" + joined + ": " + r.describe());
  }
  return r.out;
}

void DovecotServer::save_message(const std::string& user, const std::string& folder,
                                 const std::string& message_bytes, const std::string& flags) const {
  if (folder != "INBOX") {
    bool exists = true;
    try {
      doveadm({"mailbox", "status", "-u", user, "messages", folder});
    } catch (const std::runtime_error&) {
      exists = false;
    }
    if (!exists) doveadm({"mailbox", "create", "-u", user, folder});
  }
  std::vector<std::string> argv{"doveadm", "-c", config_file(), "save", "-u", user, "-m", folder};
  CommandOptions options;
  options.stdin_data = message_bytes;
  options.timeout = std::chrono::seconds(60);
  CommandResult r = run_command(argv, options);
  if (r.exit_code != 0 || r.timed_out)
    throw std::runtime_error("doveadm save -u " + user + " -m " + folder + ": " + r.describe());
  if (!flags.empty()) {
    // No one else writes to this user's folder, so its highest UID is the
    // message just saved. (doveadm's search has no "uid *".)
    std::istringstream uids(
        doveadm({"-f", "flow", "fetch", "-u", user, "uid", "mailbox", folder, "all"}));
    long highest = 0;
    std::string line;
    while (std::getline(uids, line))
      if (line.rfind("uid=", 0) == 0) highest = std::max(highest, std::stol(line.substr(4)));
    doveadm({"flags", "add", "-u", user, flags, "mailbox", folder, "uid", std::to_string(highest)});
  }
}

std::vector<std::string> DovecotServer::mailboxes(const std::string& user) const {
  std::vector<std::string> names;
  std::istringstream lines(doveadm({"mailbox", "list", "-u", user}));
  std::string line;
  while (std::getline(lines, line))
    if (!line.empty()) names.push_back(line);
  return names;
}

int DovecotServer::message_count(const std::string& user, const std::string& folder) const {
  // "-f flow" prints "messages=N" without the name, whatever the name holds.
  std::string out =
      trim(doveadm({"-f", "flow", "mailbox", "status", "-u", user, "messages", folder}));
  auto pos = out.rfind("messages=");
  if (pos == std::string::npos) throw std::runtime_error("unexpected doveadm output: " + out);
  return std::stoi(out.substr(pos + 9));
}

std::string DovecotServer::log() const {
  try {
    return tail_of(read_file(root_ + "/dovecot.log"), 20000);
  } catch (const std::exception&) {
    return "";
  }
}

}  // namespace mailferry::testing

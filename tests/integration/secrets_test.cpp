// Secrets: every verb runs with the password given every way mailferry takes
// one (file, environment, password_command, a job file's password_env), on
// success and failure paths (wrong password, unknown CA, a URL with a
// password inside, a failing password_command, an OAuth2 token the server
// refuses), with -v, --report and --log-format json; then every output is
// searched for the secrets, plain and in the base64 forms SASL sends them:
// stdout, stderr, the JSON reports, every state file (SQLite database, -wal,
// -shm) and spool directory. A running process must not show the password in
// /proc/PID/cmdline and must not be able to dump core. Job and password files
// that others can read get a warning.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/dovecot_server.hpp"
#include "support/run_command.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using namespace mailferry::testing;
using nlohmann::json;

namespace {

constexpr const char* kWrongPassword = "Wr0ng-pa55w0rd-XYZZY-7741";
constexpr const char* kUrlPassword = "Url-S3cret-QUUX-0093";
constexpr const char* kToken = "ya29.Token-S3cret-FROB-5518";
constexpr const char* kCommandOutput = "Cmd-S3cret-GRAULT-2207";

std::string base64(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

// Every form in which a secret could leak: as is, and as SASL PLAIN/LOGIN
// and XOAUTH2 put it on the wire.
std::vector<std::string> forms(const std::string& secret, const std::vector<std::string>& users) {
  std::vector<std::string> out{secret, base64(secret)};
  for (const auto& u : users) {
    out.push_back(base64(std::string(1, '\0') + u + std::string(1, '\0') + secret));
    out.push_back(base64(u + std::string(1, '\0') + u + std::string(1, '\0') + secret));
    out.push_back(base64("user=" + u + "\x01" + "auth=Bearer " + secret + "\x01\x01"));
  }
  return out;
}

// Everything the tool wrote, by where it was found.
struct Outputs {
  std::map<std::string, std::string> texts;

  void add_run(const std::string& label, const CommandResult& r) {
    texts[label + ": stdout"] = r.out;
    texts[label + ": stderr"] = r.err;
  }
  // Every regular file below `dir` (reports, state files and their -wal and
  // -shm, spool files left behind).
  void add_files(const fs::path& dir) {
    std::error_code ignored;
    for (fs::recursive_directory_iterator it(dir, ignored), end; it != end; it.increment(ignored))
      if (it->is_regular_file(ignored)) texts[it->path().string()] = read_file(it->path());
  }
};

}  // namespace

TEST_CASE("secrets: no output, report, state or spool file of any verb holds a password or token") {
  DovecotServer server;
  TempDir dir;
  const std::string password = server.password();
  const std::string mbox = std::string(MAILFERRY_SOURCE_DIR) + "/examples/mbox/Inbox.mbox";
  const std::string wrong_file = dir.write_file("wrong.pw", std::string(kWrongPassword) + "\n");
  const fs::path state = dir.path() / "state";
  const fs::path spool = dir.path() / "spool";
  const fs::path reports = dir.path() / "reports";
  for (const auto& d : {state, spool, reports}) fs::create_directories(d);
  // Every run keeps its state and spool files where they are searched.
  auto env = [&](EnvChanges extra = {}) {
    extra["XDG_STATE_HOME"] = state.string();
    extra["TMPDIR"] = spool.string();
    return extra;
  };
  auto report = [&](const std::string& name) { return (reports / (name + ".json")).string(); };
  const std::string imaps = server.url("imaps", "secret");
  const std::string pop3s = server.url("pop3s", "secret");
  const std::string ca = server.ca_file();
  const std::string pw_file = server.password_file();

  // Some mail to move from POP3, put there through IMAP.
  auto fill =
      run_mailferry({"sync", "--from", "mbox:" + mbox, "--to", server.url("imaps", "popsrc"),
                     "--ca-file", ca, "--to-password-file", pw_file, "--quiet"},
                    env());
  REQUIRE(fill.exit_code == 0);
  // The state names every correspondent's Message-ID domain: its folder and
  // its files are their owner's only, whatever the umask.
  for (const auto& entry : fs::recursive_directory_iterator(state)) {
    INFO(entry.path().string());
    const auto others = fs::perms::group_all | fs::perms::others_all;
    CHECK((fs::status(entry.path()).permissions() & others) == fs::perms::none);
  }
  REQUIRE(fs::exists(state / "mailferry"));

  auto job_file = [&](const std::string& name, const json& to, const json& extra = json::object()) {
    json job{{"name", name}, {"from", "mbox:" + mbox}, {"to", to}};
    for (auto& [k, v] : extra.items()) job[k] = v;
    return dir.write_file(name + ".json", json{{"jobs", {job}}}.dump(2));
  };
  const std::string with_command =
      job_file("command",
               {{"url", imaps},
                {"ca_file", ca},
                {"password_command", "printf '%s\\r\\n' \"$(cat " + pw_file + ")\""}},
               {{"report", report("command-job")}});
  const std::string with_env =
      job_file("env", {{"url", imaps}, {"ca_file", ca}, {"password_env", "SECRET_TEST_PASSWORD"}});
  const std::string failing_command = job_file(
      "failing", {{"url", imaps},
                  {"ca_file", ca},
                  {"password_command", std::string("echo ") + kCommandOutput + "; exit 3"}});
  const std::string url_in_job =
      job_file("url", {{"url", "imaps://secret:" + std::string(kUrlPassword) + "@127.0.0.1:1"}});
  auto chmod600 = [](const std::string& path) {
    fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write);
  };
  for (const auto& f : {with_command, with_env, failing_command, url_in_job}) chmod600(f);

  struct Case {
    std::string label;
    std::vector<std::string> args;
    EnvChanges env;
    int exit_code;
  };
  const EnvChanges to_env{{"MAILFERRY_TO_PASSWORD", password}};
  const EnvChanges from_env{{"MAILFERRY_FROM_PASSWORD", password}};
  const std::vector<Case> cases{
      {"sync, password file, -v, report",
       {"sync", "-v", "--from", "mbox:" + mbox, "--to", imaps, "--ca-file", ca,
        "--to-password-file", pw_file, "--report", report("file")},
       {},
       0},
      {"sync, environment, json log, report",
       {"sync", "--log-format", "json", "--from", "mbox:" + mbox, "--to", imaps, "--ca-file", ca,
        "--report", report("env")},
       to_env,
       0},
      {"sync, job file with password_command (CRLF trimmed), -v",
       {"sync", "-v", with_command},
       {},
       0},
      {"sync, dry run", {"sync", "-n", "-v", with_command}, {}, 0},
      {"check, job file with password_env",
       {"check", with_env},
       {{"SECRET_TEST_PASSWORD", password}},
       0},
      {"check, json log, report",
       {"check", "--log-format", "json", "--from", "mbox:" + mbox, "--to", imaps, "--ca-file", ca,
        "--report", report("check")},
       to_env,
       0},
      {"list, IMAP, password file",
       {"list", imaps, "--ca-file", ca, "--password-file", pw_file},
       {},
       0},
      {"list, plan with --to", {"list", "mbox:" + mbox, "--to", imaps, "--ca-file", ca}, to_env, 0},
      {"list, POP3", {"list", pop3s, "--ca-file", ca}, from_env, 0},
      {"sync from POP3, -v, report",
       {"sync", "-v", "--from", server.url("pop3s", "popsrc"), "--from-password-file", pw_file,
        "--to", server.url("imaps", "frompop"), "--ca-file", ca, "--to-password-file", pw_file,
        "--report", report("pop3")},
       {},
       0},
      {"sync, wrong password, -v, json log, report",
       {"sync", "-v", "--log-format", "json", "--from", "mbox:" + mbox, "--to", imaps, "--ca-file",
        ca, "--to-password-file", wrong_file, "--report", report("wrong")},
       {},
       3},
      {"check, wrong password",
       {"check", "--from", "mbox:" + mbox, "--to", imaps, "--ca-file", ca},
       {{"MAILFERRY_TO_PASSWORD", kWrongPassword}},
       3},
      {"list, wrong password",
       {"list", imaps, "--ca-file", ca, "--password-file", wrong_file},
       {},
       3},
      {"sync from POP3, wrong password",
       {"sync", "--from", pop3s, "--to", imaps, "--ca-file", ca, "--to-password-file", pw_file,
        "--report", report("pop3-wrong")},
       {{"MAILFERRY_FROM_PASSWORD", kWrongPassword}},
       3},
      {"sync, unknown CA, -v, report",
       {"sync", "-v", "--from", "mbox:" + mbox, "--to", imaps, "--report", report("ca")},
       to_env,
       3},
      {"list, unknown CA", {"list", imaps}, to_env, 3},
      {"sync, password in the --to URL",
       {"sync", "-v", "--from", "mbox:" + mbox, "--to",
        "imaps://secret:" + std::string(kUrlPassword) + "@127.0.0.1:1", "--report", report("url")},
       {},
       2},
      {"sync, password in the --from URL",
       {"sync", "--from", "pop3s://secret:" + std::string(kUrlPassword) + "@127.0.0.1:1", "--to",
        imaps},
       {},
       2},
      {"list, password in the URL",
       {"list", "imaps://secret:" + std::string(kUrlPassword) + "@127.0.0.1:1"},
       {},
       2},
      {"sync, password in a job file's URL", {"sync", "--log-format", "json", url_in_job}, {}, 2},
      {"sync, failing password_command", {"sync", "-v", failing_command}, {}, 2},
      {"sync, OAuth2 token the server refuses",
       {"sync", "-v", "--from", "mbox:" + mbox, "--to", imaps, "--ca-file", ca, "--to-auth",
        "xoauth2", "--to-token-command", std::string("echo ") + kToken, "--report",
        report("oauth")},
       {},
       3},
  };

  Outputs outputs;
  for (const auto& c : cases) {
    auto r = run_mailferry(c.args, env(c.env));
    INFO(c.label << ": " << r.describe() << "\nstdout: " << r.out);
    CHECK(r.exit_code == c.exit_code);
    outputs.add_run(c.label, r);
  }
  outputs.add_files(state);
  outputs.add_files(spool);
  outputs.add_files(reports);

  // The runs did leave what is searched: reports and state files with a WAL.
  int reports_found = 0, wal_files = 0, databases = 0;
  for (const auto& [label, text] : outputs.texts) {
    reports_found += label.find("/reports/") != std::string::npos;
    wal_files += label.size() > 4 && label.substr(label.size() - 4) == "-wal";
    databases += label.size() > 3 && label.substr(label.size() - 3) == ".db";
  }
  CHECK(reports_found >= 8);
  CHECK(databases >= 3);
  MESSAGE(outputs.texts.size() << " outputs searched (" << reports_found << " reports, "
                               << databases << " state files, " << wal_files << " WAL files)");
  // And they say what happened, so that empty outputs do not pass for clean ones.
  CHECK(outputs.texts["sync, wrong password, -v, json log, report: stderr"].find(
            "AUTHENTICATIONFAILED") != std::string::npos);
  CHECK(outputs.texts["sync, failing password_command: stderr"].find(
            "password_command failed (exit status 3)") != std::string::npos);
  CHECK(outputs.texts["sync, password in the --to URL: stderr"].find("--to-password-file") !=
        std::string::npos);

  const std::vector<std::string> users{"secret", "popsrc", "frompop"};
  std::vector<std::pair<std::string, std::string>> secrets;  // form, what it is
  for (const auto& [secret, name] : std::vector<std::pair<std::string, std::string>>{
           {password, "the password"},
           {kWrongPassword, "the wrong password"},
           {kUrlPassword, "the URL's password"},
           {kToken, "the OAuth2 token"},
           {kCommandOutput, "password_command output"}})
    for (const auto& form : forms(secret, users)) secrets.emplace_back(form, name);
  for (const auto& [label, text] : outputs.texts)
    for (const auto& [form, name] : secrets) {
      INFO(label << " holds " << name << " (as '" << form << "')");
      CHECK(text.find(form) == std::string::npos);
    }
}

namespace {

// Starts mailferry with `args` in `cwd`, core dumps allowed by the limit (as
// a shell with `ulimit -c unlimited` would), output to /dev/null.
pid_t start_with_core_limit(const std::vector<std::string>& args, const std::string& cwd,
                            const std::map<std::string, std::string>& env) {
  std::vector<std::string> argv{mailferry_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const rlimit unlimited{RLIM_INFINITY, RLIM_INFINITY};
    ::setrlimit(RLIMIT_CORE, &unlimited);
    if (::chdir(cwd.c_str()) != 0) ::_exit(126);
    for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
    // In a sanitizer build, AddressSanitizer catches the SIGSEGV below; it
    // must then abort (a signal, as without it), not exit with status 1.
    const char* asan = std::getenv("ASAN_OPTIONS");
    const std::string asan_options =
        (asan != nullptr && *asan != '\0' ? std::string(asan) + ":" : "") + "abort_on_error=1";
    ::setenv("ASAN_OPTIONS", asan_options.c_str(), 1);
    ::unsetenv("MAILFERRY_FROM_PASSWORD");
    if (env.count("MAILFERRY_TO_PASSWORD") == 0) ::unsetenv("MAILFERRY_TO_PASSWORD");
    int null = ::open("/dev/null", O_RDWR);
    ::dup2(null, 0);
    ::dup2(null, 1);
    ::dup2(null, 2);
    std::vector<char*> c_args;
    for (auto& a : argv) c_args.push_back(a.data());
    c_args.push_back(nullptr);
    ::execv(c_args[0], c_args.data());
    ::_exit(127);
  }
  return pid;
}

std::string proc_file(pid_t pid, const char* name) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/" + name, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

bool has_core_file(const std::string& dir) {
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().rfind("core", 0) == 0) return true;
  return false;
}

}  // namespace

TEST_CASE(
    "secrets: a running mailferry shows no password in its command line and cannot dump core") {
  DovecotServer server;
  TempDir dir;
  const std::string mbox =
      std::string(MAILFERRY_CORPUS_DIR) + "/mbox/linux-samsung-soc-2020-2000msgs.mboxrd";
  const fs::path stored = fs::path(server.root()) / "mail";

  // The control: this system writes a core file for a crashing process whose
  // limit allows it, so a missing core below means mailferry prevented it.
  const std::string control_dir = (dir.path() / "control").string();
  fs::create_directories(control_dir);
  bool system_dumps = false;
  {
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      const rlimit unlimited{RLIM_INFINITY, RLIM_INFINITY};
      ::setrlimit(RLIMIT_CORE, &unlimited);
      if (::chdir(control_dir.c_str()) != 0) ::_exit(126);
      ::signal(SIGSEGV, SIG_DFL);  // not the test framework's crash handler
      ::raise(SIGSEGV);
      ::_exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    system_dumps = WIFSIGNALED(status) && WCOREDUMP(status);
  }

  int runs = 0;
  for (const bool by_env : {false, true}) {
    const std::string user = by_env ? "byenv" : "byfile";
    const std::string cwd = (dir.path() / user).string();
    fs::create_directories(cwd);
    std::vector<std::string> args{"sync",      "--quiet",
                                  "--from",    "mbox:" + mbox,
                                  "--to",      server.url("imaps", user),
                                  "--ca-file", server.ca_file(),
                                  "--state",   dir.file(user + ".db")};
    std::map<std::string, std::string> env;
    if (by_env)
      env["MAILFERRY_TO_PASSWORD"] = server.password();
    else
      args.insert(args.end(), {"--to-password-file", server.password_file()});
    const pid_t pid = start_with_core_limit(args, cwd, env);
    // Wait until it has logged in and uploads (the password has been read).
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    const fs::path inbox = stored / user / "mailboxes" / "INBOX" / "dbox-Mails";
    bool uploading = false;
    while (!uploading && std::chrono::steady_clock::now() < deadline) {
      std::error_code ignored;
      for (fs::directory_iterator it(inbox, ignored), end; it != end; it.increment(ignored))
        if (it->path().filename().string().rfind("u.", 0) == 0) uploading = true;
      if (!uploading) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    INFO(std::string(by_env ? "password from the environment" : "password from a file"));
    REQUIRE(uploading);
    const std::string cmdline = proc_file(pid, "cmdline");
    CHECK(cmdline.find("sync") != std::string::npos);  // the right process
    CHECK(cmdline.find(server.password()) == std::string::npos);
    const std::string limits = proc_file(pid, "limits");
    const auto line = limits.find("Max core file size");
    REQUIRE(line != std::string::npos);
    std::istringstream fields(limits.substr(line + 18, limits.find('\n', line) - line - 18));
    std::string soft, hard;
    fields >> soft >> hard;
    CHECK(soft == "0");  // lowered from "unlimited" by the process itself
    CHECK(hard == "0");

    ::kill(pid, SIGSEGV);  // as a crash would
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFSIGNALED(status));
    CHECK_FALSE(WCOREDUMP(status));
    CHECK_FALSE(has_core_file(cwd));
    ++runs;
  }
  if (system_dumps)
    MESSAGE("control process dumped core; mailferry did not in " << runs << " crashes");
  else
    MESSAGE("this system writes no core files even when allowed; only the limits were checked");
}

TEST_CASE("secrets: job and password files that others can read get a warning") {
  DovecotServer server;
  TempDir dir;
  const std::string mbox = std::string(MAILFERRY_SOURCE_DIR) + "/examples/mbox/Inbox.mbox";
  auto job_file = [&](const std::string& name, const json& to) {
    return dir.write_file(
        name + ".json",
        json{{"jobs", {{{"name", name}, {"from", "mbox:" + mbox}, {"to", to}}}}}.dump(2));
  };
  const std::string pw_copy = dir.write_file("copy.pw", server.password() + "\n");
  const std::string command = "cat " + pw_copy;
  const std::string with_command = job_file("command", {{"url", server.url("imaps", "perm")},
                                                        {"ca_file", server.ca_file()},
                                                        {"password_command", command}});
  const std::string with_file = job_file("file", {{"url", server.url("imaps", "perm")},
                                                  {"ca_file", server.ca_file()},
                                                  {"password_file", pw_copy}});
  auto set_mode = [](const std::string& path, fs::perms mode) {
    fs::permissions(path, mode, fs::perm_options::replace);
  };
  const auto private_mode = fs::perms::owner_read | fs::perms::owner_write;
  const auto group_mode = private_mode | fs::perms::group_read;
  const auto world_mode = group_mode | fs::perms::others_read;

  auto sync = [&](const std::vector<std::string>& args) {
    std::vector<std::string> all{"sync"};
    all.insert(all.end(), args.begin(), args.end());
    auto r = run_mailferry(all, {{"XDG_STATE_HOME", dir.file("state")}});
    INFO(r.describe());
    CHECK(r.exit_code == 0);
    return r.err;
  };

  // Private files: no warning.
  set_mode(pw_copy, private_mode);
  set_mode(with_command, private_mode);
  set_mode(with_file, private_mode);
  CHECK(sync({with_command}).find("readable by other users") == std::string::npos);
  CHECK(sync({with_file}).find("readable by other users") == std::string::npos);

  // A job file with password_command that the group or everyone can read.
  for (auto mode : {group_mode, world_mode}) {
    set_mode(with_command, mode);
    const std::string err = sync({with_command});
    CHECK(err.find(with_command) != std::string::npos);
    CHECK(err.find("readable by other users (chmod 600 " + with_command + ")") !=
          std::string::npos);
    CHECK(err.find(server.password()) == std::string::npos);
  }
  set_mode(with_command, private_mode);

  // A password file others can read: from a job file and from the command line.
  set_mode(pw_copy, world_mode);
  const std::string from_job = sync({with_file});
  CHECK(from_job.find(pw_copy + ": password file is readable by other users") != std::string::npos);
  const std::string from_flag =
      sync({"--from", "mbox:" + mbox, "--to", server.url("imaps", "perm"), "--ca-file",
            server.ca_file(), "--to-password-file", pw_copy});
  CHECK(from_flag.find(pw_copy + ": password file is readable by other users") !=
        std::string::npos);
  // --quiet (a cron job) hides progress and notes, never this warning.
  const std::string quiet = sync({"--quiet", with_file});
  CHECK(quiet.find(pw_copy + ": password file is readable by other users") != std::string::npos);
  for (const auto* err : {&from_job, &from_flag, &quiet})
    CHECK(err->find(server.password()) == std::string::npos);
}

// The helpers the end-to-end tests run the mailferry binary with: exit codes,
// separate stdout/stderr, stdin, environment changes, timeouts, temp dirs.
#include "support/run_command.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>

#include "support/temp_dir.hpp"

using namespace mailferry::testing;

TEST_CASE("run_command: exit code, stdout and stderr are kept apart") {
  CommandResult r = run_command({"bash", "-c", "printf 'to out'; printf 'to err' >&2; exit 3"});
  CHECK(r.exit_code == 3);
  CHECK(r.out == "to out");
  CHECK(r.err == "to err");
  CHECK_FALSE(r.timed_out);
}

TEST_CASE("run_command: no shell is involved in passing arguments") {
  CommandResult r = run_command({"printf", "%s|", "a b", "$HOME", "'q'", ""});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "a b|$HOME|'q'||");
}

TEST_CASE("run_command: stdin is /dev/null unless bytes are given") {
  CHECK(run_command({"cat"}).out.empty());

  CommandOptions options;
  std::string big(1 << 20, 'x');  // larger than a pipe buffer in both directions
  big += std::string("\r\nend\0of", 8);
  options.stdin_data = big;
  CommandResult r = run_command({"cat"}, options);
  CHECK(r.exit_code == 0);
  CHECK(r.out == big);
}

TEST_CASE("run_command: environment changes set and remove variables") {
  ::setenv("MAILFERRY_RUN_COMMAND_TEST", "inherited", 1);
  CommandOptions options;
  options.env = {{"MAILFERRY_RUN_COMMAND_TEST", std::nullopt}, {"MAILFERRY_EXTRA", "set"}};
  CommandResult r = run_command(
      {"bash", "-c", "echo \"${MAILFERRY_RUN_COMMAND_TEST-unset} $MAILFERRY_EXTRA\""}, options);
  CHECK(r.out == "unset set\n");
  CHECK(run_command({"bash", "-c", "echo $MAILFERRY_RUN_COMMAND_TEST"}).out == "inherited\n");
  ::unsetenv("MAILFERRY_RUN_COMMAND_TEST");
}

TEST_CASE("run_command: a hanging child is killed at the timeout, with its children") {
  CommandOptions options;
  options.timeout = std::chrono::milliseconds(300);
  auto begin = std::chrono::steady_clock::now();
  CommandResult r = run_command({"bash", "-c", "sleep 30 & sleep 30; echo never"}, options);
  auto took = std::chrono::steady_clock::now() - begin;
  CHECK(r.timed_out);
  CHECK(r.exit_code == 128 + 9);
  CHECK(r.out.empty());
  CHECK(took < std::chrono::seconds(5));
}

TEST_CASE("run_command: a signal shows as 128 + signal number") {
  CHECK(run_command({"bash", "-c", "kill -TERM $$"}).exit_code == 128 + 15);
}

TEST_CASE("run_command: a program that does not exist is an exception") {
  CHECK_THROWS_AS(run_command({"/nonexistent/mailferry-no-such-program"}), std::runtime_error);
}

TEST_CASE("run_command: a daemon holding the pipes open does not block the caller") {
  CommandOptions options;
  options.timeout = std::chrono::seconds(20);
  auto begin = std::chrono::steady_clock::now();
  CommandResult r =
      run_command({"bash", "-c", "echo started; (setsid sleep 5 &) ; exit 0"}, options);
  CHECK(r.exit_code == 0);
  CHECK_FALSE(r.timed_out);
  CHECK(r.out == "started\n");
  CHECK(std::chrono::steady_clock::now() - begin < std::chrono::seconds(4));
}

TEST_CASE("TempDir: is created empty and removed with its contents") {
  std::filesystem::path where;
  {
    TempDir dir("mailferry-unit");
    where = dir.path();
    CHECK(std::filesystem::is_directory(where));
    CHECK(std::filesystem::is_empty(where));
    std::string file = dir.write_file("a/b/password", "secret\n");
    CHECK(file == dir.file("a/b/password"));
    CHECK(read_file(file) == "secret\n");
    auto perms = std::filesystem::status(file).permissions();
    CHECK((perms & std::filesystem::perms::group_read) == std::filesystem::perms::none);
    CHECK((perms & std::filesystem::perms::others_read) == std::filesystem::perms::none);
  }
  CHECK_FALSE(std::filesystem::exists(where));
}

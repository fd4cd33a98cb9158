#include "mailferry/job/credentials.hpp"

#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "mailferry/core/error.hpp"

using namespace mailferry;

TEST_CASE("credentials: a password file's first line, without its line end") {
  char path[] = "/tmp/mailferry-cred-XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  close(fd);
  std::ofstream(path) << "s3cret pass\r\nsecond line\n";
  job::PasswordSource source;
  source.file = path;
  CHECK(job::resolve_password(source, "UNUSED_ENV", "to").reveal() == "s3cret pass");
  std::remove(path);
}

TEST_CASE("credentials: environment, named or the fallback") {
  setenv("MF_TEST_PW", "from-env", 1);
  job::PasswordSource source;
  source.env = "MF_TEST_PW";
  CHECK(job::resolve_password(source, "UNUSED_ENV", "to").reveal() == "from-env");
  setenv("MF_TEST_FALLBACK", "fallback", 1);
  CHECK(job::resolve_password({}, "MF_TEST_FALLBACK", "to").reveal() == "fallback");
  unsetenv("MF_TEST_FALLBACK");
  CHECK_THROWS_AS(job::resolve_password({}, "MF_TEST_FALLBACK", "to"), core::UsageError);
}

TEST_CASE("credentials: a command's output is trimmed, a failing command never shows its output") {
  job::PasswordSource source;
  source.command = "printf 'tok3n\\n\\n'";
  CHECK(job::resolve_password(source, "X", "to").reveal() == "tok3n");
  source.command = "echo leaked-secret; exit 3";
  try {
    job::resolve_password(source, "X", "job 'a', to");
    FAIL("no error");
  } catch (const core::UsageError& e) {
    std::string what = e.what();
    CHECK(what.find("leaked-secret") == std::string::npos);
    CHECK(what.find("exit status 3") != std::string::npos);
    CHECK(what.find("job 'a', to") != std::string::npos);
  }
}

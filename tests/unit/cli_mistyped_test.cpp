// "Did you mean": a mistyped verb or option is named with what was meant.
#include <doctest/doctest.h>

#include "mailferry/cli/mistyped.hpp"
#include "mailferry/core/suggest.hpp"

using namespace mailferry;
using namespace mailferry::cli;

namespace {

CommandNames names() {
  CommandNames n;
  n.verbs = {"sync", "check", "list"};
  n.options[""] = {"--help", "--version"};
  n.options["sync"] = {"--help", "--from", "--to", "--from-password-file", "--dry-run"};
  n.options["check"] = {"--help", "--from", "--to", "--missing-only"};
  n.options["list"] = {"--help", "--to", "--password-file"};
  return n;
}

}  // namespace

TEST_CASE("mistyped: an unknown verb lists the verbs") {
  CHECK(diagnose_mistyped({"copy", "--from", "x"}, names()) ==
        "unknown verb 'copy'; verbs: sync, check, list");
  CHECK(diagnose_mistyped({"synk"}, names()) ==
        "unknown verb 'synk'; verbs: sync, check, list (did you mean 'sync'?)");
  CHECK(diagnose_mistyped({}, names()) == "a verb is required; verbs: sync, check, list");
}

TEST_CASE("mistyped: an unknown option gets the closest one of its verb") {
  CHECK(diagnose_mistyped({"sync", "--form", "mbox:x", "--to", "imaps://a@h"}, names()) ==
        "unknown option '--form' of sync; did you mean --from?");
  CHECK(diagnose_mistyped({"sync", "--dryrun"}, names()) ==
        "unknown option '--dryrun' of sync; did you mean --dry-run?");
  CHECK(diagnose_mistyped({"check", "--missing=1"}, names()) ==
        "unknown option '--missing' of check; see 'mailferry check --help'");
  // An option of another verb is unknown here.
  CHECK(diagnose_mistyped({"list", "--from-password-file", "f"}, names())
            .find("unknown option '--from-password-file' of list") == 0);
  CHECK(diagnose_mistyped({"--verison"}, names()) ==
        "unknown option '--verison'; did you mean --version?");
}

TEST_CASE("mistyped: a command line without unknown names has no diagnosis") {
  CHECK(diagnose_mistyped({"sync", "--from", "mbox:x", "--to", "imaps://a@h"}, names()).empty());
  CHECK(diagnose_mistyped({"sync", "-v", "jobs.json"}, names()).empty());
  CHECK(diagnose_mistyped({"sync", "--", "--form"}, names()).empty());
}

TEST_CASE("suggest: only close names are suggested") {
  CHECK(core::edit_distance("kitten", "sitting") == 3);
  CHECK(core::closest_match("--form", {"--from", "--to"}) == "--from");
  CHECK(core::closest_match("x", {"y", "to"}).empty());
  CHECK(core::closest_match("completely-else", {"--from", "--to"}).empty());
}

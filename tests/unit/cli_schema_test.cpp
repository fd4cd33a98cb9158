// schema/mailferry-job.schema.json against the job-file loader: the schema
// names exactly the keys the loader accepts, documents that one accepts the
// other accepts too, and every example job file is valid
// (support/json_schema.hpp validates).
#include <doctest/doctest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "mailferry/core/error.hpp"
#include "mailferry/core/role.hpp"
#include "mailferry/job/job_file.hpp"
#include "support/json_schema.hpp"
#include "support/temp_dir.hpp"

using namespace mailferry;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const std::string kSchemaPath =
    std::string(MAILFERRY_SOURCE_DIR) + "/schema/mailferry-job.schema.json";

json schema() { return json::parse(testing::read_file(kSchemaPath)); }

std::set<std::string> keys_of(const json& properties) {
  std::set<std::string> keys;
  for (const auto& [key, value] : properties.items()) keys.insert(key);
  return keys;
}

bool loader_accepts(const json& document) {
  try {
    job::parse_job_text(document.dump(), "test.json");
    return true;
  } catch (const core::UsageError&) {
    return false;
  }
}

}  // namespace

TEST_CASE("cli schema: names exactly the keys the loader accepts, at every level") {
  const json s = schema();
  const auto& keys = job::job_file_keys();
  CHECK(keys_of(s.at("properties")) == std::set<std::string>(keys.top.begin(), keys.top.end()));
  CHECK(keys_of(s.at("$defs").at("job").at("properties")) ==
        std::set<std::string>(keys.job.begin(), keys.job.end()));
  CHECK(keys_of(s.at("$defs").at("endpoint").at("oneOf").at(1).at("properties")) ==
        std::set<std::string>(keys.endpoint.begin(), keys.endpoint.end()));
}

TEST_CASE("cli schema: schema and loader agree on what is a valid job file") {
  const testing::JsonSchema v(schema());
  const json from = "mbox:/srv/a.mbox", to = "imaps://a@h";
  auto doc = [&](json extra) {
    json job{{"from", from}, {"to", to}};
    if (extra.is_object()) job.update(extra);
    return json{{"jobs", {job}}};
  };
  const std::vector<json> valid{
      doc({}),
      doc({{"name", "alice"}, {"dry_run", true}, {"report", "r.json"}, {"keep_days", 0}}),
      doc({{"from", {{"url", "pop3s://a@h"}, {"password_env", "P"}}},
           {"delete_after_copy", true},
           {"keep_days", 7}}),
      doc({{"to",
            {{"url", "imaps://a@h"},
             {"password_file", "/p"},
             {"ca_file", "/ca"},
             {"insecure_plaintext", false}}}}),
      doc({{"map", {{"Sent Items", "\\Sent"}}},
           {"include", "Archive/**"},
           {"exclude", {"Junk", "Trash"}},
           {"prefix", "Imported"},
           {"merge", true},
           {"gmail_labels", "first"}}),
      json{{"defaults", {{"to", to}}}, {"jobs", {{{"from", from}}}}},
      doc({{"max_bytes_per_second", 500000}, {"max_messages_per_second", 0.5}}),
      doc({{"connections", 1}}),
      doc({{"from", "maildir:/srv/Maildir"}, {"maildir_layout", "maildir++"}}),
      doc({{"connections", 16}}),
      doc({{"to", {{"url", "imaps://a@h"}, {"token_command", "get-token"}}}}),
      doc({{"to",
            {{"url", "imaps://a@h"}, {"auth", "oauthbearer"}, {"token_command", "get-token"}}}}),
      doc({{"from", {{"url", "pop3s://a@h"}, {"auth", "xoauth2"}, {"token_command", "t"}}}}),
      doc({{"to", {{"url", "imaps://a@h"}, {"auth", "password"}, {"password_env", "P"}}}}),
  };
  const std::vector<json> invalid{
      json{{"jobs", json::array()}},
      json{{"job", {{{"from", from}, {"to", to}}}}},
      doc({{"dryrun", true}}),
      doc({{"dry_run", "yes"}}),
      doc({{"keep_days", -1}}),
      doc({{"keep_days", 1.5}}),
      doc({{"mbox_format", "mboxx"}}),
      doc({{"maildir_layout", "maildir"}}),
      doc({{"only_role", "sentitems"}}),
      doc({{"gmail_labels", "all"}}),
      doc({{"to_folder", ""}}),
      doc({{"include", 3}}),
      doc({{"map", {{"Old", 4}}}}),
      doc({{"to", {{"url", "imaps://a@h"}, {"password_file", "/p"}, {"password_env", "P"}}}}),
      doc({{"to", {{"password_file", "/p"}}}}),
      doc({{"to", {{"url", "imaps://a@h"}, {"pasword_file", "/p"}}}}),
      doc({{"max_bytes_per_second", -5}}),
      doc({{"max_bytes_per_second", "2M"}}),
      doc({{"max_messages_per_second", -1}}),
      doc({{"connections", 0}}),
      doc({{"connections", 17}}),
      doc({{"connections", 2.5}}),
      doc({{"to", {{"url", "imaps://a@h"}, {"auth", "xoauth2"}}}}),
      doc({{"to", {{"url", "imaps://a@h"}, {"auth", "password"}, {"token_command", "t"}}}}),
      doc({{"to", {{"url", "imaps://a@h"}, {"token_command", "t"}, {"password_file", "/p"}}}}),
      doc({{"to", {{"url", "imaps://a@h"}, {"auth", "kerberos"}, {"token_command", "t"}}}}),
  };
  for (const auto& d : valid) {
    INFO(d.dump());
    CHECK(v.validate(d) == "");
    CHECK(loader_accepts(d));
  }
  for (const auto& d : invalid) {
    INFO(d.dump());
    CHECK(v.validate(d) != "");
    CHECK_FALSE(loader_accepts(d));
  }
  // Every value the schema lists for a choice is one the loader takes.
  const auto document = schema();  // kept alive: the loop walks into it
  for (const char* key : {"mbox_format", "maildir_layout", "only_role", "gmail_labels"})
    for (const auto& value : document.at("$defs").at("job").at("properties").at(key).at("enum")) {
      INFO(key << " " << value);
      CHECK(loader_accepts(doc({{key, value}})));
    }
  for (auto role : {core::Role::Inbox, core::Role::Sent, core::Role::Flagged})
    CHECK(v.validate(doc({{"only_role", std::string(core::role_name(role))}})) == "");
}

TEST_CASE("cli schema: every job file in examples/ is valid") {
  const testing::JsonSchema v(schema());
  int files = 0;
  for (const auto& entry :
       fs::recursive_directory_iterator(std::string(MAILFERRY_SOURCE_DIR) + "/examples")) {
    if (entry.path().extension() != ".json") continue;
    INFO(entry.path().string());
    CHECK(v.validate(json::parse(testing::read_file(entry.path()))) == "");
    ++files;
  }
  CHECK(files >= 6);
}

#include "mailferry/job/accounts_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>

#include "mailferry/core/error.hpp"
#include "mailferry/core/suggest.hpp"
#include "mailferry/job/csv.hpp"
#include "mailferry/job/job_file.hpp"

namespace mailferry::job {
namespace {

using nlohmann::json;

const char* const kSides[] = {"from", "to"};

// Keys whose JSON value is not a string; a cell that does not read as one is
// passed on as text, so that the job parser's own message names the column.
const std::vector<std::string> kBooleanKeys{
    "dry_run",     "mark_read", "delete_after_copy",  "ignore_pst_password",
    "allow_empty", "merge",     "insecure_plaintext", "include_virtual_folders"};
const std::vector<std::string> kWholeNumberKeys{"keep_days", "connections", "max_bytes_per_second"};

bool one_of(const std::string& key, const std::vector<std::string>& keys) {
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

std::string trimmed(const std::string& text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

std::string lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

json cell_value(const std::string& key, const std::string& cell) {
  if (one_of(key, kBooleanKeys)) {
    const std::string word = lower(cell);
    if (word == "true" || word == "yes" || word == "1") return true;
    if (word == "false" || word == "no" || word == "0") return false;
  } else if (one_of(key, kWholeNumberKeys)) {
    if (!cell.empty() && cell.size() < 19 &&
        cell.find_first_not_of("0123456789") == std::string::npos)
      return std::stoull(cell);
  } else if (key == "max_messages_per_second") {
    char* end = nullptr;
    const double value = std::strtod(cell.c_str(), &end);
    if (!cell.empty() && end == cell.c_str() + cell.size()) return value;
  }
  return cell;
}

// A header cell: a job key (side -1) or an endpoint key of one side.
struct Column {
  std::string header;  // as written
  int side = -1;       // 0 from, 1 to
  std::string key;     // "url" for the bare "from"/"to"; "password" for the secret
};

std::string place(const std::string& origin, std::size_t line, std::size_t column,
                  const std::string& header) {
  std::string text = origin + ": line " + std::to_string(line);
  if (column > 0) text += ", column " + std::to_string(column) + " (" + header + ")";
  return text;
}

std::vector<Column> read_header(const CsvRow& header, const std::string& origin) {
  const auto columns = account_columns();
  std::vector<Column> out;
  for (const auto& field : header) {
    Column c;
    c.header = trimmed(field.text);
    const auto here = place(origin, field.line, field.column, c.header);
    if (c.header.empty()) throw core::UsageError(here + ": the column has no name");
    if (c.header == "map")
      throw core::UsageError(here +
                             ": map is not a column (it is a table of folders); give it in the "
                             "defaults of a job file");
    if (!one_of(c.header, columns)) {
      const std::string best = core::closest_match(c.header, columns);
      throw core::UsageError(here + ": unknown column" +
                             (best.empty() ? std::string(" (columns are job-file keys: name, "
                                                         "from.url, to.url, to.password_file, "
                                                         "only_role, ...; see mailferry-job(5))")
                                           : "; did you mean '" + best + "'?"));
    }
    for (const auto& seen : out)
      if (seen.header == c.header) throw core::UsageError(here + ": the column is there twice");
    const auto dot = c.header.find('.');
    const std::string first = c.header.substr(0, dot);
    if (first == "from" || first == "to") {
      c.side = first == "from" ? 0 : 1;
      c.key = dot == std::string::npos ? "url" : c.header.substr(dot + 1);
    } else {
      c.key = c.header;
    }
    out.push_back(std::move(c));
  }
  return out;
}

// The column that holds `key` of a job-file error ("to.url", "only_role",
// "to"), or none (0) when the key came from the defaults.
std::size_t column_of(const std::string& key, const std::vector<Column>& columns,
                      const CsvRow& row) {
  auto filled = [&](std::size_t i) { return !trimmed(row[i].text).empty(); };
  for (std::size_t i = 0; i < columns.size(); ++i)
    if (columns[i].header == key && filled(i)) return i + 1;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    const auto& c = columns[i];
    if (c.side < 0 || !filled(i)) continue;
    const std::string side = kSides[c.side];
    if (key == side || key == side + "." + c.key) return i + 1;
  }
  return 0;
}

class LineContext {
 public:
  LineContext(const std::string& origin, const std::vector<Column>& columns, const CsvRow& row,
              const std::string& defaults_origin)
      : origin_(origin), columns_(columns), row_(row), defaults_origin_(defaults_origin) {}

  [[noreturn]] void fail(const std::string& key, const std::string& reason) const {
    const auto line = row_.front().line;
    const std::size_t column = key.empty() ? 0 : column_of(key, columns_, row_);
    std::string where = place(origin_, line, column, column ? columns_[column - 1].header : "");
    if (column == 0 && !key.empty())
      where += ": key '" + key + "'" +
               (defaults_origin_.empty() ? "" : " (from the defaults of " + defaults_origin_ + ")");
    // "to.url: 'smtp://a@h': ..." names the column again: once is enough.
    const std::string prefix = key + ": ";
    throw core::UsageError(
        where + ": " +
        (column > 0 && reason.rfind(prefix, 0) == 0 ? reason.substr(prefix.size()) : reason));
  }

 private:
  const std::string& origin_;
  const std::vector<Column>& columns_;
  const CsvRow& row_;
  const std::string& defaults_origin_;
};

Job parse_line(const CsvRow& row, const std::vector<Column>& columns, const json& defaults,
               const std::string& origin, const std::string& defaults_origin) {
  const LineContext ctx(origin, columns, row, defaults_origin);
  json own = json::object();
  json sides[2] = {json::object(), json::object()};
  std::string secrets[2];
  for (std::size_t i = 0; i < columns.size(); ++i) {
    const auto& c = columns[i];
    if (c.key == "password") {
      secrets[c.side] = row[i].text;  // as written: spaces may belong to it
      continue;
    }
    const std::string cell = trimmed(row[i].text);
    if (cell.empty()) continue;
    (c.side < 0 ? own : sides[c.side])[c.key] = cell_value(c.key, cell);
  }

  // The defaults, key by key below the line's own: a line that names its
  // target URL keeps the defaults' to.ca_file; a line that gives a password
  // in any form replaces the defaults' way of giving one.
  json merged = defaults;
  for (int s = 0; s < 2; ++s) {
    const char* side = kSides[s];
    json base = json::object();
    if (defaults.contains(side)) {
      base = defaults.at(side);
      if (base.is_string()) base = json{{"url", base}};
      if (!base.is_object()) ctx.fail(side, "the defaults' value must be an object");
    }
    const bool own_password = !secrets[s].empty() || sides[s].contains("password_file") ||
                              sides[s].contains("password_env") ||
                              sides[s].contains("password_command");
    if (own_password)
      for (const char* key : {"password_file", "password_env", "password_command"}) base.erase(key);
    base.update(sides[s]);
    if (!base.empty()) merged[side] = base;
  }
  merged.update(own);

  const std::string label = "line " + std::to_string(row.front().line);
  Job job;
  try {
    job = parse_job_json(merged, origin, label);
  } catch (const JobKeyError& e) {
    ctx.fail(e.key(), e.reason());
  } catch (const core::UsageError& e) {
    ctx.fail("", e.what());
  }
  for (int s = 0; s < 2; ++s) {
    if (secrets[s].empty()) continue;
    auto& ep = s == 0 ? job.from : job.to;
    const std::string key = std::string(kSides[s]) + ".password";
    if (!ep.password.empty())
      ctx.fail(key, "give only one of password, password_file, password_env and password_command");
    if (ep.oauth2()) ctx.fail(key, "give either a token_command (OAuth2) or a password, not both");
    if (!ep.endpoint.is_network() && ep.endpoint.scheme != Scheme::Pst)
      ctx.fail(key, "only IMAP, POP3 and PST endpoints take a password");
    ep.password.value = core::Secret(secrets[s]);
  }
  if (!merged.contains("name")) job.name = derived_job_name(job);
  return job;
}

std::string account_of(const EndpointConfig& ep) {
  const auto& e = ep.endpoint;
  if (!e.is_network()) return ep.url;  // as written: the same on every machine
  std::string account = e.user;
  account.append("@").append(e.host);
  if (e.port != 0) account.append(":").append(std::to_string(e.port));
  return account;
}

}  // namespace

std::string derived_job_name(const Job& job) {
  return account_of(job.from) + " -> " + account_of(job.to);
}

std::vector<std::string> account_columns() {
  std::vector<std::string> columns;
  for (const auto& key : job_file_keys().job)
    if (key != "map") columns.push_back(key);
  for (const char* side : {"from", "to"}) {
    for (const auto& key : job_file_keys().endpoint)
      columns.push_back(std::string(side) + "." + key);
    columns.push_back(std::string(side) + ".password");
  }
  return columns;
}

namespace {

std::vector<Job> parse_accounts(const std::string& text, const std::string& origin,
                                const json& defaults, bool owner_only,
                                const std::string& defaults_origin) {
  CsvTable table;
  try {
    table = parse_csv(text);
  } catch (const CsvError& e) {
    std::string where = origin + ": line " + std::to_string(e.line());
    if (e.column() > 0) where += ", column " + std::to_string(e.column());
    throw core::UsageError(where + ": " + e.what());
  }
  if (table.rows.empty())
    throw core::UsageError(origin +
                           ": the account list is empty; its first line names the columns "
                           "(name, from.url, to.url, ...)");
  const auto columns = read_header(table.rows.front(), origin);
  for (std::size_t i = 0; i < columns.size(); ++i)
    if (columns[i].key == "password" && !owner_only)
      throw core::UsageError(
          place(origin, table.rows.front()[i].line, i + 1, columns[i].header) +
          ": a password column is allowed only in a file that no one but its owner (you) can "
          "read: chmod 600 " +
          origin + ", or give " + columns[i].header + "_file instead");
  if (std::none_of(columns.begin(), columns.end(),
                   [](const Column& c) { return c.key == "url" && c.side == 1; }) &&
      !defaults.contains("to"))
    throw core::UsageError(place(origin, table.rows.front().front().line, 0, "") +
                           ": no to.url column (nor a \"to\" in the defaults): where does "
                           "the mail go?");

  std::vector<Job> jobs;
  std::map<std::string, std::size_t> lines;  // job name -> its line
  for (std::size_t r = 1; r < table.rows.size(); ++r) {
    const auto& row = table.rows[r];
    if (std::all_of(row.begin(), row.end(),
                    [](const CsvField& f) { return trimmed(f.text).empty(); }))
      continue;  // ";;;;" as spreadsheets leave below the data
    jobs.push_back(parse_line(row, columns, defaults, origin, defaults_origin));
    const auto [at, fresh] = lines.emplace(jobs.back().name, row.front().line);
    if (!fresh)
      throw core::UsageError(place(origin, row.front().line, 0, "") + ": the job name '" +
                             jobs.back().name + "' is already that of line " +
                             std::to_string(at->second) +
                             "; names must be unique (give a name column)");
  }
  if (jobs.empty()) throw core::UsageError(origin + ": the account list holds no account line");
  return jobs;
}

}  // namespace

std::vector<Job> parse_accounts_text(const std::string& text, const std::string& origin,
                                     const json& defaults, bool owner_only) {
  return parse_accounts(text, origin, defaults, owner_only, "");
}

std::vector<Job> load_accounts_file(const std::string& path, const json& defaults,
                                    const std::string& defaults_origin) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    throw core::UsageError(path + ": cannot read the account list: " + std::strerror(errno));
  struct stat st {};
  std::string text;
  bool ok = ::fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode);
  char buffer[65536];
  for (ssize_t n = 0; ok && (n = ::read(fd, buffer, sizeof buffer)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) ok = false;
    if (n > 0) text.append(buffer, static_cast<std::size_t>(n));
  }
  const int error = errno;
  ::close(fd);
  if (!ok)
    throw core::UsageError(path + ": cannot read the account list: " +
                           (S_ISDIR(st.st_mode) ? "is a directory" : std::strerror(error)));
  // The mode of the file read, not of whatever the path names a moment later.
  const bool owner_only = st.st_uid == ::geteuid() && (st.st_mode & 077) == 0;
  return parse_accounts(text, path, defaults, owner_only, defaults_origin);
}

}  // namespace mailferry::job

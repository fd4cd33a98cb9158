// ImapTarget: connection, folders, SELECT/EXAMINE.
// (Indexing and STATUS are in imap_target_index.cpp, APPEND and STORE in
// imap_target_write.cpp.)
#include "mailferry/target/imap_target.hpp"

#include <strings.h>

#include <algorithm>
#include <cctype>

#include "mailferry/core/log.hpp"
#include "mailferry/imap/data.hpp"
#include "mailferry/imap/mutf7.hpp"
#include "mailferry/target/listing_namespace.hpp"
#include "mailferry/target/role_discovery.hpp"
#include "untagged_scope.hpp"

namespace mailferry::target {
namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

std::optional<std::uint32_t> code_number(const imap::Response& r) {
  if (!r.code || r.code->args.empty()) return std::nullopt;
  auto n = r.code->args[0].number();
  if (!n || *n > 0xffffffffu) return std::nullopt;
  return static_cast<std::uint32_t>(*n);
}

}  // namespace

core::ErrorScope ImapTarget::append_refusal_scope(const imap::Response& refusal) {
  if (refusal.has_code("OVERQUOTA") || refusal.has_code("UNAVAILABLE"))
    return core::ErrorScope::Account;
  if (refusal.has_code("TRYCREATE") || refusal.has_code("NONEXISTENT") ||
      refusal.has_code("NOPERM"))
    return core::ErrorScope::Folder;
  return core::ErrorScope::Message;
}

bool ImapTarget::Selected::keyword_allowed(std::string_view keyword) const {
  // No PERMANENTFLAGS: RFC 3501 says every flag sticks. EXAMINE opens read-only
  // and servers then list none, which says nothing about writing: assume yes.
  if (!permanent_flags) return true;
  if (permanent_flags->empty()) return read_only;
  return permanent_flags->count("\\*") != 0 || permanent_flags->count(upper(keyword)) != 0;
}

ImapTarget::ImapTarget(net::ConnectOptions options, Tuning tuning, Connector connect)
    : options_(std::move(options)),
      tuning_(tuning),
      connect_(connect ? std::move(connect) : Connector(&net::Connection::open)) {
  client();
}

ImapTarget::~ImapTarget() {
  if (client_) client_->logout();
}

std::string ImapTarget::describe() const { return options_.display(); }

const imap::Capabilities& ImapTarget::capabilities() { return client().capabilities(); }

imap::Client& ImapTarget::client() {
  if (client_ && client_->usable()) return *client_;
  std::optional<imap::ThrottleHint> parting;  // a BYE that said "throttled"
  if (client_) {
    core::log_info(describe() + ": reconnecting");
    parting = imap::throttle_hint_in_text(client_->goodbye());
  }
  client_.reset();
  selected_.reset();
  if (parting) {
    core::Retry throttled = throttle_count();
    wait_out(*parting, "this account (it ended the session)", throttled);
  }
  imap::Client::Options o;
  o.max_in_flight = tuning_.max_in_flight;
  o.chunk_size = tuning_.chunk_size;
  core::Retry throttled = throttle_count();
  core::Retry reconnects(tuning_.reconnect);
  for (;;) {
    try {
      auto fresh = std::make_unique<imap::Client>(connect_(options_), o);
      fresh->refresh_capabilities();
      client_ = std::move(fresh);
      return *client_;
    } catch (const core::ConnectionError& e) {
      // libcurl does the login and leaves only its error text, which quotes
      // the server's last line: a throttled login is recognised there.
      if (auto hint = imap::throttle_hint_in_text(e.what())) {
        wait_out(*hint, "the login", throttled, true);
        continue;
      }
      if (!reconnect_allowed(reconnects, e, "the login")) throw;
    }
  }
}

imap::Client& ImapTarget::ensure_selected(const std::string& folder, bool writable) {
  client();  // first: a reconnect forgets the selection
  if (!selected_ || selected_->name != folder || (writable && selected_->read_only))
    select(folder, !writable);
  // select() may itself have reconnected (a throttled answer and a BYE).
  return client();
}

bool ImapTarget::reconnect_allowed(core::Retry& reconnects, const core::ConnectionError& error,
                                   const std::string& what, bool progressed) {
  if (!reconnects.allows(error, progressed)) {
    // Given up: an outer loop (the executor's) must not start the count
    // again, so the error goes up as one that trying again cannot help.
    if (reconnects.failures() > 0)
      throw core::ConnectionError(std::string(error.what()) + " (still so after " +
                                      std::to_string(reconnects.failures()) + " more tries)",
                                  false);
    return false;
  }
  core::log_warn(describe() + ": " + what + " failed: " + error.what() + "; trying again in " +
                 imap::describe_wait(reconnects.last_delay()) + " (" + reconnects.tally() + ")");
  reconnects.wait();
  return true;
}

void ImapTarget::abandon_if_busy() noexcept {
  // Commands still out there hold callbacks into frames that are gone; only a
  // new connection is safe.
  if (client_ && !client_->idle()) {
    client_.reset();
    selected_.reset();
  }
}

imap::Command& ImapTarget::add_mailbox(imap::Command& command, const std::string& folder) {
  auto known = wire_names_.find(folder);
  if (known != wire_names_.end()) return command.astring(known->second);
  try {
    return command.mailbox(folder);
  } catch (const imap::Mutf7Error& e) {
    throw core::ServerError(core::ErrorScope::Folder, describe() + ": " + e.what());
  }
}

std::vector<TargetFolder> ImapTarget::list_folders() {
  auto make = [](imap::Client& c) {
    const bool special_use =
        c.capabilities().has("SPECIAL-USE") && c.capabilities().has("LIST-EXTENDED");
    imap::Command command("LIST");
    command.raw("\"\" \"*\"");
    if (special_use) command.raw("RETURN (SPECIAL-USE)");
    return command;
  };
  std::vector<TargetFolder> out;
  const imap::Completion done = run_patiently(
      "the folder list", make,
      [&](imap::Response& r) {
        if (r.keyword != "LIST") return;
        auto list = imap::parse_list(r);
        if (!list) return;
        TargetFolder folder;
        if (iequals(list->name, "INBOX")) {
          folder.name = "INBOX";
        } else {
          try {
            folder.name = imap::mutf7_decode(list->name);
          } catch (const imap::Mutf7Error& e) {
            folder.name = list->name;  // sent back exactly as listed, so it still works
            core::log_warn(describe() + ": " + e.what() + "; using the name as the server sent it");
          }
        }
        wire_names_[folder.name] = folder.name == "INBOX" ? "INBOX" : list->name;
        folder.delimiter = list->delimiter;
        folder.selectable =
            !list->has_attribute("\\Noselect") && !list->has_attribute("\\NonExistent");
        folder.gathers_others = list->has_attribute("\\All") || list->has_attribute("\\Flagged") ||
                                list->has_attribute("\\Important");
        for (const auto& attribute : list->attributes) {
          core::Role role = core::role_from_special_use(attribute);
          if (role != core::Role::None) {
            folder.role = role;
            break;
          }
        }
        if (folder.name == "INBOX") folder.role = core::Role::Inbox;
        out.push_back(std::move(folder));
      },
      [&] { out.clear(); });
  if (!done.ok())
    throw core::ServerError(
        core::ErrorScope::Account,
        describe() + ": the server refused to list folders: " + done.describe());
  TargetNamespace ns;
  if (namespace_ || client().capabilities().has("NAMESPACE")) {
    ns = personal_namespace();
  } else {
    // No NAMESPACE: what the folders imply (saves a LIST "" ""), kept once
    // the listing shows INBOX to learn from.
    ns = namespace_from_listing(out);
    if (std::any_of(out.begin(), out.end(), [](const auto& f) { return f.name == "INBOX"; }))
      namespace_ = ns;
  }
  for (const auto& note : assign_roles_by_name(out, ns)) core::log_info(describe() + ": " + note);
  return out;
}

bool ImapTarget::folder_exists(const std::string& folder) {
  bool found = false;
  run_patiently(
      "the listing of folder " + folder,
      [&](imap::Client&) {
        imap::Command command("LIST");
        command.raw("\"\"");
        add_mailbox(command, folder);
        return command;
      },
      [&](imap::Response& r) {
        auto list = imap::parse_list(r);
        if (list && !list->has_attribute("\\NonExistent")) found = true;
      },
      [&] { found = false; });
  return found;
}

void ImapTarget::create_folder(const std::string& name, core::Role role) {
  if (created_.count(name) != 0) return;
  const std::string_view attribute = core::special_use_attribute(role);
  auto create = [&](bool with_use) {
    return run_patiently("the creation of folder " + name, [&](imap::Client&) {
      imap::Command command("CREATE");
      add_mailbox(command, name);
      if (with_use) command.raw("(USE (" + std::string(attribute) + "))");
      return command;
    });
  };
  bool use = !attribute.empty() && client().capabilities().has("CREATE-SPECIAL-USE");
  imap::Completion done = create(use);
  if (!done.ok() && use && done.response.has_code("USEATTR")) {
    core::log_info(describe() + ": the server would not mark " + name + " as " +
                   std::string(attribute) + "; creating it unmarked");
    done = create(false);
  }
  if (!done.ok() && !done.response.has_code("ALREADYEXISTS") && !folder_exists(name))
    throw core::ServerError(core::ErrorScope::Folder,
                            describe() + ": cannot create folder " + name + ": " + done.describe());
  imap::Completion subscribed =
      run_patiently("the subscription of folder " + name, [&](imap::Client&) {
        imap::Command subscribe("SUBSCRIBE");
        add_mailbox(subscribe, name);
        return subscribe;
      });
  if (!subscribed.ok())
    core::log_warn(describe() + ": could not subscribe " + name + ": " + subscribed.describe());
  created_.insert(name);
}

const ImapTarget::Selected& ImapTarget::select(const std::string& folder, bool read_only) {
  Selected s;
  auto make = [&](imap::Client& c) {
    imap::Command command(read_only ? "EXAMINE" : "SELECT");
    add_mailbox(command, folder);
    // CONDSTORE: HIGHESTMODSEQ tells a later run whether any flag changed.
    if (c.capabilities().has("CONDSTORE")) command.raw("(CONDSTORE)");
    return command;
  };
  auto restart = [&] {
    s = Selected{};
    s.name = folder;
    s.read_only = read_only;
  };
  restart();
  selected_.reset();
  const imap::Completion done = run_patiently(
      "the opening of folder " + folder, make,
      [&](imap::Response& r) {
        if (r.keyword == "EXISTS" && r.number) {
          s.snapshot.messages = *r.number;
        } else if (r.keyword == "FLAGS" && !r.data.empty() && r.data[0].is_list()) {
          for (const auto& f : r.data[0].items) s.flags.insert(upper(f.text));
        } else if (r.status == imap::Status::Ok && r.code) {
          if (r.has_code("UIDVALIDITY")) {
            s.snapshot.uidvalidity = code_number(r).value_or(0);
          } else if (r.has_code("UIDNEXT")) {
            s.snapshot.uidnext = code_number(r).value_or(0);
          } else if (r.has_code("HIGHESTMODSEQ") && !r.code->args.empty()) {
            s.snapshot.highest_modseq = r.code->args[0].number().value_or(0);
          } else if (r.has_code("PERMANENTFLAGS") && !r.code->args.empty() &&
                     r.code->args[0].is_list()) {
            s.permanent_flags.emplace();
            for (const auto& f : r.code->args[0].items) s.permanent_flags->insert(upper(f.text));
          }
        }
      },
      restart);
  if (!done.ok())
    throw core::ServerError(core::ErrorScope::Folder,
                            describe() + ": cannot open folder " + folder + ": " + done.describe());
  s.snapshot.keywords_allowed = s.keyword_allowed("$Forwarded") && s.keyword_allowed("$MDNSent");
  selected_ = std::move(s);
  return *selected_;
}

}  // namespace mailferry::target

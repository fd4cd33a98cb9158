// ImapTarget: the personal namespace (RFC 2342) and its delimiter.
#include "mailferry/core/log.hpp"
#include "mailferry/imap/data.hpp"
#include "mailferry/imap/mutf7.hpp"
#include "mailferry/target/imap_target.hpp"
#include "mailferry/target/listing_namespace.hpp"

namespace mailferry::target {
namespace {

// "\"/\"" or NIL as a delimiter value.
char delimiter_of(const imap::Value& v) {
  if (v.is_nil() || v.text.empty()) return '\0';
  return v.text[0];
}

// The first personal namespace of "* NAMESPACE (("INBOX." ".")) NIL NIL".
std::optional<TargetNamespace> parse_namespace(const imap::Response& r, const std::string& who) {
  if (r.keyword != "NAMESPACE" || r.data.empty() || !r.data[0].is_list()) return std::nullopt;
  const auto& personal = r.data[0].items;
  if (personal.empty() || !personal[0].is_list() || personal[0].items.size() < 2)
    return std::nullopt;
  const auto& entry = personal[0].items;
  if (!entry[0].is_string_like()) return std::nullopt;
  TargetNamespace ns;
  ns.delimiter = delimiter_of(entry[1]);
  try {
    ns.prefix = imap::mutf7_decode(entry[0].text);
  } catch (const imap::Mutf7Error& e) {
    core::log_warn(who + ": namespace prefix: " + e.what());
    ns.prefix = entry[0].text;
  }
  return ns;
}

}  // namespace

TargetNamespace ImapTarget::personal_namespace() {
  if (namespace_) return *namespace_;
  TargetNamespace ns;
  bool found = false;
  auto restart = [&] {
    ns = TargetNamespace{};
    found = false;
  };
  if (client().capabilities().has("NAMESPACE")) {
    run_patiently(
        "the namespace query", [](imap::Client&) { return imap::Command("NAMESPACE"); },
        [&](imap::Response& r) {
          if (auto parsed = parse_namespace(r, describe()); parsed && !found) {
            ns = *parsed;
            found = true;
          }
        },
        restart);
  }
  if (!found && !client().capabilities().has("NAMESPACE")) {
    list_folders();  // infers it from the folders the account holds
    if (namespace_) return *namespace_;
  }
  if (!found) {
    // No namespace and no INBOX to learn from: the delimiter of the root,
    // as RFC 3501 6.3.8 has it, and the prefix unknown.
    run_patiently(
        "the listing of the root",
        [](imap::Client&) {
          imap::Command list("LIST");
          list.raw("\"\" \"\"");
          return list;
        },
        [&](imap::Response& r) {
          if (r.keyword != "LIST") return;
          if (auto l = imap::parse_list(r); l && !found) {
            ns.delimiter = l->delimiter;
            found = true;
          }
        },
        restart);
    ns.certain = false;
  }
  if (!found) {
    core::log_info(describe() + ": the server names no hierarchy delimiter; assuming '/'");
    ns.delimiter = '/';
  }
  namespace_ = ns;
  return ns;
}

std::optional<TargetNamespace> ImapTarget::namespace_after_refusal(const std::string& name) {
  const TargetNamespace ns = personal_namespace();
  const std::string below_inbox = std::string("INBOX") + ns.delimiter;
  if (ns.certain || ns.delimiter == '\0' || name == "INBOX" || name.rfind(below_inbox, 0) == 0)
    return std::nullopt;
  namespace_ = TargetNamespace{below_inbox, ns.delimiter, true};
  core::log_info(describe() + ": the server keeps new folders below INBOX (it refused " + name +
                 " beside it)");
  return namespace_;
}

}  // namespace mailferry::target

#include <libpst/libpst.h>
#include <libpst/timeconv.h>
#include <strings.h>

#include <algorithm>

#include "mailferry/pst/compressed_rtf.hpp"
#include "mailferry/pst/message.hpp"
#include "mailferry/pst/pst_file.hpp"
#include "mailferry/pst/rtf_body.hpp"
#include "mailferry/pst/text.hpp"

namespace mailferry::pst {
namespace {

// MAPI property ids ([MS-OXPROPS]) that libpst does not parse into pst_item.
constexpr std::uint16_t kPropSentRepresentingName = 0x0042;
constexpr std::uint16_t kPropSentRepresentingAddrType = 0x0064;
constexpr std::uint16_t kPropSentRepresentingAddress = 0x0065;
constexpr std::uint16_t kPropSenderName = 0x0C1A;
constexpr std::uint16_t kPropSenderAddrType = 0x0C1E;
constexpr std::uint16_t kPropSenderAddress = 0x0C1F;
constexpr std::uint16_t kPropSenderSmtp = 0x5D01;
constexpr std::uint16_t kPropSentRepresentingSmtp = 0x5D02;
constexpr std::uint16_t kPropDisplayBcc = 0x0E02;
constexpr std::uint16_t kPropDisplayCc = 0x0E03;
constexpr std::uint16_t kPropDisplayTo = 0x0E04;
constexpr std::uint16_t kPropMsgStatus = 0x0E17;
constexpr std::uint16_t kPropHtml = 0x1013;
constexpr std::uint16_t kPropInternetReferences = 0x1039;
constexpr std::uint16_t kPropIconIndex = 0x1080;
constexpr std::uint16_t kPropLastVerbExecuted = 0x1081;
constexpr std::uint16_t kPropFlagStatus = 0x1090;
constexpr std::uint16_t kPropLocaleId = 0x3FF1;
// Recipient table columns.
constexpr std::uint16_t kPropRecipientType = 0x0C15;
constexpr std::uint16_t kPropDisplayName = 0x3001;
constexpr std::uint16_t kPropAddrType = 0x3002;
constexpr std::uint16_t kPropEmailAddress = 0x3003;
constexpr std::uint16_t kPropSmtpAddress = 0x39FE;
constexpr std::uint16_t kPropRecipientDisplayName = 0x5FF6;
constexpr std::uint32_t kNidRecipientTable = 0x692;

constexpr int kMaxEmbeddingDepth = 64;

// Subnode values worth reading in full; the rest (bodies libpst already
// decoded, attachment data) are only checked to exist.
const std::vector<std::uint16_t> kLargeProps{kPropHtml, kPropInternetReferences, kPropDisplayTo,
                                             kPropDisplayCc, kPropDisplayBcc};

std::string lf(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r') {
      out += '\n';
      if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::optional<std::time_t> filetime(const FILETIME* ft) {
  if (!ft || (ft->dwLowDateTime == 0 && ft->dwHighDateTime == 0)) return std::nullopt;
  return pst_fileTimeToUnixTime(ft);
}

std::string trim(std::string s) {
  const char* ws = " \t\r\n";
  s.erase(0, s.find_first_not_of(ws));
  s.erase(s.find_last_not_of(ws) + 1);
  return s;
}

bool looks_like_smtp(const std::string& address) {
  return address.find('@') != std::string::npos && address.find('/') == std::string::npos &&
         address.find(' ') == std::string::npos;
}

struct Reader {
  const PstFile& file;
  int codepage = 1252;  // for 8-bit strings of this message
  const PropertyMap& props;

  std::string str(std::uint16_t id) const {
    auto it = props.find(id);
    if (it == props.end()) return {};
    return trim(it->second.as_utf8(codepage).value_or(""));
  }
  std::int32_t int32(std::uint16_t id, std::int32_t fallback) const {
    auto it = props.find(id);
    if (it == props.end()) return fallback;
    return it->second.as_int32().value_or(fallback);
  }

  static Mailbox mailbox(std::string name, const std::string& addrtype, std::string address,
                         const std::string& smtp) {
    Mailbox m;
    if (!smtp.empty())
      m.address = smtp;
    else
      m.address = std::move(address);  // SMTP, or an Exchange DN the PST cannot resolve
    (void)addrtype;
    // Outlook shows a bare address as the name, sometimes in single quotes.
    std::string bare = name;
    if (bare.size() >= 2 && bare.front() == '\'' && bare.back() == '\'')
      bare = bare.substr(1, bare.size() - 2);
    if (strcasecmp(bare.c_str(), m.address.c_str()) == 0) name.clear();
    m.name = std::move(name);
    return m;
  }

  std::optional<Mailbox> party(std::uint16_t name_id, std::uint16_t type_id, std::uint16_t addr_id,
                               std::uint16_t smtp_id) const {
    std::string name = str(name_id), type = str(type_id), addr = str(addr_id), smtp = str(smtp_id);
    if (smtp.empty() && strcasecmp(type.c_str(), "SMTP") == 0) smtp = addr;
    if (smtp.empty() && looks_like_smtp(addr)) smtp = addr;
    if (name.empty() && addr.empty() && smtp.empty()) return std::nullopt;
    return mailbox(name, type, addr, smtp);
  }

  // Recipients from the recipient table; false if the table cannot be read.
  bool recipients(const std::vector<Subnode>& subnodes, Message& m) const {
    const Subnode* table = nullptr;
    for (const Subnode& s : subnodes)
      if (s.nid == kNidRecipientTable) table = &s;
    if (!table) return false;
    std::vector<PropertyMap> rows;
    try {
      rows = file.reader().table(table->data_bid, table->children);
    } catch (const FormatError& e) {
      m.problems.push_back(std::string("recipient table unreadable: ") + e.what());
      return false;
    }
    for (const PropertyMap& row : rows) {
      Reader r{file, codepage, row};
      std::string name = r.str(kPropDisplayName);
      if (name.empty()) name = r.str(kPropRecipientDisplayName);
      std::string type = r.str(kPropAddrType), addr = r.str(kPropEmailAddress);
      std::string smtp = r.str(kPropSmtpAddress);
      if (smtp.empty() && (strcasecmp(type.c_str(), "SMTP") == 0 || looks_like_smtp(addr)))
        smtp = addr;
      if (name.empty() && addr.empty() && smtp.empty()) continue;
      Mailbox box = mailbox(name, type, addr, smtp);
      // Low bits: MAPI_TO 1, MAPI_CC 2, MAPI_BCC 3; high bits are status flags.
      switch (r.int32(kPropRecipientType, 1) & 0xF) {
        case 2:
          m.cc.push_back(std::move(box));
          break;
        case 3:
          m.bcc.push_back(std::move(box));
          break;
        default:
          m.to.push_back(std::move(box));
      }
    }
    return true;
  }

  // Without a recipient table only the display strings ("A; B") remain.
  std::vector<Mailbox> display_list(std::uint16_t id) const {
    std::vector<Mailbox> out;
    std::string all = str(id);
    std::size_t start = 0;
    while (start <= all.size()) {
      std::size_t end = all.find(';', start);
      if (end == std::string::npos) end = all.size();
      std::string entry = trim(all.substr(start, end - start));
      if (entry.size() >= 2 && entry.front() == '\'' && entry.back() == '\'')
        entry = entry.substr(1, entry.size() - 2);
      if (!entry.empty()) {
        Mailbox box;
        (looks_like_smtp(entry) ? box.address : box.name) = entry;
        out.push_back(std::move(box));
      }
      start = end + 1;
    }
    return out;
  }
};

int message_codepage(const PstFile& file, const pst_item& item, const PropertyMap& props) {
  if (item.message_codepage > 0 && item.message_codepage != 1200 &&
      !charset_for_codepage(item.message_codepage).empty())
    return item.message_codepage;
  if (auto it = props.find(kPropLocaleId); it != props.end())
    if (auto lcid = it->second.as_int32(); lcid && *lcid > 0)
      return codepage_for_locale(static_cast<std::uint32_t>(*lcid));
  return file.ansi_codepage();
}

std::string html_charset(const pst_item& item, const std::string& html, int codepage) {
  if (item.internet_cpid > 0) {
    std::string name = mime_charset_for_codepage(item.internet_cpid);
    if (!name.empty()) return name;
  }
  if (is_valid_utf8(html)) return "utf-8";
  std::string name = mime_charset_for_codepage(codepage);
  return name.empty() ? "windows-1252" : name;
}

void read_into(const PstFile& file, pst_item& item, const PropertyMap& props,
               const std::vector<Subnode>& subnodes, int depth, Message& m);

void read_attachments(const PstFile& file, pst_item& item, int cp, int depth, Message& m) {
  // libpst prepends as it parses, so the list runs from the last row to the first.
  std::vector<pst_item_attach*> list;
  for (pst_item_attach* a = item.attach; a; a = a->next) list.push_back(a);
  std::reverse(list.begin(), list.end());

  for (pst_item_attach* a : list) {
    const bool has_data =
        a->data.data || (a->i_id != 0 && a->i_id != static_cast<std::uint64_t>(-1));
    // Method 0 without data: libpst's placeholders for recipient rows.
    if (a->method == PST_ATTACH_NONE && !has_data) continue;
    // By-reference attachments point at files outside the PST.
    if (a->method == PST_ATTACH_BY_REF || a->method == PST_ATTACH_BY_REF_RESOLV ||
        a->method == PST_ATTACH_BY_REF_ONLY)
      continue;

    Attachment att;
    att.filename = trim(decode(a->filename2.str ? a->filename2 : a->filename1, cp));
    att.mime_type = trim(decode(a->mimetype, cp));
    att.content_id = trim(decode(a->content_id, cp));
    if (att.content_id.size() >= 2 && att.content_id.front() == '<' && att.content_id.back() == '>')
      att.content_id = att.content_id.substr(1, att.content_id.size() - 2);
    const std::string label =
        att.filename.empty() ? "unnamed attachment" : "\"" + att.filename + "\"";

    if (a->method == PST_ATTACH_EMBEDDED) {
      if (depth >= kMaxEmbeddingDepth) {
        m.problems.push_back("embedded message " + label + " nested too deep; left out");
        continue;
      }
      ItemPtr inner = file.parse_embedded(*a);
      if (!inner) {
        m.problems.push_back("embedded message " + label + " cannot be parsed; left out");
        continue;
      }
      auto embedded = std::make_unique<Message>();
      try {
        std::vector<Subnode> inner_subnodes = NodeReader::subnodes(a->id2_head);
        PropertyMap inner_props = file.reader().properties(a->i_id, inner_subnodes, &kLargeProps);
        read_into(file, *inner, inner_props, inner_subnodes, depth + 1, *embedded);
      } catch (const FormatError& e) {
        // libpst parsed it; build from what libpst has.
        read_into(file, *inner, {}, {}, depth + 1, *embedded);
        embedded->problems.push_back(std::string("extra properties unreadable: ") + e.what());
      }
      for (const std::string& p : embedded->problems)
        m.problems.push_back("in embedded message " + label + ": " + p);
      att.message = std::move(embedded);
    } else {
      att.data = file.attachment_bytes(*a);
      if (att.data.empty() && has_data && a->i_id != 0 && !a->data.data)
        m.problems.push_back("attachment " + label + " has no readable data");
    }
    m.attachments.push_back(std::move(att));
  }
}

void read_into(const PstFile& file, pst_item& item, const PropertyMap& props,
               const std::vector<Subnode>& subnodes, int depth, Message& m) {
  const int cp = message_codepage(file, item, props);
  Reader r{file, cp, props};

  m.message_class = item.ascii_type ? item.ascii_type : "";
  m.subject = trim(decode(item.subject, cp));
  m.text = lf(decode(item.body, cp));
  m.flags = item.flags;
  m.creation_time = filetime(item.create_date);
  m.modification_time = filetime(item.modify_date);

  if (const pst_item_email* e = item.email) {
    m.transport_headers = lf(decode(e->header, cp));
    m.message_id = trim(decode(e->messageid, cp));
    m.in_reply_to = trim(decode(e->in_reply_to, cp));
    m.submit_time = filetime(e->sent_date);
    m.delivery_time = filetime(e->arrival_date);
    m.read_receipt_requested = e->read_receipt != 0;
    if (e->rtf_compressed.data)
      m.rtf = decompress_rtf({e->rtf_compressed.data, e->rtf_compressed.size}).value_or("");
    // The exact bytes of PR_HTML (libpst's copy stops at the first NUL).
    std::string html;
    bool html_is_utf8 = false;
    auto it = props.find(kPropHtml);
    if (it != props.end() && it->second.type == kPtBinary && !it->second.bytes.empty()) {
      html = it->second.bytes;
    } else if (it != props.end() && it->second.type == kPtUnicode) {
      html = utf16le_to_utf8(it->second.bytes);
      html_is_utf8 = true;
    } else if (e->htmlbody.str) {
      html_is_utf8 = e->htmlbody.is_utf8;
      html = html_is_utf8 ? decode(e->htmlbody, cp) : std::string(e->htmlbody.str);
    }
    if (!html.empty()) {
      m.html_charset = html_is_utf8 ? "utf-8" : html_charset(item, html, cp);
      if (m.html_charset == "utf-16le" || m.html_charset == "utf-16be") {
        html = to_utf8(html, m.html_charset == "utf-16le" ? "UTF-16LE" : "UTF-16BE");
        m.html_charset = "utf-8";
      }
      m.html = lf(html);
    }
    if (!m.rtf.empty()) {
      // Encapsulated HTML or text becomes the body the PST lacks; native RTF
      // stays (as an attachment) only when there is no HTML rendering.
      if (std::optional<UnwrappedBody> body = unwrap_rtf_body(m.rtf)) {
        if (body->html && m.html.empty()) {
          m.html = lf(body->utf8);
          m.html_charset = "utf-8";
        } else if (!body->html && m.text.empty()) {
          m.text = lf(body->utf8);
        }
        m.rtf.clear();
      } else if (!m.html.empty()) {
        m.rtf.clear();
      }
    }
  }

  m.references = r.str(kPropInternetReferences);
  m.last_verb = r.int32(kPropLastVerbExecuted, 0);
  m.icon_index = r.int32(kPropIconIndex, -1);
  m.flag_status = r.int32(kPropFlagStatus, 0);
  m.msg_status = r.int32(kPropMsgStatus, 0);

  m.from = r.party(kPropSentRepresentingName, kPropSentRepresentingAddrType,
                   kPropSentRepresentingAddress, kPropSentRepresentingSmtp);
  std::optional<Mailbox> sender =
      r.party(kPropSenderName, kPropSenderAddrType, kPropSenderAddress, kPropSenderSmtp);
  if (!m.from) {
    m.from = sender;
  } else if (sender && strcasecmp(sender->address.c_str(), m.from->address.c_str()) != 0) {
    m.sender = sender;
  }
  if (!r.recipients(subnodes, m)) {
    m.to = r.display_list(kPropDisplayTo);
    m.cc = r.display_list(kPropDisplayCc);
    m.bcc = r.display_list(kPropDisplayBcc);
  }
  read_attachments(file, item, cp, depth, m);
}

}  // namespace

Message read_message(const PstFile& file, pst_desc_tree* node) {
  if (!node || !node->desc) throw ItemError("the item has no data");
  std::vector<Subnode> subnodes;
  PropertyMap props;
  try {
    subnodes = file.subnodes(node);
    check_message_node(file.reader(), node->desc->i_id, subnodes);
    props = file.reader().properties(node->desc->i_id, subnodes, &kLargeProps);
  } catch (const FormatError& e) {
    // libpst would read the same damaged structures without bounds checks.
    throw ItemError(std::string("the item is damaged: ") + e.what());
  }
  ItemPtr item = file.parse(node);
  if (!item) throw ItemError("libpst cannot parse this item");
  Message m;
  read_into(file, *item, props, subnodes, 0, m);
  return m;
}

}  // namespace mailferry::pst

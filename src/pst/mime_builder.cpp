#include "mailferry/pst/mime_builder.hpp"

#include <gmime/gmime.h>
#include <strings.h>

#include <cctype>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "mailferry/pst/transport_headers.hpp"

namespace mailferry::pst {
namespace {

struct GObjectUnref {
  void operator()(gpointer p) const {
    if (p) g_object_unref(p);
  }
};
template <typename T>
using GPtr = std::unique_ptr<T, GObjectUnref>;

struct GFree {
  void operator()(gpointer p) const { g_free(p); }
};

void init_gmime() {
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
}

std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

// Header values come from item properties; control characters would break
// the header syntax.
std::string header_safe(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = ' ';
  return out;
}

std::string strip_brackets(std::string s) {
  if (s.size() >= 2 && s.front() == '<' && s.back() == '>') s = s.substr(1, s.size() - 2);
  return s;
}

bool contains_nocase(std::string_view hay, std::string_view needle) {
  if (needle.empty() || needle.size() > hay.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= hay.size(); ++i)
    if (strncasecmp(hay.data() + i, needle.data(), needle.size()) == 0) return true;
  return false;
}

bool has_8bit(std::string_view s) {
  for (unsigned char c : s)
    if (c >= 0x80) return true;
  return false;
}

std::string to_string(GMimeObject* object) {
  GMimeFormatOptions* options = g_mime_format_options_get_default();
  std::unique_ptr<char, GFree> text(g_mime_object_to_string(object, options));
  return text ? std::string(text.get()) : std::string();
}

// The type of an attachment the PST stored without one, from its extension
// (a fixed table, so the bytes never depend on the machine's MIME database).
std::string type_for_filename(const std::string& filename) {
  static const std::map<std::string, std::string> types{
      {"bmp", "image/bmp"},
      {"csv", "text/csv"},
      {"doc", "application/msword"},
      {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
      {"eml", "message/rfc822"},
      {"gif", "image/gif"},
      {"gz", "application/gzip"},
      {"htm", "text/html"},
      {"html", "text/html"},
      {"ics", "text/calendar"},
      {"jpeg", "image/jpeg"},
      {"jpg", "image/jpeg"},
      {"pdf", "application/pdf"},
      {"png", "image/png"},
      {"ppt", "application/vnd.ms-powerpoint"},
      {"pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
      {"rtf", "application/rtf"},
      {"tif", "image/tiff"},
      {"tiff", "image/tiff"},
      {"txt", "text/plain"},
      {"vcf", "text/vcard"},
      {"xls", "application/vnd.ms-excel"},
      {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
      {"xml", "application/xml"},
      {"zip", "application/zip"},
  };
  std::size_t dot = filename.rfind('.');
  if (dot == std::string::npos) return {};
  std::string ext = filename.substr(dot + 1);
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto it = types.find(ext);
  // message/rfc822 bytes must stay as they are; a stored .eml file is just data.
  return it == types.end() || it->second == "message/rfc822" ? std::string() : it->second;
}

GMimeDataWrapper* wrap(std::string_view bytes) {
  GPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(bytes.data(), bytes.size()));
  return g_mime_data_wrapper_new_with_stream(stream.get(), GMIME_CONTENT_ENCODING_DEFAULT);
}

void add_mailboxes(GMimeMessage* message, GMimeAddressType type,
                   const std::vector<Mailbox>& boxes) {
  InternetAddressList* list = g_mime_message_get_addresses(message, type);
  for (const Mailbox& box : boxes) {
    std::string name = header_safe(box.name), address = header_safe(box.address);
    // Without an SMTP address (none stored, or an Exchange DN the PST could
    // not resolve) only the name can be given: as a named, empty group.
    const bool smtp = address.find('@') != std::string::npos &&
                      address.find_first_of(" \t/") == std::string::npos;
    if (!smtp) {
      if (name.empty()) name = address;
      address.clear();
    }
    GPtr<InternetAddress> ia(
        address.empty()
            ? internet_address_group_new(name.c_str())
            : internet_address_mailbox_new(name.empty() ? nullptr : name.c_str(), address.c_str()));
    internet_address_set_charset(ia.get(), "utf-8");
    internet_address_list_add(list, ia.get());
  }
}

class Builder {
 public:
  explicit Builder(std::string seed) : seed_(std::move(seed)), hash_(fnv1a(seed_)) {}

  // The message with LF line ends.
  std::string build(const Message& m) {
    GPtr<GMimeObject> body = make_body(m);
    std::string out;
    CleanHeaders kept;
    if (!m.transport_headers.empty()) kept = clean_transport_headers(m.transport_headers);
    out += kept.block;
    out += synthesized_headers(m, kept);
    out += "MIME-Version: 1.0\n";
    out += to_string(body.get());
    return out;
  }

 private:
  std::string next_boundary() {
    char buf[64];
    std::snprintf(buf, sizeof buf, "=_mf_%016llx_%d", static_cast<unsigned long long>(hash_),
                  ++boundaries_);
    return buf;
  }

  // The fields the kept transport headers lack (all of them for a message
  // that never travelled), formatted and encoded by GMime.
  std::string synthesized_headers(const Message& m, const CleanHeaders& kept) {
    const bool travelled = !kept.block.empty();
    auto missing = [&](const char* name) { return kept.present.count(name) == 0; };
    GPtr<GMimeMessage> h(g_mime_message_new(FALSE));
    GMimeObject* obj = GMIME_OBJECT(h.get());

    std::optional<std::time_t> date = m.submit_time;
    if (!date) date = m.delivery_time;
    if (!date) date = m.modification_time;
    if (!date) date = m.creation_time;
    if (date && missing("date")) {
      GDateTime* dt = g_date_time_new_from_unix_utc(static_cast<gint64>(*date));
      if (dt) {
        g_mime_message_set_date(h.get(), dt);
        g_date_time_unref(dt);
      }
    }
    if (m.from && missing("from")) {
      add_mailboxes(h.get(), GMIME_ADDRESS_TYPE_FROM, {*m.from});
      if (m.sender && missing("sender"))
        add_mailboxes(h.get(), GMIME_ADDRESS_TYPE_SENDER, {*m.sender});
    }
    if (missing("subject"))
      g_mime_message_set_subject(h.get(), header_safe(m.subject).c_str(), "utf-8");
    if (!m.to.empty() && missing("to")) add_mailboxes(h.get(), GMIME_ADDRESS_TYPE_TO, m.to);
    if (!m.cc.empty() && missing("cc")) add_mailboxes(h.get(), GMIME_ADDRESS_TYPE_CC, m.cc);
    // A received message's Bcc is not the recipient's to know; a sent one's is.
    if (!travelled && !m.bcc.empty()) add_mailboxes(h.get(), GMIME_ADDRESS_TYPE_BCC, m.bcc);
    if (!m.message_id.empty() && missing("message-id"))
      g_mime_message_set_message_id(h.get(), header_safe(strip_brackets(m.message_id)).c_str());
    if (!m.in_reply_to.empty() && missing("in-reply-to"))
      g_mime_object_set_header(obj, "In-Reply-To", header_safe(m.in_reply_to).c_str(), "utf-8");
    if (!m.references.empty() && missing("references"))
      g_mime_object_set_header(obj, "References", header_safe(m.references).c_str(), "utf-8");

    std::unique_ptr<char, GFree> text(
        g_mime_object_get_headers(obj, g_mime_format_options_get_default()));
    return text ? std::string(text.get()) : std::string();
  }

  GPtr<GMimeObject> text_part(const char* subtype, std::string_view bytes,
                              const std::string& charset) {
    GPtr<GMimePart> part(g_mime_part_new_with_type("text", subtype));
    GPtr<GMimeDataWrapper> content(wrap(bytes));
    g_mime_part_set_content(part.get(), content.get());
    g_mime_object_set_content_type_parameter(GMIME_OBJECT(part.get()), "charset", charset.c_str());
    GMimeContentEncoding enc =
        g_mime_part_get_best_content_encoding(part.get(), GMIME_ENCODING_CONSTRAINT_7BIT);
    // Never 7bit: quoted-printable guarantees no line can look like a boundary.
    if (enc != GMIME_CONTENT_ENCODING_BASE64) enc = GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE;
    g_mime_part_set_content_encoding(part.get(), enc);
    return GPtr<GMimeObject>(GMIME_OBJECT(part.release()));
  }

  GPtr<GMimeObject> attachment_part(const Attachment& a, bool inline_part, std::size_t index) {
    GPtr<GMimePart> part;
    if (a.message) {
      // Built by a builder of its own so its boundaries differ from ours.
      std::string bytes = Builder(seed_ + "/" + std::to_string(index)).build(*a.message);
      part.reset(g_mime_part_new_with_type("message", "rfc822"));
      GPtr<GMimeDataWrapper> content(wrap(bytes));
      g_mime_part_set_content(part.get(), content.get());
      g_mime_part_set_content_encoding(
          part.get(), has_8bit(bytes) ? GMIME_CONTENT_ENCODING_8BIT : GMIME_CONTENT_ENCODING_7BIT);
    } else {
      const std::string declared =
          a.mime_type.empty() ? type_for_filename(a.filename) : a.mime_type;
      GPtr<GMimeContentType> type(
          declared.empty() ? nullptr : g_mime_content_type_parse(nullptr, declared.c_str()));
      const char* media = type ? g_mime_content_type_get_media_type(type.get()) : nullptr;
      const char* sub = type ? g_mime_content_type_get_media_subtype(type.get()) : nullptr;
      if (!media || !sub || !*media || !*sub || g_ascii_strcasecmp(media, "multipart") == 0 ||
          g_ascii_strcasecmp(media, "message") == 0) {
        media = "application";
        sub = "octet-stream";
      }
      part.reset(g_mime_part_new_with_type(media, sub));
      GPtr<GMimeDataWrapper> content(wrap(a.data));
      g_mime_part_set_content(part.get(), content.get());
      g_mime_part_set_content_encoding(part.get(), GMIME_CONTENT_ENCODING_BASE64);
      if (!a.content_id.empty())
        g_mime_part_set_content_id(part.get(), header_safe(a.content_id).c_str());
    }
    g_mime_object_set_disposition(GMIME_OBJECT(part.get()), inline_part
                                                                ? GMIME_DISPOSITION_INLINE
                                                                : GMIME_DISPOSITION_ATTACHMENT);
    if (!a.filename.empty()) g_mime_part_set_filename(part.get(), header_safe(a.filename).c_str());
    return GPtr<GMimeObject>(GMIME_OBJECT(part.release()));
  }

  GPtr<GMimeObject> multipart(const char* subtype, std::vector<GPtr<GMimeObject>> parts) {
    GPtr<GMimeMultipart> mp(g_mime_multipart_new_with_subtype(subtype));
    g_mime_multipart_set_boundary(mp.get(), next_boundary().c_str());
    for (auto& p : parts) g_mime_multipart_add(mp.get(), p.get());
    return GPtr<GMimeObject>(GMIME_OBJECT(mp.release()));
  }

  GPtr<GMimeObject> make_body(const Message& m) {
    GPtr<GMimeObject> plain, html;
    if (!m.text.empty() || m.html.empty()) plain = text_part("plain", m.text, "utf-8");
    if (!m.html.empty()) html = text_part("html", m.html, m.html_charset);

    GPtr<GMimeObject> core;
    if (plain && html) {
      std::vector<GPtr<GMimeObject>> alt;
      alt.push_back(std::move(plain));
      alt.push_back(std::move(html));
      core = multipart("alternative", std::move(alt));
    } else {
      core = plain ? std::move(plain) : std::move(html);
    }

    // Parts the HTML shows by Content-ID go with it; the rest are attachments.
    std::vector<std::size_t> inline_parts, attached;
    for (std::size_t i = 0; i < m.attachments.size(); ++i) {
      const Attachment& a = m.attachments[i];
      const bool shown = !m.html.empty() && !a.message && !a.content_id.empty() &&
                         contains_nocase(m.html, "cid:" + a.content_id);
      (shown ? inline_parts : attached).push_back(i);
    }
    if (!inline_parts.empty()) {
      std::string root_type = to_type(core.get());
      std::vector<GPtr<GMimeObject>> related;
      related.push_back(std::move(core));
      for (std::size_t i : inline_parts)
        related.push_back(attachment_part(m.attachments[i], true, i));
      core = multipart("related", std::move(related));
      g_mime_object_set_content_type_parameter(core.get(), "type", root_type.c_str());
    }

    std::vector<GPtr<GMimeObject>> mixed;
    for (std::size_t i : attached) mixed.push_back(attachment_part(m.attachments[i], false, i));
    if (!m.rtf.empty()) {
      Attachment rtf;
      rtf.filename = "body.rtf";
      rtf.mime_type = "application/rtf";
      rtf.data = m.rtf;
      mixed.push_back(attachment_part(rtf, false, m.attachments.size()));
    }
    if (mixed.empty()) return core;
    mixed.insert(mixed.begin(), std::move(core));
    return multipart("mixed", std::move(mixed));
  }

  static std::string to_type(GMimeObject* object) {
    GMimeContentType* type = g_mime_object_get_content_type(object);
    std::unique_ptr<char, GFree> mime(g_mime_content_type_get_mime_type(type));
    return mime ? std::string(mime.get()) : std::string("text/plain");
  }

  std::string seed_;
  std::uint64_t hash_;
  int boundaries_ = 0;
};

std::string to_crlf(std::string_view lf) {
  std::string out;
  out.reserve(lf.size() + lf.size() / 32);
  for (char c : lf) {
    if (c == '\n') out += '\r';
    if (c != '\r') out += c;
  }
  return out;
}

}  // namespace

std::string build_rfc5322(const Message& message, std::string_view boundary_seed) {
  init_gmime();
  return to_crlf(Builder(std::string(boundary_seed)).build(message));
}

}  // namespace mailferry::pst

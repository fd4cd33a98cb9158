// Shared helpers of the PST unit tests: corpus paths, a collecting ScanSink,
// reading a source whole, and parsing built messages back with GMime.
#pragma once

#include <gmime/gmime.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "mailferry/source/pst_source.hpp"
#include "support/scan_collect.hpp"

namespace mailferry::pst_test {

inline std::string corpus(const std::string& name) {
  return std::string(MAILFERRY_CORPUS_DIR) + "/pst/" + name;
}

// Every PST of the corpus, and the ones protected by a PST password.
inline const std::vector<std::string>& corpus_files() {
  static const std::vector<std::string> files{"32-bit.pst",
                                              "Hello CJK.pst",
                                              "Test_part1.pst",
                                              "attachAndInline.pst",
                                              "contacts.pst",
                                              "contacts97-2002.pst",
                                              "dist-list.pst",
                                              "enron.pst",
                                              "msgInMsg.pst",
                                              "outlook.pst",
                                              "passworded.pst",
                                              "sample1.pst",
                                              "sample2.pst",
                                              "simple.pst",
                                              "submessage.pst",
                                              "testPST_variousBodyTypes.pst",
                                              "test_ansi.pst",
                                              "threeItems.pst",
                                              "unicodeAttachmentFilename.pst"};
  return files;
}
inline bool password_protected(const std::string& name) {
  return name == "passworded.pst" || name == "test_ansi.pst";
}
// How the corpus tests open a file: the two that Outlook guards with a
// password we do not know, unchecked (pst/password.hpp).
inline source::PstSourceOptions corpus_options(const std::string& name) {
  source::PstSourceOptions options;
  options.password.ignore = password_protected(name);
  return options;
}

using Sink = testing::CollectingSink;

inline std::string read_all(core::BodyReader& reader, std::size_t chunk = 4096) {
  return testing::read_body(reader, chunk);
}

// One folder's scan result, with the bytes open() produced for each message.
struct ScannedFolder {
  source::SourceFolder folder;
  Sink sink;
  std::vector<std::string> bodies;
};

inline std::vector<ScannedFolder> scan_everything(source::PstSource& src) {
  std::vector<ScannedFolder> out;
  for (const source::SourceFolder& f : src.folders()) {
    ScannedFolder sf;
    sf.folder = f;
    src.scan(f, sf.sink);
    for (const source::SourceMessage& m : sf.sink.messages) {
      auto reader = src.open(f, m);
      sf.bodies.push_back(read_all(*reader));
    }
    out.push_back(std::move(sf));
  }
  return out;
}

inline const ScannedFolder* find_folder(const std::vector<ScannedFolder>& all,
                                        const std::string& display_name) {
  for (const ScannedFolder& f : all)
    if (f.folder.display_name() == display_name) return &f;
  return nullptr;
}

struct Unref {
  void operator()(gpointer p) const {
    if (p) g_object_unref(p);
  }
};
using MessagePtr = std::unique_ptr<GMimeMessage, Unref>;

inline MessagePtr parse(const std::string& bytes) {
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
  GMimeStream* stream = g_mime_stream_mem_new_with_buffer(bytes.data(), bytes.size());
  GMimeParser* parser = g_mime_parser_new_with_stream(stream);
  GMimeMessage* message = g_mime_parser_construct_message(parser, nullptr);
  g_object_unref(parser);
  g_object_unref(stream);
  return MessagePtr(message);
}

// The decoded content of a leaf part.
inline std::string content(GMimePart* part) {
  GMimeDataWrapper* wrapper = g_mime_part_get_content(part);
  if (!wrapper) return {};
  GMimeStream* out = g_mime_stream_mem_new();
  g_mime_data_wrapper_write_to_stream(wrapper, out);
  GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out));
  std::string s(reinterpret_cast<const char*>(bytes->data), bytes->len);
  g_object_unref(out);
  return s;
}

// Leaf parts of a message, depth-first, not descending into message/rfc822.
struct Leaf {
  std::string type;  // "image/png"
  std::string filename, content_id, disposition;
  std::string parent_type;  // type of the enclosing multipart
  std::string data;         // decoded content
};

inline void collect(GMimeObject* object, const std::string& parent, std::vector<Leaf>& out,
                    std::vector<GMimeMessage*>* nested) {
  if (GMIME_IS_MULTIPART(object)) {
    char* raw = g_mime_content_type_get_mime_type(g_mime_object_get_content_type(object));
    std::string type = raw;
    g_free(raw);
    GMimeMultipart* mp = GMIME_MULTIPART(object);
    for (int i = 0; i < g_mime_multipart_get_count(mp); ++i)
      collect(g_mime_multipart_get_part(mp, i), type, out, nested);
  } else if (GMIME_IS_MESSAGE_PART(object)) {
    if (nested) nested->push_back(g_mime_message_part_get_message(GMIME_MESSAGE_PART(object)));
  } else if (GMIME_IS_PART(object)) {
    GMimePart* part = GMIME_PART(object);
    Leaf leaf;
    char* type = g_mime_content_type_get_mime_type(g_mime_object_get_content_type(object));
    leaf.type = type;
    g_free(type);
    if (const char* f = g_mime_part_get_filename(part)) leaf.filename = f;
    if (const char* c = g_mime_part_get_content_id(part)) leaf.content_id = c;
    if (const char* d = g_mime_object_get_disposition(object)) leaf.disposition = d;
    leaf.parent_type = parent;
    leaf.data = content(part);
    out.push_back(std::move(leaf));
  }
}

inline std::vector<Leaf> leaves(GMimeMessage* message,
                                std::vector<GMimeMessage*>* nested = nullptr) {
  std::vector<Leaf> out;
  collect(g_mime_message_get_mime_part(message), "", out, nested);
  return out;
}

inline std::string header(GMimeMessage* message, const char* name) {
  const char* v = g_mime_object_get_header(GMIME_OBJECT(message), name);
  return v ? v : "";
}

inline std::string subject(GMimeMessage* message) {
  const char* s = g_mime_message_get_subject(message);
  return s ? s : "";
}

// Addresses of one kind, as "name <addr>" with decoded names.
inline std::vector<std::string> addresses(GMimeMessage* message, GMimeAddressType type) {
  std::vector<std::string> out;
  InternetAddressList* list = g_mime_message_get_addresses(message, type);
  for (int i = 0; list && i < internet_address_list_length(list); ++i) {
    InternetAddress* ia = internet_address_list_get_address(list, i);
    std::string name = internet_address_get_name(ia) ? internet_address_get_name(ia) : "";
    std::string addr;
    if (INTERNET_ADDRESS_IS_MAILBOX(ia))
      addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
    out.push_back(name + " <" + addr + ">");
  }
  return out;
}

inline bool crlf_only(const std::string& bytes) {
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] == '\n' && (i == 0 || bytes[i - 1] != '\r')) return false;
    if (bytes[i] == '\r' && (i + 1 == bytes.size() || bytes[i + 1] != '\n')) return false;
  }
  return true;
}

}  // namespace mailferry::pst_test

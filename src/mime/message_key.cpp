#include "mailferry/mime/message_key.hpp"

#include <openssl/evp.h>

#include <cctype>
#include <stdexcept>
#include <string>

#include "mailferry/mime/bookkeeping_fields.hpp"

namespace mailferry::mime {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Folding, CRLF versus LF and runs of blanks differ between copies of the same
// message (and between a file and what a server stores); the words do not.
std::string collapse_blanks(std::string_view v) {
  std::string out;
  bool pending_space = false;
  for (char c : v) {
    if (is_space(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
  }
  return out;
}

// The text of `raw` outside comments, with comments turned into blanks.
// Comments are only recognized outside angle brackets: inside an id a '(' is
// just a character of a broken id, and both sides must read it the same way.
std::string drop_comments(std::string_view raw) {
  std::string out;
  int depth = 0;
  bool in_brackets = false;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (depth > 0) {
      if (c == '\\')
        ++i;
      else if (c == '(')
        ++depth;
      else if (c == ')')
        --depth;
      continue;
    }
    if (!in_brackets && c == '(') {
      depth = 1;
      out += ' ';
      continue;
    }
    if (c == '<') in_brackets = true;
    if (c == '>') in_brackets = false;
    out += c;
  }
  return out;
}

std::string hex(const unsigned char* data, std::size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out += kDigits[data[i] >> 4];
    out += kDigits[data[i] & 0x0f];
  }
  return out;
}

}  // namespace

std::string normalize_message_id(std::string_view raw) {
  std::string text = drop_comments(raw);
  std::string id;
  std::size_t open = text.find('<');
  if (open != std::string::npos) {
    std::size_t start = text.find_first_not_of('<', open);
    if (start == std::string::npos) return "";
    std::size_t close = text.find('>', start);
    if (close == std::string::npos) {
      // Unclosed: the id ends where the first word ends.
      close = start;
      while (close < text.size() && !is_space(text[close])) ++close;
    }
    id = text.substr(start, close - start);
  } else {
    // No brackets: the first word that looks like local@domain.
    std::size_t i = 0;
    while (i < text.size()) {
      while (i < text.size() && is_space(text[i])) ++i;
      std::size_t start = i;
      while (i < text.size() && !is_space(text[i])) ++i;
      std::string_view word(text.data() + start, i - start);
      std::size_t at = word.find('@');
      if (at != std::string_view::npos && at > 0 && at + 1 < word.size()) {
        id.assign(word);
        break;
      }
    }
  }
  std::string compact;
  for (char c : id)
    if (!is_space(c)) compact += c;
  if (compact.empty()) return "";
  std::size_t at = compact.rfind('@');
  if (at != std::string::npos)
    for (std::size_t i = at + 1; i < compact.size(); ++i)
      compact[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(compact[i])));
  return "<" + compact + ">";
}

core::MessageKey message_key(const HeaderFields& fields, std::uint64_t crlf_size) {
  std::string id = normalize_message_id(fields.message_id);
  if (!id.empty()) return core::MessageKey{std::move(id)};

  // Values cannot hold '\n' after collapse_blanks, so the layout is unambiguous.
  std::string input;
  input += "date:" + collapse_blanks(fields.date) + "\n";
  input += "from:" + collapse_blanks(fields.from) + "\n";
  input += "to:" + collapse_blanks(fields.to) + "\n";
  input += "cc:" + collapse_blanks(fields.cc) + "\n";
  input += "subject:" + collapse_blanks(fields.subject) + "\n";
  // The size of the message as sent: a copy that still carries a store's
  // bookkeeping fields (uploaded by an older version, or by another tool)
  // and one without them are the same message.
  const std::uint64_t sent_size =
      crlf_size > fields.bookkeeping_bytes ? crlf_size - fields.bookkeeping_bytes : 0;
  input += "size:" + std::to_string(sent_size) + "\n";

  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(input.data(), input.size(), digest, &length, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("SHA-256 is not available from OpenSSL");
  // 128 bits: far beyond any mailbox's count of ID-less messages.
  return core::MessageKey{"fp:" + hex(digest, 16)};
}

std::string_view key_header_names() {
  static const std::string names =
      "Message-ID Date From To Cc Subject " + std::string(bookkeeping_field_names());
  return names;
}

}  // namespace mailferry::mime

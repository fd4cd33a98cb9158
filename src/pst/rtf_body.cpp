#include "mailferry/pst/rtf_body.hpp"

#include <array>
#include <cctype>
#include <vector>

#include "mailferry/pst/text.hpp"

namespace mailferry::pst {
namespace {

constexpr std::size_t kMaxDepth = 1024;

// Destinations whose content is never body text.
constexpr std::array<std::string_view, 24> kSkippedDestinations{"fonttbl",
                                                                "colortbl",
                                                                "stylesheet",
                                                                "info",
                                                                "pict",
                                                                "object",
                                                                "header",
                                                                "footer",
                                                                "headerl",
                                                                "headerr",
                                                                "footerl",
                                                                "footerr",
                                                                "listtable",
                                                                "listoverridetable",
                                                                "rsidtbl",
                                                                "generator",
                                                                "xmlnstbl",
                                                                "themedata",
                                                                "colorschememapping",
                                                                "datastore",
                                                                "latentstyles",
                                                                "filetbl",
                                                                "revtbl",
                                                                "pgdsctbl"};

struct Group {
  bool skip = false;      // content is not body text
  bool suppress = false;  // inside \htmlrtf ... \htmlrtf0 (RTF-only content)
  bool at_start = true;   // no word seen yet in this group
  bool star = false;      // the group started with \*
  int uc = 1;             // fallback characters after \uN
};

class Unwrapper {
 public:
  explicit Unwrapper(std::string_view rtf) : rtf_(rtf) {}

  std::optional<UnwrappedBody> run() {
    if (rtf_.substr(0, 6) != "{\\rtf1") return std::nullopt;
    std::vector<Group> stack;
    for (std::size_t i = 0; i < rtf_.size();) {
      const char c = rtf_[i];
      if (c == '{') {
        if (stack.size() >= kMaxDepth) return std::nullopt;
        Group g = stack.empty() ? Group{} : stack.back();
        g.at_start = true;
        g.star = false;
        stack.push_back(g);
        pending_skip_ = 0;
        ++i;
        continue;
      }
      if (stack.empty()) break;  // text after the final '}'
      Group& top = stack.back();
      if (c == '}') {
        stack.pop_back();
        pending_skip_ = 0;
        ++i;
        if (stack.empty()) break;
        continue;
      }
      if (c == '\r' || c == '\n') {
        ++i;
        continue;
      }
      if (c != '\\') {
        text_byte(top, static_cast<unsigned char>(c));
        ++i;
        continue;
      }
      // A control word or symbol.
      if (i + 1 >= rtf_.size()) break;
      const char n = rtf_[i + 1];
      if (std::isalpha(static_cast<unsigned char>(n))) {
        std::size_t j = i + 1;
        while (j < rtf_.size() && std::isalpha(static_cast<unsigned char>(rtf_[j]))) ++j;
        std::string_view word = rtf_.substr(i + 1, j - i - 1);
        bool has_param = false, negative = false;
        long param = 0;
        if (j < rtf_.size() && rtf_[j] == '-') {
          negative = true;
          ++j;
        }
        while (j < rtf_.size() && std::isdigit(static_cast<unsigned char>(rtf_[j])) &&
               param < 100000000) {
          param = param * 10 + (rtf_[j] - '0');
          has_param = true;
          ++j;
        }
        if (negative) param = -param;
        if (j < rtf_.size() && rtf_[j] == ' ') ++j;  // the delimiter belongs to the word
        i = j;
        control_word(top, word, has_param, param);
        top.at_start = false;
        continue;
      }
      i += 2;
      switch (n) {
        case '\'': {
          if (i + 2 > rtf_.size()) return finish();
          int hi = hex(rtf_[i]), lo = hex(rtf_[i + 1]);
          i += 2;
          if (hi < 0 || lo < 0) break;
          text_byte(top, static_cast<unsigned char>(hi * 16 + lo));
          break;
        }
        case '{':
        case '}':
        case '\\':
          text_byte(top, static_cast<unsigned char>(n));
          break;
        case '*':
          if (top.at_start) top.star = true;
          break;
        case '~':
          text_unicode(top, 0xA0);
          break;
        case '\r':
        case '\n':
          text_unicode(top, '\n');
          break;
        default:
          if (pending_skip_ > 0) --pending_skip_;
          break;
      }
    }
    return finish();
  }

 private:
  static int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  bool visible(const Group& g) const {
    if (g.skip) return false;
    return mode_ == Mode::Text || !g.suppress;
  }

  void text_byte(const Group& g, unsigned char b) {
    if (pending_skip_ > 0) {
      --pending_skip_;
      return;
    }
    if (visible(g)) run_ += static_cast<char>(b);
  }

  void text_unicode(const Group& g, std::uint32_t cp) {
    if (!visible(g)) return;
    flush();
    append_utf8(cp);
  }

  void control_word(Group& g, std::string_view word, bool has_param, long param) {
    if (g.at_start) {
      if (g.star) {
        // {\*\htmltag ...} holds HTML; every other ignorable destination is skipped.
        if (word != "htmltag") g.skip = true;
        return;
      }
      for (std::string_view d : kSkippedDestinations)
        if (word == d) {
          g.skip = true;
          return;
        }
    }
    if (word == "fromhtml") {
      if (!has_param || param != 0) mode_ = Mode::Html;
    } else if (word == "fromtext") {
      mode_ = Mode::Text;
    } else if (word == "ansicpg") {
      if (has_param && param > 0) codepage_ = static_cast<int>(param);
    } else if (word == "htmlrtf") {
      g.suppress = !(has_param && param == 0);
    } else if (word == "uc") {
      if (has_param && param >= 0 && param < 16) g.uc = static_cast<int>(param);
    } else if (word == "u") {
      if (!has_param) return;
      long cp = param < 0 ? param + 65536 : param;
      text_unicode(g, static_cast<std::uint32_t>(cp));
      pending_skip_ = g.uc;
    } else if (word == "par" || word == "line") {
      text_unicode(g, '\n');
    } else if (word == "tab") {
      text_unicode(g, '\t');
    } else if (word == "lquote") {
      text_unicode(g, 0x2018);
    } else if (word == "rquote") {
      text_unicode(g, 0x2019);
    } else if (word == "ldblquote") {
      text_unicode(g, 0x201C);
    } else if (word == "rdblquote") {
      text_unicode(g, 0x201D);
    } else if (word == "bullet") {
      text_unicode(g, 0x2022);
    } else if (word == "emdash") {
      text_unicode(g, 0x2014);
    } else if (word == "endash") {
      text_unicode(g, 0x2013);
    }
  }

  void flush() {
    if (run_.empty()) return;
    out_ += to_utf8(run_, charset_for_codepage(codepage_));
    run_.clear();
  }

  void append_utf8(std::uint32_t cp) {
    if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) cp = 0xFFFD;
    if (cp < 0x80) {
      out_ += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out_ += static_cast<char>(0xC0 | (cp >> 6));
      out_ += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out_ += static_cast<char>(0xE0 | (cp >> 12));
      out_ += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out_ += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out_ += static_cast<char>(0xF0 | (cp >> 18));
      out_ += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out_ += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out_ += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  std::optional<UnwrappedBody> finish() {
    if (mode_ == Mode::Native) return std::nullopt;
    flush();
    return UnwrappedBody{mode_ == Mode::Html, std::move(out_)};
  }

  enum class Mode { Native, Html, Text };
  std::string_view rtf_;
  Mode mode_ = Mode::Native;
  int codepage_ = 1252;
  int pending_skip_ = 0;
  std::string run_;  // 8-bit bytes not yet decoded
  std::string out_;
};

}  // namespace

std::optional<UnwrappedBody> unwrap_rtf_body(std::string_view rtf) { return Unwrapper(rtf).run(); }

}  // namespace mailferry::pst

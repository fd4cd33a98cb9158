#include "help_formatter.hpp"

#include <sstream>

namespace mailferry::cli {
namespace {

// The left column and the wrapped description; a left column too wide for
// the gap puts the description on the next line, as man pages do.
std::string two_columns(const std::string& left, const std::string& description) {
  std::string out = "  " + left;
  if (description.empty()) return out + "\n";
  if (out.size() + 1 > HelpFormatter::kColumn) {
    out += "\n" + std::string(HelpFormatter::kColumn, ' ');
  } else {
    out += std::string(HelpFormatter::kColumn - out.size(), ' ');
  }
  return out +
         wrap_text(description, HelpFormatter::kWidth, HelpFormatter::kColumn,
                   HelpFormatter::kColumn) +
         "\n";
}

}  // namespace

std::string wrap_text(const std::string& text, std::size_t width, std::size_t indent,
                      std::size_t first_line_used) {
  std::string out;
  std::size_t used = first_line_used;
  bool line_empty = true;
  std::istringstream words(text);
  std::string word;
  while (words >> word) {
    if (!line_empty && used + 1 + word.size() > width) {
      out += "\n" + std::string(indent, ' ');
      used = indent;
      line_empty = true;
    }
    if (!line_empty) {
      out += ' ';
      ++used;
    }
    out += word;
    used += word.size();
    line_empty = false;
  }
  return out;
}

HelpFormatter::HelpFormatter() { column_width(kColumn); }

std::string HelpFormatter::make_option(const CLI::Option* option, bool is_positional) const {
  return two_columns(make_option_name(option, is_positional) + make_option_opts(option),
                     make_option_desc(option));
}

std::string HelpFormatter::make_subcommand(const CLI::App* sub) const {
  return two_columns(sub->get_display_name(true), sub->get_description());
}

std::string HelpFormatter::make_description(const CLI::App* app) const {
  const std::string& text = app->get_description();
  if (text.empty()) return "";
  return wrap_text(text, kWidth, 0, 0) + "\n";
}

std::string HelpFormatter::make_help(const CLI::App* app, std::string name,
                                     CLI::AppFormatMode mode) const {
  // CLI11 puts a blank line both after a group and before the next one.
  std::string text = CLI::Formatter::make_help(app, std::move(name), mode);
  for (auto at = text.find("\n\n\n"); at != std::string::npos; at = text.find("\n\n\n"))
    text.erase(at, 1);
  return text;
}

std::string HelpFormatter::make_group(std::string group, bool is_positional,
                                      std::vector<const CLI::Option*> options) const {
  std::string out = "\n" + group + ":\n";
  for (const auto* option : options) out += make_option(option, is_positional);
  return out;
}

}  // namespace mailferry::cli

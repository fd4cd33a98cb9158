// --help text that fits an 80-column terminal: CLI11's formatter, with option
// and verb descriptions wrapped under their right-hand column.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

namespace mailferry::cli {

class HelpFormatter : public CLI::Formatter {
 public:
  static constexpr std::size_t kWidth = 80;
  static constexpr std::size_t kColumn = 30;

  HelpFormatter();
  std::string make_option(const CLI::Option* option, bool is_positional) const override;
  std::string make_subcommand(const CLI::App* sub) const override;
  std::string make_description(const CLI::App* app) const override;
  std::string make_help(const CLI::App* app, std::string name,
                        CLI::AppFormatMode mode) const override;
  std::string make_group(std::string group, bool is_positional,
                         std::vector<const CLI::Option*> options) const override;
};

// Word-wraps `text` to `width` columns; lines after the first start with `indent` spaces.
std::string wrap_text(const std::string& text, std::size_t width, std::size_t indent,
                      std::size_t first_line_used);

}  // namespace mailferry::cli

// What a refused command line most likely meant: "unknown verb 'copy'; verbs:
// sync, check, list", "unknown option '--form'; did you mean --from?". The
// parser (CLI11) says only that an argument was not expected, or that a verb
// is required.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace mailferry::cli {

// The names the command line knows: its verbs, and the long options ("--from")
// of each verb and of the program itself (key "").
struct CommandNames {
  std::vector<std::string> verbs;
  std::map<std::string, std::vector<std::string>> options;
};

// The diagnosis of `arguments` (without the program's name), or "" when it
// finds no unknown verb or long option (the parser's own message then stands).
std::string diagnose_mistyped(const std::vector<std::string>& arguments, const CommandNames& names);

}  // namespace mailferry::cli

#include "mailferry/cli/cli.hpp"
#include "mailferry/core/hardening.hpp"

int main(int argc, char** argv) {
  // First of all: a password read from a file or a command must never end up
  // in a core file, whichever verb reads it.
  mailferry::core::disable_core_dumps();
  return mailferry::cli::run(argc, argv);
}

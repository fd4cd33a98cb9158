#include "mailferry/cli/cli.hpp"

int main(int argc, char** argv) { return mailferry::cli::run(argc, argv); }

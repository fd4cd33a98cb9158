// A short fuzz run without libFuzzer, for the ordinary test build: links with
// one fuzz target (its LLVMFuzzerTestOneInput and the invariants it checks),
// replays that target's seed files, then feeds it mutations of them for a
// fixed time. It finds less than coverage-guided libFuzzer (scripts/run-fuzz.sh)
// but runs on every CI build, under ASan and UBSan, with gcc, and needs no
// clang build of its own.
//
// Usage: fuzz_smoke_<target> --seconds N --max-len BYTES SEED_DIR...
// Prints the number of inputs run. A failed invariant or a sanitizer report
// aborts with the input saved as ./fuzz-smoke-failure-<target> (the first
// argument's name after "fuzz_smoke_").
//
// Mutations are deterministic (a fixed-seed generator), so a failure found
// here is found again by the same command.
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

namespace {

namespace fs = std::filesystem;

std::string g_current;       // the input being run, saved if it aborts
std::string g_failure_file;  // where it goes

void save_current(int signal_number) {
  std::FILE* out = std::fopen(g_failure_file.c_str(), "wb");
  if (out != nullptr) {
    std::fwrite(g_current.data(), 1, g_current.size(), out);
    std::fclose(out);
  }
  std::fprintf(stderr, "fuzz smoke: the failing input is in %s\n", g_failure_file.c_str());
  std::signal(signal_number, SIG_DFL);
  std::raise(signal_number);
}

class Random {
 public:
  std::uint64_t next() {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 7;
    state_ ^= state_ << 17;
    return state_;
  }
  std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(next() % n); }

 private:
  std::uint64_t state_ = 0x9e3779b97f4a7c15ull;
};

// Bytes that matter to the readers under test: line ends, IMAP and POP3
// syntax, literal markers, header and mbox delimiters.
const std::vector<std::string> kTokens{
    "\r\n", "\n",    "{",     "}",          "{0}\r\n", "{4294967295}\r\n",
    "(",    ")",     "\"",    "\\",         " ",       "* ",
    "+ ",   ".\r\n", "From ", ">From ",     ":",       "=?",
    "?=",   "NIL",   "0",     "4294967296", "-1",      std::string(1, '\0'),
    "\xff", "[",     "]"};

std::string mutate(const std::string& input, const std::vector<std::string>& seeds, Random& r,
                   std::size_t max_len) {
  std::string out = input;
  const int steps = 1 + static_cast<int>(r.below(4));
  for (int s = 0; s < steps; ++s) {
    const std::size_t at = r.below(out.size() + 1);
    switch (r.below(7)) {
      case 0:  // flip a bit
        if (!out.empty()) out[r.below(out.size())] ^= static_cast<char>(1u << r.below(8));
        break;
      case 1:  // a random byte
        out.insert(at, 1, static_cast<char>(r.below(256)));
        break;
      case 2:  // a token
        out.insert(at, kTokens[r.below(kTokens.size())]);
        break;
      case 3:  // cut a range
        if (at < out.size()) out.erase(at, 1 + r.below(std::min<std::size_t>(64, out.size() - at)));
        break;
      case 4:  // repeat a range
        if (at < out.size()) out.insert(at, out.substr(at, 1 + r.below(64)));
        break;
      case 5: {  // splice in a piece of another seed
        const std::string& other = seeds[r.below(seeds.size())];
        const std::size_t from = r.below(other.size() + 1);
        out.insert(at, other.substr(from, r.below(256)));
        break;
      }
      default:  // cut the end
        out.resize(at);
        break;
    }
  }
  if (out.size() > max_len) out.resize(max_len);
  return out;
}

void run_one(const std::string& input) {
  g_current = input;
  LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(g_current.data()), g_current.size());
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 10;
  std::size_t max_len = 16384;
  std::vector<std::string> dirs;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--seconds" && i + 1 < argc)
      seconds = std::atof(argv[++i]);
    else if (arg == "--max-len" && i + 1 < argc)
      max_len = static_cast<std::size_t>(std::atol(argv[++i]));
    else
      dirs.push_back(arg);
  }
  const std::string name = fs::path(argv[0]).filename().string();
  const std::string prefix = "fuzz_smoke_";
  g_failure_file =
      "fuzz-smoke-failure-" + (name.rfind(prefix, 0) == 0 ? name.substr(prefix.size()) : name);
  std::signal(SIGABRT, save_current);
  std::signal(SIGSEGV, save_current);
  if (LLVMFuzzerInitialize != nullptr) LLVMFuzzerInitialize(&argc, &argv);

  std::vector<std::string> seeds;
  for (const auto& dir : dirs) {
    if (!fs::is_directory(dir)) {
      std::fprintf(stderr, "fuzz smoke: no seed directory %s\n", dir.c_str());
      return 2;
    }
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
      if (!entry.is_regular_file()) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (bytes.size() > max_len) bytes.resize(max_len);
      seeds.push_back(std::move(bytes));
    }
  }
  if (seeds.empty()) {
    std::fprintf(stderr, "fuzz smoke: no seeds\n");
    return 2;
  }
  std::uint64_t runs = 0;
  for (const auto& seed : seeds) {
    run_one(seed);
    ++runs;
  }
  Random random;
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < end) {
    run_one(mutate(seeds[random.below(seeds.size())], seeds, random, max_len));
    ++runs;
  }
  std::printf("fuzz smoke: %s: %zu seeds, %llu inputs in %.0f s, no failure\n", name.c_str(),
              seeds.size(), static_cast<unsigned long long>(runs), seconds);
  return 0;
}

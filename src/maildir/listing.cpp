#include "mailferry/maildir/listing.hpp"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "mailferry/core/error.hpp"

namespace fs = std::filesystem;

namespace mailferry::maildir {
namespace {

struct DirCloser {
  void operator()(DIR* d) const { ::closedir(d); }
};

// Appends the regular files of `dir`/`sub`; false with `error` set when the
// directory exists but cannot be read. Names go through readdir() and one
// stat() each: the cost of a re-run with nothing new.
bool list_sub(const fs::path& dir, const std::string& sub, std::vector<MessageFile>& out,
              std::string& error) {
  const std::string path = (dir / sub).string();
  std::unique_ptr<DIR, DirCloser> d(::opendir(path.c_str()));
  if (!d) {
    if (errno == ENOENT) return true;
    error = path + ": " + std::strerror(errno);
    return false;
  }
  while (const dirent* e = ::readdir(d.get())) {
    if (e->d_name[0] == '.') continue;
    struct stat st {};
    // A file removed between readdir() and stat() is simply no longer there.
    if (::stat((path + "/" + e->d_name).c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    MessageFile f;
    f.sub = sub;
    f.name = e->d_name;
    f.parsed = parse_file_name(f.name);
    f.size = static_cast<std::uint64_t>(st.st_size);
    f.mtime = st.st_mtim.tv_sec;
    f.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
    out.push_back(std::move(f));
  }
  return true;
}

}  // namespace

std::vector<MessageFile> list_message_files(const fs::path& dir) {
  std::vector<MessageFile> out;
  std::string new_error, cur_error;
  const bool new_ok = list_sub(dir, "new", out, new_error);
  const bool cur_ok = list_sub(dir, "cur", out, cur_error);
  if (!new_ok || !cur_ok)
    throw core::SourceError("cannot list " + (new_ok ? cur_error : new_error),
                            core::ErrorScope::Folder);
  // new/ was listed first: a file moved to cur/ meanwhile is kept once.
  std::stable_sort(out.begin(), out.end(), [](const MessageFile& a, const MessageFile& b) {
    return a.parsed.unique < b.parsed.unique;
  });
  out.erase(std::unique(out.begin(), out.end(),
                        [](const MessageFile& a, const MessageFile& b) {
                          return a.parsed.unique == b.parsed.unique;
                        }),
            out.end());
  return out;
}

std::optional<MessageFile> find_by_unique(const fs::path& dir, const std::string& unique) {
  std::vector<MessageFile> files;
  std::string ignored;
  list_sub(dir, "cur", files, ignored);
  list_sub(dir, "new", files, ignored);
  for (auto& f : files)
    if (f.parsed.unique == unique) return std::move(f);
  return std::nullopt;
}

}  // namespace mailferry::maildir

#include "support/dovecot_maildir.hpp"

#include <unistd.h>

#include <fstream>
#include <map>
#include <stdexcept>

#include "support/mail_text.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;

namespace mailferry::testing {
namespace {

std::string to_lf(const std::string& bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (std::size_t i = 0; i < bytes.size(); ++i)
    if (!(bytes[i] == '\r' && i + 1 < bytes.size() && bytes[i + 1] == '\n')) out += bytes[i];
  return out;
}

// As root, Dovecot works on mail as "nobody" (it refuses uid 0): what it
// reads and writes must be open to others.
void open_to_dovecot(const fs::path& p) {
  if (::geteuid() != 0) return;
  fs::permissions(p, fs::perms::all, fs::perm_options::add);
}

}  // namespace

std::string maildir_location(const fs::path& dir, bool fs_layout) {
  return "maildir:" + dir.string() + (fs_layout ? ":LAYOUT=fs" : "");
}

namespace {

// `messages` as a tree of mbox files below `mbox_root` that Dovecot can read;
// returns doveadm import's source location for it.
std::string write_mbox_tree(const fs::path& mbox_root, const std::vector<MboxInput>& messages) {
  fs::create_directories(mbox_root);
  open_to_dovecot(mbox_root);
  std::map<std::string, std::string> files;  // folder -> mbox text
  for (const auto& m : messages) {
    std::string& text = files[m.folder];
    text += "From sender@example.com " + m.from_date + "\n";
    if (!m.status.empty()) text += "Status: " + m.status + "\n";
    if (!m.x_status.empty()) text += "X-Status: " + m.x_status + "\n";
    std::string body = to_lf(m.message);
    if (!body.empty() && body.back() != '\n') body += '\n';
    text += body + "\n";
  }
  for (const auto& [folder, text] : files) {
    const fs::path file = mbox_root / (folder == "INBOX" ? "inbox" : folder);
    fs::create_directories(file.parent_path());
    for (fs::path p = file.parent_path(); p != mbox_root.parent_path(); p = p.parent_path())
      open_to_dovecot(p);
    std::ofstream(file, std::ios::binary) << text;
    open_to_dovecot(file);
  }
  return "mbox:" + mbox_root.string() + ":INBOX=" + (mbox_root / "inbox").string();
}

}  // namespace

fs::path import_into_maildir(const DovecotServer& server, const std::string& user,
                             const fs::path& dir, bool fs_layout,
                             const std::vector<MboxInput>& messages) {
  open_to_dovecot(dir.parent_path());
  const std::string source = write_mbox_tree(fs::path(dir.string() + ".mbox-input"), messages);
  server.doveadm({"-o", "mail_location=" + maildir_location(dir, fs_layout), "import", "-u", user,
                  source, "", "all"});
  return dir;
}

void import_into_account(const DovecotServer& server, const std::string& user,
                         const fs::path& work_dir, const std::vector<MboxInput>& messages) {
  open_to_dovecot(work_dir);
  server.doveadm({"import", "-u", user,
                  write_mbox_tree(work_dir / (user + ".mbox-input"), messages), "", "all"});
}

std::string doveadm_on_maildir(const DovecotServer& server, const std::string& user,
                               const fs::path& dir, bool fs_layout,
                               const std::vector<std::string>& arguments) {
  std::vector<std::string> argv{"-o", "mail_location=" + maildir_location(dir, fs_layout), "-u",
                                user};
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  return server.doveadm(argv);
}

std::string maildir_file_upload_bytes(const fs::path& file) { return to_crlf(read_file(file)); }

}  // namespace mailferry::testing

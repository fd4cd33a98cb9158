// Maildirs written by Dovecot itself, for the Maildir source's tests: an mbox
// tree is imported with "doveadm import" into a Maildir location, so file
// names, flags (from Status:/X-Status:), dates (from the From_ lines) and the
// dovecot-keywords file are what a real server leaves on its disk.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "support/dovecot_server.hpp"

namespace mailferry::testing {

struct MboxInput {
  std::string folder;     // "INBOX", "Sent", "Archive/2019"
  std::string from_date;  // the From_ line's date: "Mon Mar  4 10:00:00 2019"
  std::string status;     // Status: value ("RO"), "" for none: an unread message lands in new/
  std::string x_status;   // X-Status: value ("AF" answered+flagged, "D" deleted), "" for none
  std::string message;    // the message; its line ends become LF
};

// "maildir:DIR" or "maildir:DIR:LAYOUT=fs": a mail_location for doveadm -o.
std::string maildir_location(const std::filesystem::path& dir, bool fs_layout);

// Imports `messages` into a new Maildir at `dir` (Maildir++, or the fs layout)
// through `server`'s doveadm, as user `user`, and returns `dir`. The parent of
// `dir` must exist. Throws std::runtime_error when doveadm fails.
std::filesystem::path import_into_maildir(const DovecotServer& server, const std::string& user,
                                          const std::filesystem::path& dir, bool fs_layout,
                                          const std::vector<MboxInput>& messages);

// Imports `messages` into the mailboxes of `user` on `server` (doveadm
// import; folders made as needed), with the same flags and dates as above.
// The mbox input is written below `work_dir`.
void import_into_account(const DovecotServer& server, const std::string& user,
                         const std::filesystem::path& work_dir,
                         const std::vector<MboxInput>& messages);

// Runs doveadm ARGUMENTS against the Maildir at `dir` (its -o mail_location
// and -u user are added): "flags add $Forwarded mailbox Sent all".
std::string doveadm_on_maildir(const DovecotServer& server, const std::string& user,
                               const std::filesystem::path& dir, bool fs_layout,
                               const std::vector<std::string>& arguments);

// What a Maildir file becomes on the wire: LF turned into CRLF.
std::string maildir_file_upload_bytes(const std::filesystem::path& file);

}  // namespace mailferry::testing

#include "source_conformance_rows.hpp"

#include <filesystem>

#include "mailferry/source/eml_source.hpp"
#include "mailferry/source/gmail_takeout_source.hpp"
#include "mailferry/source/imap_source.hpp"
#include "mailferry/source/maildir_source.hpp"
#include "mailferry/source/mbox_source.hpp"
#include "mailferry/source/pop3_source.hpp"
#include "mailferry/source/pst_source.hpp"
#include "support/dovecot_maildir.hpp"
#include "support/mail_text.hpp"

namespace fs = std::filesystem;

namespace mailferry::conformance {
namespace {

std::string corpus(const std::string& relative) {
  return std::string(MAILFERRY_CORPUS_DIR) + "/" + relative;
}

// Small real messages without a store's bookkeeping fields and without
// "From " lines in their bodies (so they can be put into an mbox as they are).
const std::vector<std::string> kEmlFiles = {
    "eml/bad-charset.eml", "eml/invalid_subject_characters.eml", "eml/ks_c_5601-1987.eml",
    "eml/shift-jis.eml", "eml/utf8_headers.eml"};

// `bytes` cut right after the From_ line of its `n`th message (1-based): a
// copy that ends where a message should begin, as a copy interrupted while
// it was written does.
std::string cut_after_from_line(const std::string& bytes, int n) {
  std::size_t at = 0;
  for (int seen = 1; seen < n; ++seen) {
    at = bytes.find("\nFrom ", at + 1);
    if (at == std::string::npos) throw std::runtime_error("the input has too few messages");
  }
  return bytes.substr(0, bytes.find('\n', at + 1) + 1);
}

// A Takeout export of real messages: Google's From_ lines, X-GM-THRID and
// X-Gmail-Labels before each message's own header.
std::string takeout_of_corpus() {
  const std::vector<std::string> labels = {"Inbox,Opened", "Inbox,Unread,Starred", "Sent",
                                           "Work/Projects,Opened", "Archived"};
  std::string out;
  for (std::size_t i = 0; i < kEmlFiles.size(); ++i) {
    const std::string id = std::to_string(1700000000000000001LL + static_cast<long long>(i));
    out += "From " + id + "@xxx Mon Mar 04 10:0" + std::to_string(i) + ":00 +0000 2019\n";
    out += "X-GM-THRID: " + id + "\n";
    out += "X-Gmail-Labels: " + labels[i] + "\n";
    std::string message = testing::read_file(corpus(kEmlFiles[i]));
    if (!message.empty() && message.back() != '\n') message += '\n';
    out += message + "\n";
  }
  return out;
}

// A file source that keeps its scans in the workspace's store, with its count
// of files read (MboxSource, MaildirSource).
template <class FileSource, class Options>
Opened cached_file_source(const fs::path& path, Options options, Workspace& w) {
  options.scan_cache = &w.store();
  auto source = std::make_unique<FileSource>(path, options);
  auto* counted = source.get();
  return {std::move(source), [counted] { return counted->files_read(); }};
}

Opened mbox_source(const std::string& path, Workspace& w) {
  return cached_file_source<source::MboxSource>(path, source::MboxSourceOptions{}, w);
}

// A Thunderbird profile's "Local Folders": Inbox with a sub-folder, and Sent.
std::string thunderbird_tree(Workspace& w, const std::string& patches_bytes) {
  const auto& d = w.dir();
  d.write_file("Local Folders/Inbox", testing::read_file(corpus("mbox/content-length.mbox.txt")));
  d.write_file("Local Folders/Inbox.msf", "");
  d.write_file("Local Folders/Inbox.sbd/Patches", patches_bytes);
  d.write_file("Local Folders/Sent", testing::read_file(corpus("mbox/mailformed_subject.eml")));
  return d.file("Local Folders");
}

Opened pop3_source(Workspace& w) {
  auto& dovecot = Workspace::dovecot();
  if (w.first_time("pop3"))
    for (const auto& file : kEmlFiles)
      dovecot.save_message(w.pop3_user(), "INBOX",
                           testing::to_crlf(testing::read_file(corpus(file))));
  source::Pop3SourceOptions o;
  o.connect.protocol = net::Protocol::Pop3;
  o.connect.host = "127.0.0.1";
  o.connect.port = dovecot.pop3s_port();
  o.connect.implicit_tls = true;
  o.connect.ca_file = dovecot.ca_file();
  o.connect.user = w.pop3_user();
  o.connect.password = core::Secret(dovecot.password());
  o.connect.timeout = std::chrono::seconds(30);
  o.cache = &w.store();
  auto source = std::make_unique<source::Pop3Source>(o);
  auto* counted = source.get();
  return {std::move(source), [counted] { return counted->commands_sent("TOP"); }};
}

// The corpus messages spread over a Maildir tree by Dovecot itself: flags
// from Status:/X-Status: (one unread, so in new/; one deleted, so 'T'),
// dates from the From_ lines, and keywords set by doveadm (so the folder has
// a dovecot-keywords file).
fs::path dovecot_maildir(Workspace& w, const std::string& name, bool fs_layout) {
  const fs::path dir = w.dir().path() / name;
  if (!w.first_time(name)) return dir;
  const std::vector<std::pair<std::string, std::string>> placement = {
      {"INBOX", "Mon Mar  4 10:00:00 2019"},
      {"INBOX", "Tue Apr  2 11:00:00 2019"},
      {"Sent", "Wed May  1 12:00:00 2019"},
      {"Archive/2019", "Thu Jun  6 13:00:00 2019"},
      {"Archive/2019", "Sun Jul  7 14:00:00 2019"}};
  const std::vector<std::pair<std::string, std::string>> status = {
      {"RO", "AF"}, {"", ""}, {"RO", ""}, {"RO", "D"}, {"RO", "T"}};
  std::vector<testing::MboxInput> input;
  for (std::size_t i = 0; i < kEmlFiles.size(); ++i)
    input.push_back({placement[i].first, placement[i].second, status[i].first, status[i].second,
                     testing::read_file(corpus(kEmlFiles[i]))});
  testing::import_into_maildir(Workspace::dovecot(), w.pop3_user(), dir, fs_layout, input);
  testing::doveadm_on_maildir(Workspace::dovecot(), w.pop3_user(), dir, fs_layout,
                              {"flags", "add", "$Forwarded Work", "mailbox", "Sent", "all"});
  return dir;
}

// The corpus messages in an IMAP account of the suite's Dovecot, put there by
// doveadm import (flags, dates), in INBOX, Sent and a nested folder, with a
// keyword set by doveadm.
Opened imap_source(Workspace& w) {
  auto& dovecot = Workspace::dovecot();
  const std::string user = "imap-" + w.pop3_user();
  if (w.first_time("imap")) {
    const std::vector<std::string> folders = {"INBOX", "INBOX", "Sent", "Archive/2019",
                                              "Archive/2019"};
    const std::vector<std::string> dates = {"Mon Mar  4 10:00:00 2019", "Tue Apr  2 11:00:00 2019",
                                            "Wed May  1 12:00:00 2019", "Thu Jun  6 13:00:00 2019",
                                            "Sun Jul  7 14:00:00 2019"};
    const std::vector<std::pair<std::string, std::string>> status = {
        {"RO", "AF"}, {"", ""}, {"RO", ""}, {"RO", "D"}, {"RO", "T"}};
    std::vector<testing::MboxInput> input;
    for (std::size_t i = 0; i < kEmlFiles.size(); ++i)
      input.push_back({folders[i], dates[i], status[i].first, status[i].second,
                       testing::read_file(corpus(kEmlFiles[i]))});
    testing::import_into_account(dovecot, user, w.dir().path(), input);
    dovecot.doveadm({"flags", "add", "-u", user, "$Forwarded Work", "mailbox", "Sent", "all"});
  }
  source::ImapSourceOptions o;
  o.connect = dovecot.connect_options(net::Protocol::Imap, user);
  o.connect.timeout = std::chrono::seconds(30);
  o.scan_cache = &w.store();
  auto source = std::make_unique<source::ImapSource>(o);
  auto* counted = source.get();
  return {std::move(source), [counted] { return counted->folders_read(); }};
}

Opened maildir_source(const fs::path& dir, Workspace& w) {
  return cached_file_source<source::MaildirSource>(dir, source::MaildirSourceOptions{}, w);
}

// A copy of a Dovecot-made Maildir tree with one file cut in half, as a copy
// interrupted while it was written leaves it.
Opened damaged_maildir(Workspace& w, bool fs_layout) {
  const fs::path made = dovecot_maildir(w, fs_layout ? "fs" : "maildir++", fs_layout);
  const fs::path copy = w.dir().path() / (fs_layout ? "fs-damaged" : "maildir++-damaged");
  fs::copy(made, copy, fs::copy_options::recursive);
  for (const auto& entry : fs::directory_iterator(copy / "cur")) {
    fs::resize_file(entry.path(), fs::file_size(entry.path()) / 2);
    break;
  }
  return maildir_source(copy, w);
}

std::vector<Row> make_rows() {
  std::vector<Row> out;
  out.push_back({
      .name = "mbox file (mboxcl with Status and X-Status)",
      .has_flags = true,
      .has_dates = true,
      .open = [](Workspace& w) { return mbox_source(corpus("mbox/mbox.src"), w); },
      .open_damaged =
          [](Workspace& w) {
            const std::string cut =
                cut_after_from_line(testing::read_file(corpus("mbox/mbox.src")), 3);
            return mbox_source(w.dir().write_file("truncated.mbox", cut), w);
          },
  });
  out.push_back({
      .name = "Thunderbird folder tree (X-Mozilla-Status, sub-folders)",
      .has_flags = true,
      .has_dates = true,
      .open =
          [](Workspace& w) {
            if (w.first_time("tree"))
              thunderbird_tree(w, testing::read_file(corpus("mbox/sample.mboxrd")));
            return mbox_source(w.dir().file("Local Folders"), w);
          },
      .open_damaged =
          [](Workspace& w) {
            const std::string cut =
                cut_after_from_line(testing::read_file(corpus("mbox/sample.mboxrd")), 3);
            return mbox_source(thunderbird_tree(w, cut), w);
          },
  });
  out.push_back({
      .name = "eml directory",
      .has_flags = false,
      .has_dates = true,
      .open = [](Workspace& w) -> Opened {
        if (w.first_time("eml"))
          for (const auto& file : kEmlFiles)
            w.dir().write_file("eml/" + fs::path(file).filename().string(),
                               testing::read_file(corpus(file)));
        return {std::make_unique<source::EmlSource>(w.dir().file("eml")), {}};
      },
      .open_damaged = [](Workspace& w) -> Opened {
        for (const auto& file : kEmlFiles)
          w.dir().write_file("damaged/" + fs::path(file).filename().string(),
                             testing::read_file(corpus(file)));
        // A copy cut off before its first byte was written.
        w.dir().write_file("damaged/cut.eml", "");
        return {std::make_unique<source::EmlSource>(w.dir().file("damaged")), {}};
      },
  });
  out.push_back({
      .name = "Outlook PST (nested folders)",
      .has_flags = true,
      .has_dates = true,
      .open = [](Workspace&) -> Opened {
        return {std::make_unique<source::PstSource>(corpus("pst/threeItems.pst")), {}};
      },
      .open_damaged = [](Workspace& w) -> Opened {
        const std::string pst = testing::read_file(corpus("pst/threeItems.pst"));
        const std::string path = w.dir().write_file("truncated.pst", pst.substr(0, pst.size() / 2));
        return {std::make_unique<source::PstSource>(path), {}};
      },
      .damage_spares_the_rest = false,
  });
  out.push_back({
      .name = "Gmail Takeout mbox (labels as folders)",
      .has_flags = true,
      .has_dates = true,
      .open = [](Workspace& w) -> Opened {
        if (w.first_time("takeout")) w.dir().write_file("Takeout.mbox", takeout_of_corpus());
        return {source::with_gmail_labels(
                    std::make_unique<source::MboxSource>(w.dir().file("Takeout.mbox")),
                    core::GmailLabels::Each),
                {}};
      },
      .open_damaged = [](Workspace& w) -> Opened {
        const std::string path =
            w.dir().write_file("Cut.mbox", cut_after_from_line(takeout_of_corpus(), 3));
        return {source::with_gmail_labels(std::make_unique<source::MboxSource>(path),
                                          core::GmailLabels::Each),
                {}};
      },
  });
  for (const bool fs_layout : {false, true}) {
    out.push_back({
        .name = fs_layout ? "Maildir tree in the fs layout (written by Dovecot)"
                          : "Maildir++ tree (written by Dovecot)",
        .has_flags = true,
        .has_dates = true,
        .open =
            [fs_layout](Workspace& w) {
              return maildir_source(dovecot_maildir(w, fs_layout ? "fs" : "maildir++", fs_layout),
                                    w);
            },
        .open_damaged = [fs_layout](Workspace& w) { return damaged_maildir(w, fs_layout); },
    });
  }
  out.push_back({
      .name = "IMAP account on Dovecot (flags, keywords, nested folders)",
      .has_flags = true,
      .has_dates = true,
      .open = [](Workspace& w) { return imap_source(w); },
      .open_damaged = {},
  });
  out.push_back({
      .name = "POP3 mailbox on Dovecot",
      .has_flags = false,
      .has_dates = true,
      .open = [](Workspace& w) { return pop3_source(w); },
      .open_damaged = {},
  });
  return out;
}

}  // namespace

Workspace::Workspace() : store_(std::make_unique<sync::StateStore>(dir_.file("state.sqlite"))) {
  static int next = 0;
  pop3_user_ = "conformance" + std::to_string(++next);
}

testing::DovecotServer& Workspace::dovecot() {
  static testing::DovecotServer server;
  return server;
}

const std::vector<Row>& rows() {
  static const std::vector<Row> table = make_rows();
  return table;
}

}  // namespace mailferry::conformance

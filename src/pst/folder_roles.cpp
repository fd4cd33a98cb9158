#include "mailferry/pst/folder_roles.hpp"

#include <libpst/libpst.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>
#include <string_view>

#include "mailferry/pst/pst_file.hpp"

namespace mailferry::pst {
namespace {

using core::Role;

constexpr std::uint64_t kNidRootFolder = 0x122;
constexpr std::uint64_t kNidReceiveFolderTable = 0x62B;
constexpr std::uint16_t kPropMessageClass = 0x001A;
constexpr std::uint16_t kPropRecordKey = 0x0FF9;
constexpr std::uint16_t kPropOutboxEntryId = 0x35E2;       // PR_IPM_OUTBOX_ENTRYID
constexpr std::uint16_t kPropWastebasketEntryId = 0x35E3;  // PR_IPM_WASTEBASKET_ENTRYID
constexpr std::uint16_t kPropSentItemsEntryId = 0x35E4;    // PR_IPM_SENTMAIL_ENTRYID
constexpr std::uint16_t kPropReceiveFolderNid = 0x6605;
constexpr std::uint16_t kPropDraftsEntryId = 0x36D7;
constexpr std::uint16_t kPropAdditionalRenEntryIds = 0x36D8;
constexpr std::size_t kJunkRenIndex = 4;  // [MS-OXOSFLD] 2.2.4: Conflicts, Sync Issues,
                                          // Local Failures, Server Failures, Junk E-mail

bool is_folder(const PstFile& file, std::uint64_t nid) {
  return nid != 0 && nid != kNidRootFolder && nid_type(nid) == kNidFolder &&
         file.node(nid) != nullptr &&
         (!file.top_of_folders() || nid != file.top_of_folders()->d_id);
}

std::optional<std::uint64_t> receive_folder(const PstFile& file) {
  pst_desc_tree* table_node = file.node(kNidReceiveFolderTable);
  if (!table_node || !table_node->desc) return std::nullopt;
  try {
    std::vector<PropertyMap> rows =
        file.reader().table(table_node->desc->i_id, file.subnodes(table_node));
    std::optional<std::uint64_t> fallback;
    for (const PropertyMap& row : rows) {
      auto cls = row.find(kPropMessageClass);
      auto nid = row.find(kPropReceiveFolderNid);
      if (cls == row.end() || nid == row.end()) continue;
      std::string name = cls->second.as_utf8(file.ansi_codepage()).value_or("");
      auto value = nid->second.as_int32();
      if (!value) continue;
      std::transform(name.begin(), name.end(), name.begin(), ::toupper);
      if (name == "IPM") return static_cast<std::uint32_t>(*value);
      if (name.empty()) fallback = static_cast<std::uint32_t>(*value);
    }
    return fallback;
  } catch (const FormatError&) {
    return std::nullopt;
  }
}

// The folder an entry id names, if it names one of this store's folders (files
// copied between stores keep entry ids that point into the old store).
std::optional<std::uint64_t> own_folder(const PstFile& file, std::string_view entry_id) {
  auto nid = entry_id_nid(entry_id);
  if (!nid) return std::nullopt;
  auto key = file.store_properties().find(kPropRecordKey);
  if (key != file.store_properties().end() && key->second.bytes.size() == 16 &&
      entry_id.substr(4, 16) != key->second.bytes)
    return std::nullopt;
  return *nid;
}

// The first folder holding `prop` (an entry id, or a list of them at `index`).
std::optional<std::uint64_t> special_folder(const PstFile& file,
                                            const std::vector<std::uint64_t>& holders,
                                            std::uint16_t prop, std::optional<std::size_t> index) {
  for (std::uint64_t holder : holders) {
    pst_desc_tree* node = file.node(holder);
    if (!node) continue;
    try {
      PropertyMap props = file.properties(node);
      auto it = props.find(prop);
      if (it == props.end()) continue;
      std::optional<std::uint64_t> nid;
      if (index) {
        std::vector<std::string> ids = it->second.as_binaries();
        if (*index < ids.size()) nid = own_folder(file, ids[*index]);
      } else {
        nid = own_folder(file, it->second.bytes);
      }
      if (nid && is_folder(file, *nid)) return *nid;
    } catch (const FormatError&) {
    }
  }
  return std::nullopt;
}

struct WellKnown {
  Role role;
  std::string_view name;
};

// Default folder names of Outlook and common clients in several languages.
constexpr std::array kWellKnownNames{
    // Inbox
    WellKnown{Role::Inbox, "Inbox"},
    WellKnown{Role::Inbox, "Posteingang"},
    WellKnown{Role::Inbox, "Boîte de réception"},
    WellKnown{Role::Inbox, "Bandeja de entrada"},
    WellKnown{Role::Inbox, "Posta in arrivo"},
    WellKnown{Role::Inbox, "Postvak IN"},
    WellKnown{Role::Inbox, "Caixa de Entrada"},
    WellKnown{Role::Inbox, "Skrzynka odbiorcza"},
    WellKnown{Role::Inbox, "Входящие"},
    WellKnown{Role::Inbox, "受信トレイ"},
    WellKnown{Role::Inbox, "收件箱"},
    WellKnown{Role::Inbox, "收件匣"},
    WellKnown{Role::Inbox, "받은 편지함"},
    WellKnown{Role::Inbox, "Inkorgen"},
    WellKnown{Role::Inbox, "Indbakke"},
    WellKnown{Role::Inbox, "Innboks"},
    WellKnown{Role::Inbox, "Saapuneet"},
    WellKnown{Role::Inbox, "Doručená pošta"},
    WellKnown{Role::Inbox, "Beérkezett üzenetek"},
    WellKnown{Role::Inbox, "Gelen Kutusu"},
    WellKnown{Role::Inbox, "Εισερχόμενα"},
    // Sent
    WellKnown{Role::Sent, "Sent Items"},
    WellKnown{Role::Sent, "Sent"},
    WellKnown{Role::Sent, "Sent Mail"},
    WellKnown{Role::Sent, "Sent Messages"},
    WellKnown{Role::Sent, "Gesendete Elemente"},
    WellKnown{Role::Sent, "Gesendete Objekte"},
    WellKnown{Role::Sent, "Éléments envoyés"},
    WellKnown{Role::Sent, "Elementos enviados"},
    WellKnown{Role::Sent, "Posta inviata"},
    WellKnown{Role::Sent, "Verzonden items"},
    WellKnown{Role::Sent, "Itens Enviados"},
    WellKnown{Role::Sent, "Elementy wysłane"},
    WellKnown{Role::Sent, "Отправленные"},
    WellKnown{Role::Sent, "送信済みアイテム"},
    WellKnown{Role::Sent, "已发送邮件"},
    WellKnown{Role::Sent, "寄件備份"},
    WellKnown{Role::Sent, "보낸 편지함"},
    WellKnown{Role::Sent, "Skickat"},
    WellKnown{Role::Sent, "Sendt post"},
    WellKnown{Role::Sent, "Sendte elementer"},
    WellKnown{Role::Sent, "Lähetetyt"},
    WellKnown{Role::Sent, "Odeslaná pošta"},
    WellKnown{Role::Sent, "Elküldött elemek"},
    WellKnown{Role::Sent, "Gönderilmiş Öğeler"},
    WellKnown{Role::Sent, "Απεσταλμένα"},
    // Drafts
    WellKnown{Role::Drafts, "Drafts"},
    WellKnown{Role::Drafts, "Entwürfe"},
    WellKnown{Role::Drafts, "Brouillons"},
    WellKnown{Role::Drafts, "Borradores"},
    WellKnown{Role::Drafts, "Bozze"},
    WellKnown{Role::Drafts, "Concepten"},
    WellKnown{Role::Drafts, "Rascunhos"},
    WellKnown{Role::Drafts, "Kopie robocze"},
    WellKnown{Role::Drafts, "Черновики"},
    WellKnown{Role::Drafts, "下書き"},
    WellKnown{Role::Drafts, "草稿"},
    WellKnown{Role::Drafts, "임시 보관함"},
    WellKnown{Role::Drafts, "Utkast"},
    WellKnown{Role::Drafts, "Kladder"},
    WellKnown{Role::Drafts, "Luonnokset"},
    WellKnown{Role::Drafts, "Koncepty"},
    WellKnown{Role::Drafts, "Piszkozatok"},
    WellKnown{Role::Drafts, "Taslaklar"},
    WellKnown{Role::Drafts, "Πρόχειρα"},
    // Trash
    WellKnown{Role::Trash, "Deleted Items"},
    WellKnown{Role::Trash, "Trash"},
    WellKnown{Role::Trash, "Deleted Messages"},
    WellKnown{Role::Trash, "Gelöschte Elemente"},
    WellKnown{Role::Trash, "Gelöschte Objekte"},
    WellKnown{Role::Trash, "Éléments supprimés"},
    WellKnown{Role::Trash, "Elementos eliminados"},
    WellKnown{Role::Trash, "Posta eliminata"},
    WellKnown{Role::Trash, "Verwijderde items"},
    WellKnown{Role::Trash, "Itens Excluídos"},
    WellKnown{Role::Trash, "Elementy usunięte"},
    WellKnown{Role::Trash, "Удаленные"},
    WellKnown{Role::Trash, "削除済みアイテム"},
    WellKnown{Role::Trash, "已删除邮件"},
    WellKnown{Role::Trash, "刪除的郵件"},
    WellKnown{Role::Trash, "지운 편지함"},
    WellKnown{Role::Trash, "Borttagna objekt"},
    WellKnown{Role::Trash, "Slettet post"},
    WellKnown{Role::Trash, "Slettede elementer"},
    WellKnown{Role::Trash, "Poistetut"},
    WellKnown{Role::Trash, "Odstraněná pošta"},
    WellKnown{Role::Trash, "Törölt elemek"},
    WellKnown{Role::Trash, "Silinmiş Öğeler"},
    WellKnown{Role::Trash, "Διαγραμμένα"},
    // Junk
    WellKnown{Role::Junk, "Junk E-mail"},
    WellKnown{Role::Junk, "Junk Email"},
    WellKnown{Role::Junk, "Junk"},
    WellKnown{Role::Junk, "Spam"},
    WellKnown{Role::Junk, "Junk-E-Mail"},
    WellKnown{Role::Junk, "Courrier indésirable"},
    WellKnown{Role::Junk, "Correo no deseado"},
    WellKnown{Role::Junk, "Posta indesiderata"},
    WellKnown{Role::Junk, "Ongewenste e-mail"},
    WellKnown{Role::Junk, "Lixo Eletrônico"},
    WellKnown{Role::Junk, "Wiadomości-śmieci"},
    WellKnown{Role::Junk, "Нежелательная почта"},
    WellKnown{Role::Junk, "迷惑メール"},
    WellKnown{Role::Junk, "垃圾邮件"},
    WellKnown{Role::Junk, "垃圾郵件"},
    WellKnown{Role::Junk, "정크 메일"},
    WellKnown{Role::Junk, "Skräppost"},
    WellKnown{Role::Junk, "Uønsket e-mail"},
    WellKnown{Role::Junk, "Søppelpost"},
    WellKnown{Role::Junk, "Roskaposti"},
    WellKnown{Role::Junk, "Nevyžádaná pošta"},
    WellKnown{Role::Junk, "Levélszemét"},
    WellKnown{Role::Junk, "Gereksiz E-posta"},
    WellKnown{Role::Junk, "Ανεπιθύμητη αλληλογραφία"},
    // Outbox
    WellKnown{Role::Outbox, "Outbox"},
    WellKnown{Role::Outbox, "Postausgang"},
    WellKnown{Role::Outbox, "Boîte d'envoi"},
    WellKnown{Role::Outbox, "Bandeja de salida"},
    WellKnown{Role::Outbox, "Posta in uscita"},
    WellKnown{Role::Outbox, "Postvak UIT"},
    WellKnown{Role::Outbox, "Caixa de Saída"},
    WellKnown{Role::Outbox, "Skrzynka nadawcza"},
    WellKnown{Role::Outbox, "Исходящие"},
    WellKnown{Role::Outbox, "送信トレイ"},
    WellKnown{Role::Outbox, "发件箱"},
    WellKnown{Role::Outbox, "寄件匣"},
    WellKnown{Role::Outbox, "보낼 편지함"},
    WellKnown{Role::Outbox, "Utkorgen"},
    WellKnown{Role::Outbox, "Udbakke"},
    WellKnown{Role::Outbox, "Utboks"},
    WellKnown{Role::Outbox, "Lähtevät"},
    WellKnown{Role::Outbox, "Pošta k odeslání"},
    WellKnown{Role::Outbox, "Postázandó üzenetek"},
    WellKnown{Role::Outbox, "Giden Kutusu"},
    WellKnown{Role::Outbox, "Εξερχόμενα"},
};

bool ascii_iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    unsigned char x = static_cast<unsigned char>(a[i]), y = static_cast<unsigned char>(b[i]);
    if (x < 0x80 && y < 0x80) {
      if (std::tolower(x) != std::tolower(y)) return false;
    } else if (x != y) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::unordered_map<std::uint64_t, RoleAssignment> roles_from_entry_ids(const PstFile& file) {
  std::unordered_map<std::uint64_t, RoleAssignment> out;
  auto assign = [&](std::optional<std::uint64_t> nid, Role role) {
    if (nid && is_folder(file, *nid)) out.emplace(*nid, RoleAssignment{role, RoleSource::EntryId});
  };
  // The store's entry ids, from the raw properties (sizes checked).
  auto store_id = [&](std::uint16_t prop) -> std::optional<std::uint64_t> {
    auto it = file.store_properties().find(prop);
    if (it == file.store_properties().end()) return std::nullopt;
    return own_folder(file, it->second.bytes);
  };

  std::optional<std::uint64_t> inbox = receive_folder(file);
  if (inbox && !is_folder(file, *inbox)) inbox.reset();

  std::vector<std::uint64_t> holders;
  if (inbox) holders.push_back(*inbox);
  holders.push_back(kNidRootFolder);

  // Order matters only when two roles name the same folder: the first wins.
  assign(inbox, Role::Inbox);
  assign(store_id(kPropSentItemsEntryId), Role::Sent);
  assign(special_folder(file, holders, kPropDraftsEntryId, std::nullopt), Role::Drafts);
  assign(store_id(kPropWastebasketEntryId), Role::Trash);
  assign(special_folder(file, holders, kPropAdditionalRenEntryIds, kJunkRenIndex), Role::Junk);
  assign(store_id(kPropOutboxEntryId), Role::Outbox);
  return out;
}

Role role_from_folder_name(const std::string& utf8_name) {
  for (const WellKnown& w : kWellKnownNames)
    if (ascii_iequals(utf8_name, w.name)) return w.role;
  return Role::None;
}

}  // namespace mailferry::pst

// The History and Conflicts screens' states: changes and conflicts as people
// read them. Every code (field names, record ids, device ids, authors, form
// keys) goes through display.h on the way.
#include "app/app.h"
#include "app/display.h"
#include "text/i18n.h"

namespace ccfield::app {

using ui::tr;

void App::RefreshHistory() {
  HistoryState& h = state_.history;
  Result<Record> r = store_->FindAny(h.record_id);
  if (r.ok()) {
    h.title = RecordTitle(store_.get(), *r, FormLanguages());
    h.type = r->type;
  }
  h.changes = store_->History(h.record_id).value_or({});
  h.field_labels.clear();
  h.value_texts.clear();
  h.who_texts.clear();
  h.clock_notes.clear();
  const Record* rec = r.ok() ? &*r : nullptr;
  for (const ChangeEntry& c : h.changes) {
    h.field_labels.push_back(FieldLabel(store_.get(), rec, c.field, FormLanguages()));
    h.value_texts.push_back(c.field == kDeletedField ? (c.value == true ? tr("deleted") : tr("restored"))
                                                     : ValueText(store_.get(), rec, c.field, c.value, FormLanguages()));
    const std::string who = c.user.empty() ? c.author : c.user;  // whose tablet: the verified user
    h.who_texts.push_back(VerifiedAuthorName(store_.get(), c.author, c.user) + " · " +
                          DeviceText(store_.get(), c.device_id, who));
    h.clock_notes.push_back(ClockFlagText(c.clock));
  }
}

void App::RefreshConflicts() {
  ConflictsState& c = state_.conflicts;
  c.open.clear();
  c.others.clear();
  auto all = store_->replica().Conflicts(true);
  if (!all.ok()) return ShowMessage(ui::StatusText(all.status()), true);
  // Where a version came from: this device, or the tablet of whoever wrote it.
  auto where = [this](const std::string& device, const std::string& author, const std::string& user) {
    if (device == store_->device_id()) return std::string(tr("on this device"));
    if (author.empty() && user.empty()) return std::string(tr("from another device"));
    return ui::Format(tr("from {name}'s tablet"), {{"name", VerifiedAuthorName(store_.get(), author, user)}});
  };
  for (const FieldConflict& info : *all) {
    if (info.resolving_locally) continue;
    ConflictItem item;
    item.info = info;
    std::optional<RecordType> type = RecordTypeOf(info.type);
    Result<Record> rec = store_->FindAny(info.record_id);
    const Record* r = rec.ok() ? &*rec : nullptr;
    item.record_title = r ? RecordTitle(store_.get(), *r, FormLanguages()) : tr("A record not on this device");
    const FieldSpec* spec = type ? FindField(*type, info.field) : nullptr;
    item.is_text = spec && (spec->kind == FieldKind::kLongText || spec->kind == FieldKind::kText);
    item.field_label = FieldLabel(store_.get(), r, info.field, FormLanguages());
    item.base_text = ValueText(store_.get(), r, info.field, info.base, FormLanguages());
    item.current_text = ValueText(store_.get(), r, info.field, info.winner, FormLanguages());
    item.other_text = ValueText(store_.get(), r, info.field, info.loser, FormLanguages());
    item.current_who = where(info.winner_device, info.winner_author, info.winner_user);
    item.other_who = where(info.loser_device, info.loser_author, info.loser_user);
    (info.mine ? c.open : c.others).push_back(std::move(item));
  }
}

}  // namespace ccfield::app

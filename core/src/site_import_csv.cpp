// Reading a CSV site file (ParseSitesCsv, site_import.h): RFC 4180 records,
// the header's columns, and each row's values as the row checks want them.
#include <charconv>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "ccfield/core/site_import.h"
#include "ccfield/core/status.h"
#include "ccfield/core/text.h"
#include "site_import_internal.h"

namespace ccfield {

using nlohmann::json;
using namespace site_import_internal;

namespace {

constexpr std::string_view kUnicodeMinus = "\xE2\x88\x92";  // U+2212, as some spreadsheets write it

struct CsvRecord {
  int line = 0;
  std::vector<std::string> cells;
  std::string error;  // a quoting error; the cells are then incomplete
};

char SniffDelimiter(std::string_view text) {
  std::string_view first = text.substr(0, text.find_first_of("\r\n"));
  for (char c : {',', ';', '\t'}) {
    if (first.find(c) != std::string_view::npos) return c;
  }
  return ',';
}

// RFC 4180 records. Quoted values may hold delimiters, doubled quotes and line
// breaks (a CRLF inside quotes becomes LF). Records end at LF, CRLF or CR.
class CsvReader {
 public:
  CsvReader(std::string_view text, char delim) : text_(text), delim_(delim) {}

  // Every record of the text. A quoted value that is not closed sets `*fatal`
  // and ends the reading.
  std::vector<CsvRecord> ReadAll(std::string* fatal) {
    std::vector<CsvRecord> records;
    while (i_ < text_.size()) {
      CsvRecord rec;
      rec.line = line_;
      if (!ReadRecord(&rec, fatal)) return records;
      records.push_back(std::move(rec));
    }
    return records;
  }

 private:
  bool At(char c) const { return i_ < text_.size() && text_[i_] == c; }
  bool AtLineEnd() const { return At('\r') || At('\n'); }

  // Consumes one line break (CRLF counts once); returns whether there was one.
  bool EatNewline() {
    if (At('\r')) {
      ++i_;
      if (At('\n')) ++i_;
      ++line_;
      return true;
    }
    if (At('\n')) {
      ++i_;
      ++line_;
      return true;
    }
    return false;
  }

  // The values of one record, up to and including its line break.
  bool ReadRecord(CsvRecord* rec, std::string* fatal) {
    while (true) {  // one value per pass
      std::string cell;
      if (At('"')) {
        if (!ReadQuoted(rec, &cell, fatal)) return false;
      } else {
        ReadPlain(rec, &cell);
      }
      rec->cells.push_back(std::move(cell));
      if (!rec->error.empty()) {  // skip the rest of the physical line
        while (i_ < text_.size() && !AtLineEnd()) ++i_;
      }
      if (At(delim_)) {
        ++i_;
        continue;
      }
      EatNewline();
      return true;
    }
  }

  // A value that starts with '"'; false (and `*fatal`) when it is not closed.
  bool ReadQuoted(CsvRecord* rec, std::string* cell, std::string* fatal) {
    const size_t n = text_.size();
    const int opened = line_;
    ++i_;
    bool closed = false;
    while (i_ < n) {
      char c = text_[i_];
      if (c == '"') {
        if (i_ + 1 < n && text_[i_ + 1] == '"') {
          *cell += '"';
          i_ += 2;
          continue;
        }
        ++i_;
        closed = true;
        break;
      }
      if (c == '\r' || c == '\n') {
        EatNewline();
        *cell += '\n';
        continue;
      }
      *cell += c;
      ++i_;
    }
    if (!closed) {
      *fatal = "line " + std::to_string(opened) + ": a quoted value is not closed (a \" is missing)";
      return false;
    }
    while (At(' ') || (At('\t') && delim_ != '\t')) ++i_;
    if (i_ < n && !At(delim_) && !AtLineEnd() && rec->error.empty()) {
      rec->error = "there is text after a closing quote; put the whole value in quotes";
    }
    return true;
  }

  // A value that does not start with '"': up to the delimiter or line end.
  void ReadPlain(CsvRecord* rec, std::string* cell) {
    while (i_ < text_.size() && !At(delim_) && !AtLineEnd()) {
      if (At('"') && rec->error.empty()) {
        rec->error = "a value has a \" but does not start with one; quote the value and double the \" inside";
      }
      *cell += text_[i_++];
    }
  }

  std::string_view text_;
  char delim_;
  size_t i_ = 0;
  int line_ = 1;
};

bool IsBlank(const CsvRecord& r) {
  if (!r.error.empty()) return false;
  for (const std::string& c : r.cells) {
    if (!Trim(c).empty()) return false;
  }
  return true;
}

// The field a header names, or "" for a column that is ignored.
std::string ColumnField(std::string_view header) {
  const std::string h = Lower(Trim(header));
  for (std::string_view f : kTextFields) {
    if (h == f) return h;
  }
  if (h == "lat" || h == "latitude") return "lat";
  if (h == "lon" || h == "lng" || h == "long" || h == "longitude") return "lon";
  return "";
}

// Reads the header: `columns` gets the field of each column ("" ignored),
// `ignored` the names of the ignored columns. Returns the error that refuses
// the whole file, or "".
std::string ReadHeader(const CsvRecord& header, std::vector<std::string>* columns, std::vector<std::string>* ignored) {
  const std::string where_header = "the header (line " + std::to_string(header.line) + ")";
  if (!header.error.empty()) return where_header + ": " + header.error;
  for (const std::string& cell : header.cells) {
    if (FindInvalidUtf8(cell)) return where_header + " is not valid UTF-8 text; save the file as CSV UTF-8";
  }
  std::set<std::string> seen;
  for (const std::string& cell : header.cells) {
    std::string field = ColumnField(cell);
    if (!field.empty() && !seen.insert(field).second) return where_header + " has the column " + field + " twice";
    if (field.empty() && !Trim(cell).empty()) ignored->push_back(std::string(Trim(cell)));
    columns->push_back(field);
  }
  if (!seen.count("name")) {
    return "the first line must be a header naming the columns (" + std::string(kKnownColumns) +
           "); it has no name column";
  }
  return "";
}

// A decimal number as people type it: optional sign (ASCII or U+2212),
// decimal point. A decimal comma gets its own message.
Result<double> ParseDecimal(std::string_view field, std::string_view raw) {
  std::string_view s = Trim(raw);
  std::string text;
  if (s.starts_with(kUnicodeMinus)) {
    text = "-";
    s.remove_prefix(kUnicodeMinus.size());
  } else if (s.starts_with("+")) {
    s.remove_prefix(1);
  }
  text += s;
  const std::string name(field);
  if (text.find(',') != std::string::npos) {
    return Status::Invalid(name + " " + Quoted(raw) + " has a decimal comma; write it with a point, like -6.79");
  }
  double value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value, std::chars_format::fixed);
  if (text.empty() || text == "-" || ec != std::errc() || ptr != end || !std::isfinite(value)) {
    return Status::Invalid(name + " " + Quoted(raw) + " is not a number in degrees, like -6.79");
  }
  return value;
}

// Whether the row can be read value by value; when not, appends why to `out`.
bool CheckRecord(const CsvRecord& rec, size_t column_count, SiteFile* out) {
  if (!rec.error.empty()) {
    out->errors.push_back({rec.line, rec.error});
    return false;
  }
  if (rec.cells.size() != column_count) {
    out->errors.push_back({rec.line, std::to_string(rec.cells.size()) + " values, but the header has " +
                                         std::to_string(column_count) + " columns"});
    return false;
  }
  for (const std::string& cell : rec.cells) {
    if (auto bad = FindInvalidUtf8(cell)) {
      out->errors.push_back({rec.line, "the row is not valid UTF-8 text (in " + Quoted(Utf8Prefix(cell, *bad)) +
                                           "...); save the file as CSV UTF-8"});
      return false;
    }
  }
  return true;
}

// The values a row gives (empty cells are not given), lat and lon as numbers.
// A lat or lon that is not a number is reported in `out` and left out, with
// its partner, so that the row checks do not report it again.
json ReadRowValues(const CsvRecord& rec, const std::vector<std::string>& columns, SiteFile* out) {
  json given = json::object();
  std::vector<std::string> number_errors;
  for (size_t c = 0; c < columns.size(); ++c) {
    const std::string& field = columns[c];
    std::string_view value = Trim(rec.cells[c]);
    if (field.empty() || value.empty()) continue;
    if (field == "lat" || field == "lon") {
      Result<double> v = ParseDecimal(field, value);
      if (v.ok()) {
        given[field] = *v;
      } else {
        number_errors.push_back(v.status().message());
        given[field] = nullptr;  // given, but bad: keeps "lat and lon go together" quiet
      }
    } else {
      given[field] = std::string(value);
    }
  }
  for (std::string& e : number_errors) out->errors.push_back({rec.line, std::move(e)});
  if (!number_errors.empty()) {
    for (const char* f : {"lat", "lon"}) {
      if (given.contains(f) && given[f].is_null()) given.erase(f);
    }
    if (given.contains("lat") != given.contains("lon")) given.erase(given.contains("lat") ? "lat" : "lon");
  }
  return given;
}

}  // namespace

SiteFile ParseSitesCsv(std::string_view input) {
  constexpr SiteFileFormat kFmt = SiteFileFormat::kCsv;
  std::string_view text;
  if (std::optional<SiteFile> refused = RefuseBadSiteFile(kFmt, input, &text)) return std::move(*refused);
  std::string fatal;
  std::vector<CsvRecord> records = CsvReader(text, SniffDelimiter(text)).ReadAll(&fatal);
  if (!fatal.empty()) return FileError(kFmt, fatal);
  size_t r = 0;
  while (r < records.size() && IsBlank(records[r])) ++r;
  if (r == records.size()) return FileError(kFmt, "the file is empty; nothing to import");
  const CsvRecord& header = records[r++];
  std::vector<std::string> columns;  // column index -> field ("" ignored)
  std::vector<std::string> ignored;
  if (std::string error = ReadHeader(header, &columns, &ignored); !error.empty()) return FileError(kFmt, error);
  SiteFile out;
  out.format = kFmt;
  if (!ignored.empty()) {
    out.warnings.push_back(
        {header.line, "ignored the columns " + JoinList(ignored) + " (known columns: " + kKnownColumns + ")"});
  }
  bool any = false;
  for (; r < records.size(); ++r) {
    const CsvRecord& rec = records[r];
    if (IsBlank(rec)) continue;
    any = true;
    if (!CheckRecord(rec, columns.size(), &out)) continue;
    json given = ReadRowValues(rec, columns, &out);
    AddRow(rec.line, std::move(given), &out);
  }
  if (!any && out.errors.empty()) return FileError(kFmt, "the file has a header but no sites");
  Finish(&out);
  return out;
}

}  // namespace ccfield

#pragma once
// Synthetic but realistic data for the benches (store, sync, ui): seeded
// randomness, timestamps at UTC offsets, notes drawn from a Zipf vocabulary in
// English, French, Portuguese and Russian, a workspace with people, projects
// and sites, and visits of all five built-in forms whose answers validate.
// bench/README.md ("The data") describes the shapes.
//
// Everything is deterministic: the same seeds write the same data and ids, so
// runs can be compared. Not thread-safe: one Rng or VisitMaker per thread.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "ccfield/core/store.h"

namespace ccfield::bench {

// ---- Randomness and time ----------------------------------------------------

// Seeded so that two runs with the same seed write the same data (ids too).
class Rng {
 public:
  explicit Rng(uint64_t seed) : gen_(seed) {}
  int Int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(gen_); }  // inclusive
  double Real(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(gen_); }
  bool Chance(double p) { return Real(0, 1) < p; }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[static_cast<size_t>(Int(0, static_cast<int>(v.size()) - 1))];
  }
  std::string Uuid() {
    unsigned char b[16];
    for (int i = 0; i < 16; i += 8) {
      uint64_t x = gen_();
      std::memcpy(b + i, &x, 8);
    }
    b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40);
    b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);
    char out[37];
    std::snprintf(out, sizeof out, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                  b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
    return out;
  }
  std::mt19937_64& gen() { return gen_; }

 private:
  std::mt19937_64 gen_;
};

// "2025-03-14T08:05:00+03:00" for a UTC instant shown at a UTC offset
// (minutes east of UTC; 0 gives "Z").
std::string LocalTimestamp(int64_t utc_ms, int offset_min);
// "2025-03-14": the UTC date of an instant.
std::string DateOf(int64_t utc_ms);

// ---- Vocabulary -------------------------------------------------------------

// One language: ~130 hand-written frequent words, then 6000 generated rare
// words (names, misspellings, local words); a word's place is its Zipf rank.
struct Language {
  std::string code;
  std::vector<std::string> words;  // by rank
  size_t head = 0;                 // words[0..head) are the hand-written ones
  std::vector<double> cdf;

  const std::string& Draw(Rng& rng) const;
};

struct Vocabulary {
  std::vector<Language> langs;  // en, fr, pt, ru
  std::vector<double> weights = {0.40, 0.30, 0.20, 0.10};
  const Language& en() const { return langs[0]; }
};

// Always the same words (the tails are generated from fixed seeds).
Vocabulary MakeVocabulary();

// Sentences of Zipf-drawn words, at least `target_bytes` long; non-English
// notes borrow an English word now and then, as field notes do ("le drain").
std::string Sentences(Rng& rng, const Vocabulary& v, const Language& lang, size_t target_bytes);

// ---- Fixture: the workspace, people, projects and sites visits refer to -----

struct Site {
  std::string id;
  double lat = 0, lon = 0;
};

struct Fixture {
  std::string workspace_id;
  std::vector<std::string> members, projects;
  std::vector<Site> sites;
  std::vector<Op> setup_ops;  // creates all of the above; commit once
};

// One workspace, 20 members, 8 projects and `n_sites` sites in Dar es Salaam
// style neighbourhoods.
Fixture MakeFixture(uint64_t seed, int n_sites);

// ---- Visits -----------------------------------------------------------------

// Pick lists for the envelope fields of a visit.
inline const std::vector<std::string> kWeather = {"dry",       "light_rain", "heavy_rain", "after_rain_24h",
                                                  "hot_sunny", "windy_dusty"};
inline const std::vector<std::string> kCondition = {"0", "1", "2", "3", "na", "ni"};
inline const std::vector<std::string> kPriority = {"P1", "P2", "P3"};
inline const std::vector<int> kOffsetsMin = {180, 60, 0, -180, 330, 120};

// Builds realistic visit SetFields ops whose answers validate against the
// built-in forms (required fields answered, conditional fields only when
// shown): drainage 40 %, solid waste 25 %, WASH 15 %, heat 10 %, settlement
// 10 %; some sites visited much more often than others; three years from
// 2023-01-01 at several UTC offsets.
// `fx` and `vocab` must outlive the maker.
class VisitMaker {
 public:
  VisitMaker(const Fixture& fx, const Vocabulary& vocab, uint64_t seed);

  // One complete visit with notes of about [notes_min, notes_max] bytes.
  SetFields Make(size_t notes_min, size_t notes_max);

 private:
  nlohmann::json Answers(const FormDef& form, const Language& lang);
  nlohmann::json AnswerValue(const FormField& f, const Language& lang);

  const Fixture& fx_;
  const Vocabulary& vocab_;
  Rng rng_;
  std::vector<const FormDef*> forms_;
  std::discrete_distribution<size_t> form_dist_, site_dist_, lang_dist_;
};

}  // namespace ccfield::bench

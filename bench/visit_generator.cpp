// The benches' synthetic data; visit_generator.h says what it is.
#include "visit_generator.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>
#include <string_view>

#include "ccfield/core/text.h"

namespace ccfield::bench {
namespace {

using nlohmann::json;

// Days since 1970-01-01 to a civil date.
void CivilFromDays(int64_t days, int* y, int* m, int* d) {
  const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{days}}};
  *y = static_cast<int>(ymd.year());
  *m = static_cast<int>(static_cast<unsigned>(ymd.month()));
  *d = static_cast<int>(static_cast<unsigned>(ymd.day()));
}

// ---- Vocabulary -------------------------------------------------------------

// Frequent words first: their place in the list is their Zipf rank. A long
// tail of generated words (rank after the list) gives the rare terms that real
// notes have: names, misspellings, local words.
// clang-format off
constexpr std::string_view kEnglishHead =
    "the and of to in is at on with was drain water waste near blocked road flooding after rain side "
    "not by from culvert channel market school residents plastic sediment standing houses open outlet "
    "inlet cleared needs cleaning community street broken cover smell mosquitoes children pipe bridge "
    "river garbage heavy repair concrete damaged partly fully households reported morning overflow "
    "collection point flow slow mud sand grass trees path footbridge stagnant erosion wall collapsed "
    "latrine tap queue pump borehole leaking container burning dumping illegal informal settlement "
    "heat shade cooling temperature hot elderly clinic drainage downstream upstream ward chairperson "
    "contractor municipality manhole grate missing debris silt depth knee ankle flooded impassable "
    "vehicles motorbikes traders stalls vendors again since last week month season urgent follow "
    "inspection photo taken measured estimated about meters centimetres hyacinth vegetation invasive";
constexpr std::string_view kFrenchHead =
    "de la le et les des est à en du un une au dans caniveau eau déchets près bouché après pluie "
    "rue inondation marché école riverains plastique sable stagnante maisons avaloir dalot curage "
    "nécessaire quartier odeur moustiques enfants tuyau pont rivière ordures forte réparation "
    "béton dégradé partiellement complètement ménages signalé matin débordement collecte "
    "écoulement lent boue herbe arbres chemin passerelle érosion mur effondré latrines robinet "
    "file pompe forage fuite bac brûlage dépôt sauvage chaleur ombre température très âgées "
    "centre santé égout fossé aval amont chef entreprise mairie regard grille manquante débris "
    "vase profondeur genou cheville inondé impraticable véhicules motos commerçants étals encore "
    "depuis dernière semaine mois saison urgent suivi inspection photo prise mesuré estimé environ "
    "mètres centimètres jacinthe végétation envahissante rétention bassin exutoire évacuation "
    "côté là où déjà problème réhabilitation";
constexpr std::string_view kPortugueseHead =
    "de a o e do da em que no na com os as vala água lixo perto entupida depois chuva rua "
    "inundação mercado escola moradores plástico areia parada casas sarjeta aqueduto limpeza "
    "necessária bairro cheiro mosquitos crianças tubo ponte rio resíduos forte reparação betão "
    "danificada parcialmente completamente famílias reportado manhã transbordo recolha escoamento "
    "lento lama capim árvores caminho erosão muro desabou latrina torneira fila bomba furo fuga "
    "contentor queima depósito ilegal informal calor sombra temperatura muito idosos centro saúde "
    "esgoto jusante montante chefe empreiteiro município caixa grelha falta detritos lodo "
    "profundidade joelho tornozelo inundado intransitável viaturas motas vendedores bancas novamente "
    "desde última semana mês época urgente seguimento inspeção foto tirada medido estimado cerca "
    "metros centímetros aguapé vegetação invasora drenagem bacia descarga não já também "
    "problema reabilitação";
constexpr std::string_view kRussianHead =
    "и в на не с по у после вода канава мусор рядом засор "
    "дождя улица подтопление рынок школа жители пластик "
    "песок стоячая дома водосток труба очистка нужна "
    "район запах комары дети мост река отходы сильный "
    "ремонт бетон повреждён частично полностью семьи "
    "сообщили утром переполнение вывоз сток медленный "
    "грязь трава деревья дорожка эрозия стена обрушилась "
    "туалет кран очередь насос скважина утечка контейнер "
    "сжигание свалка незаконная жара тень температура "
    "очень пожилые поликлиника канализация ниже выше "
    "староста подрядчик администрация люк решётка "
    "отсутствует ил глубина колено щиколотка затоплено "
    "непроезжая машины торговцы снова неделю месяц сезон "
    "срочно осмотр фото измерено примерно метров "
    "сантиметров растительность дренаж";

// Syllables for the generated tail, so rare words look like the language.
constexpr std::string_view kEnglishSyllables =
    "ba ker lin ton ma rid sel wick den far mor ash bro quil ter van ges hol pit rum";
constexpr std::string_view kFrenchSyllables =
    "bé ca lou mè ri ton vé gnac dé lè mar çon jou pré sau thé nis col fê ru";
constexpr std::string_view kPortugueseSyllables =
    "ção ma lu rão bé ti nho pa cá ve zu lhe ri go mã sé tu ba qui dor";
constexpr std::string_view kRussianSyllables =
    "ка ли мо ра ст во ны же по ду ше ба ри то зё ль гу да ми "
    "хо";
// clang-format on

constexpr size_t kTailWords = 6000;
constexpr double kZipfExponent = 1.0;

std::vector<std::string> SplitWords(std::string_view text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find(' ', pos);
    if (end == std::string_view::npos) end = text.size();
    if (end > pos) out.emplace_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

Language MakeLanguage(std::string code, std::string_view head, std::string_view syllables, uint64_t seed) {
  Language lang;
  lang.code = std::move(code);
  std::set<std::string> seen;
  for (std::string& w : SplitWords(head)) {
    if (seen.insert(w).second) lang.words.push_back(std::move(w));
  }
  lang.head = lang.words.size();
  const std::vector<std::string> syl = SplitWords(syllables);
  Rng rng(seed);
  while (lang.words.size() < lang.head + kTailWords) {
    std::string w;
    int n = rng.Int(2, 4);
    for (int i = 0; i < n; ++i) w += syl[static_cast<size_t>(rng.Int(0, static_cast<int>(syl.size()) - 1))];
    if (seen.insert(w).second) lang.words.push_back(w);
  }
  double sum = 0;
  for (size_t r = 0; r < lang.words.size(); ++r) {
    sum += 1.0 / std::pow(static_cast<double>(r + 1), kZipfExponent);
    lang.cdf.push_back(sum);
  }
  return lang;
}

const char* const kHoods[] = {"Kariakoo", "Manzese",   "Tandale",  "Mburahati", "Jangwani",    "Yopougon",     "Abobo",
                              "Adjamé",   "Médina",    "Pikine",   "Maxaquene", "Chamanculo",  "Mafalala",     "Kibera",
                              "Mathare",  "Korogocho", "Ajegunle", "Makoko",    "Hlaingthaya", "Polana Caniço"};
// Words in site names, and the site-kind codes (data/site_kinds.json) they go with.
const char* const kSiteKinds[] = {"drain",     "culvert",        "market",           "water point",
                                  "dump site", "cooling centre", "settlement block", "outfall"};
const char* const kSiteKindCodes[] = {"drain",    "culvert",       "market",     "water_point",
                                      "dumpsite", "cooling_space", "settlement", "outfall"};
static_assert(std::size(kSiteKinds) == std::size(kSiteKindCodes));

constexpr int64_t kEpoch2023Ms = 1'672'531'200'000;  // 2023-01-01T00:00:00Z

}  // namespace

// ---- Time -------------------------------------------------------------------

std::string LocalTimestamp(int64_t utc_ms, int offset_min) {
  int64_t local_s = utc_ms / 1000 + int64_t{offset_min} * 60;
  int64_t days = local_s / 86400, sod = local_s % 86400;
  int y = 0, m = 0, d = 0;
  CivilFromDays(days, &y, &m, &d);
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", y, m, d, static_cast<int>(sod / 3600),
                        static_cast<int>(sod / 60 % 60), static_cast<int>(sod % 60));
  if (offset_min == 0) {
    std::snprintf(buf + n, sizeof buf - static_cast<size_t>(n), "Z");
  } else {
    int a = std::abs(offset_min);
    std::snprintf(buf + n, sizeof buf - static_cast<size_t>(n), "%c%02d:%02d", offset_min < 0 ? '-' : '+', a / 60,
                  a % 60);
  }
  return buf;
}

std::string DateOf(int64_t utc_ms) {
  int y = 0, m = 0, d = 0;
  CivilFromDays(utc_ms / 86'400'000, &y, &m, &d);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
  return buf;
}

// ---- Vocabulary -------------------------------------------------------------

const std::string& Language::Draw(Rng& rng) const {
  double u = rng.Real(0, cdf.back());
  size_t i = static_cast<size_t>(std::upper_bound(cdf.begin(), cdf.end(), u) - cdf.begin());
  return words[std::min(i, words.size() - 1)];
}

Vocabulary MakeVocabulary() {
  Vocabulary v;
  v.langs.push_back(MakeLanguage("en", kEnglishHead, kEnglishSyllables, 101));
  v.langs.push_back(MakeLanguage("fr", kFrenchHead, kFrenchSyllables, 102));
  v.langs.push_back(MakeLanguage("pt", kPortugueseHead, kPortugueseSyllables, 103));
  v.langs.push_back(MakeLanguage("ru", kRussianHead, kRussianSyllables, 104));
  return v;
}

std::string Sentences(Rng& rng, const Vocabulary& v, const Language& lang, size_t target_bytes) {
  std::string out;
  while (out.size() < target_bytes) {
    if (!out.empty()) out += ' ';
    int n = rng.Int(6, 16);
    for (int i = 0; i < n; ++i) {
      const Language& from = (lang.code != "en" && rng.Chance(0.05)) ? v.en() : lang;
      std::string w = from.Draw(rng);
      if (i == 0 && !w.empty() && w[0] >= 'a' && w[0] <= 'z') w[0] = static_cast<char>(w[0] - 'a' + 'A');
      if (i > 0) out += (rng.Chance(0.08) ? ", " : " ");
      out += w;
    }
    out += '.';
  }
  return out;
}

// ---- Fixture ----------------------------------------------------------------

Fixture MakeFixture(uint64_t seed, int n_sites) {
  Rng rng(seed * 7919 + 1);
  Fixture fx;
  fx.workspace_id = rng.Uuid();
  fx.setup_ops.push_back(SetFields{RecordType::kWorkspace,
                                   fx.workspace_id,
                                   {{"name", "Bench city"}, {"country", "TZ"}, {"default_language", "en"}}});
  for (int i = 0; i < 20; ++i) {
    fx.members.push_back(rng.Uuid());
    fx.setup_ops.push_back(SetFields{
        RecordType::kMember,
        fx.members.back(),
        {{"workspace_id", fx.workspace_id}, {"name", "Inspector " + std::to_string(i + 1)}, {"role", "field_staff"}}});
  }
  for (int i = 0; i < 8; ++i) {
    fx.projects.push_back(rng.Uuid());
    fx.setup_ops.push_back(SetFields{RecordType::kProject,
                                     fx.projects.back(),
                                     {{"workspace_id", fx.workspace_id},
                                      {"title", "Resilience project " + std::to_string(i + 1)},
                                      {"summary", "Drains, waste and water points in the informal settlements."},
                                      {"topic", "flooding"},
                                      {"sdg_targets", {"11.5", "6.2"}},
                                      {"status", "active"}}});
  }
  for (int i = 0; i < n_sites; ++i) {
    Site s;
    s.id = rng.Uuid();
    s.lat = -6.8 + rng.Real(-0.1, 0.1);
    s.lon = 39.27 + rng.Real(-0.1, 0.1);
    std::string hood = kHoods[i % std::size(kHoods)];
    const int k = rng.Int(0, static_cast<int>(std::size(kSiteKinds)) - 1);
    std::string kind = kSiteKinds[k];
    fx.setup_ops.push_back(SetFields{RecordType::kSite,
                                     s.id,
                                     {{"workspace_id", fx.workspace_id},
                                      {"name", hood + " " + kind + " " + std::to_string(i + 1)},
                                      {"kind", kSiteKindCodes[k]},
                                      {"ward", hood},
                                      {"address", "Street " + std::to_string(rng.Int(1, 300)) + ", " + hood},
                                      {"lat", s.lat},
                                      {"lon", s.lon}}});
    fx.sites.push_back(std::move(s));
  }
  return fx;
}

// ---- Visits -----------------------------------------------------------------

VisitMaker::VisitMaker(const Fixture& fx, const Vocabulary& vocab, uint64_t seed) : fx_(fx), vocab_(vocab), rng_(seed) {
  // Drainage dominates, as in the field; every built-in form appears.
  const std::map<std::string, double> share = {
      {"drainage_flood", 0.40}, {"solid_waste", 0.25}, {"wash", 0.15}, {"heat", 0.10}, {"settlement", 0.10}};
  std::vector<double> form_weights, site_weights;
  for (const FormDef& f : BuiltinForms()) {
    forms_.push_back(&f);
    auto it = share.find(f.id);
    form_weights.push_back(it == share.end() ? 0.05 : it->second);
  }
  // Some sites are visited much more often than others.
  for (size_t i = 0; i < fx_.sites.size(); ++i) site_weights.push_back(1.0 / std::sqrt(static_cast<double>(i + 1)));
  form_dist_ = std::discrete_distribution<size_t>(form_weights.begin(), form_weights.end());
  site_dist_ = std::discrete_distribution<size_t>(site_weights.begin(), site_weights.end());
  lang_dist_ = std::discrete_distribution<size_t>(vocab_.weights.begin(), vocab_.weights.end());
}

SetFields VisitMaker::Make(size_t notes_min, size_t notes_max) {
  const Language& lang = vocab_.langs[lang_dist_(rng_.gen())];
  const FormDef& form = *forms_[form_dist_(rng_.gen())];
  const Site& site = fx_.sites[site_dist_(rng_.gen())];
  // Three years of visits, shown at the device's UTC offset.
  int64_t start_ms = kEpoch2023Ms + static_cast<int64_t>(rng_.Real(0, 3 * 365.0 * 86'400'000));
  start_ms -= start_ms % 1000;
  int offset = kOffsetsMin[static_cast<size_t>(rng_.Int(0, static_cast<int>(kOffsetsMin.size()) - 1))];
  int64_t end_ms = start_ms + rng_.Int(10, 90) * 60'000;
  json f = {
      {"workspace_id", fx_.workspace_id},
      {"site_id", site.id},
      {"form", form.key()},
      {"status", "complete"},
      {"started_at", LocalTimestamp(start_ms, offset)},
      {"ended_at", LocalTimestamp(end_ms, offset)},
      {"inspector_id", rng_.Pick(fx_.members)},
      {"gps_lat", site.lat + rng_.Real(-0.0005, 0.0005)},
      {"gps_lon", site.lon + rng_.Real(-0.0005, 0.0005)},
      {"gps_accuracy_m", std::round(rng_.Real(3, 25))},
      {"gps_source", "gps"},
      {"weather", rng_.Pick(kWeather)},
      {"condition_rating", rng_.Pick(kCondition)},
      {"language", lang.code},
  };
  if (rng_.Chance(0.6)) f["project_id"] = rng_.Pick(fx_.projects);
  bool follow_up = rng_.Chance(0.4);
  f["follow_up_needed"] = follow_up;
  if (follow_up) {
    f["follow_up_action"] = Sentences(rng_, vocab_, lang, static_cast<size_t>(rng_.Int(30, 80)));
    f["follow_up_priority"] = rng_.Pick(kPriority);
    f["follow_up_due"] = DateOf(end_ms + rng_.Int(3, 60) * int64_t{86'400'000});
  }
  size_t notes_bytes = static_cast<size_t>(rng_.Int(static_cast<int>(notes_min), static_cast<int>(notes_max)));
  f["notes"] = Sentences(rng_, vocab_, lang, notes_bytes);
  if (!form.sdg_targets.empty()) f["sdg_targets"] = json::array({rng_.Pick(form.sdg_targets)});
  f["answers"] = Answers(form, lang);
  return SetFields{RecordType::kVisit, rng_.Uuid(), std::move(f)};
}

// About 8 answers: every shown required field, others by chance.
json VisitMaker::Answers(const FormDef& form, const Language& lang) {
  json a = json::object();
  double p = std::min(1.0, 7.0 / static_cast<double>(form.fields.size()));
  for (const FormField& field : form.fields) {
    if (!IsShown(form, field, a)) continue;
    if (!field.required && !rng_.Chance(p)) continue;
    a[field.id] = AnswerValue(field, lang);
  }
  return a;
}

json VisitMaker::AnswerValue(const FormField& f, const Language& lang) {
  auto number_in = [&](double dflt_hi) {
    double lo = f.min.value_or(0), hi = f.max.value_or(lo + dflt_hi);
    hi = std::min(hi, lo + dflt_hi);  // keep realistic magnitudes
    return std::pair(lo, hi);
  };
  switch (f.type) {
    case AnswerType::kText: {
      size_t limit = std::min<size_t>(f.max_length.value_or(60), 60);
      std::string s = Sentences(rng_, vocab_, lang, 12);
      while (s.size() > limit) s.pop_back();
      while (!s.empty() && FindInvalidUtf8(s)) s.pop_back();  // do not cut a character in two
      if (s.empty()) s = "ok";
      return s;
    }
    case AnswerType::kLongText:
      return Sentences(rng_, vocab_, lang, 80);
    case AnswerType::kInteger: {
      auto [lo, hi] = number_in(200);
      return static_cast<int64_t>(rng_.Int(static_cast<int>(std::ceil(lo)), static_cast<int>(std::floor(hi))));
    }
    case AnswerType::kDecimal: {
      auto [lo, hi] = number_in(100);
      double x = std::round(rng_.Real(lo, hi) * 10) / 10;
      return std::clamp(x, lo, hi);
    }
    case AnswerType::kSingleChoice:
      return rng_.Pick(f.options).value;
    case AnswerType::kMultiChoice: {
      size_t max_n = std::min<size_t>(f.max_selected.value_or(3), std::min<size_t>(3, f.options.size()));
      size_t n = static_cast<size_t>(rng_.Int(1, static_cast<int>(max_n)));
      std::vector<std::string> values;
      for (const FormOption& o : f.options) values.push_back(o.value);
      std::shuffle(values.begin(), values.end(), rng_.gen());
      values.resize(n);
      return values;
    }
    case AnswerType::kYesNo:
      return rng_.Chance(0.5);
    case AnswerType::kDate:
      return DateOf(kEpoch2023Ms + static_cast<int64_t>(rng_.Real(0, 3 * 365.0 * 86'400'000)));
    case AnswerType::kPosition:
      return json{{"lat", rng_.Real(-7, -6)}, {"lon", rng_.Real(39, 40)}};
  }
  return nullptr;
}

}  // namespace ccfield::bench

// ccfield_ui_bench: figures for the window (bench/README.md says what each
// one means). It prints figures and never asserts on time: the summary says
// whether a target was met, the exit code only says whether the program could
// run (0) or failed to set up (2).
//
// Figures (the four targets), each with a baseline:
//   (1) idle CPU of the real ccfield process with its window open, over 10 s,
//       against the same window redrawing every frame;
//   (2) frame time with a 10,000-visit list on the SDL software renderer while
//       the list scrolls, against the same frames with an empty visit list;
//   (3) start-up to the first frame with a 100,000-visit store, against the
//       demo data set;
//   (4) resident memory with that store and the visit list open, against the
//       demo data set on Home.
// (1), (3) and (4) spawn the ccfield binary built by this tree under the
// caller's X display (run the bench with xvfb-run -a); (2) runs the app, the
// views and AppWindow in this process, as ui/window_main.cpp does.
// Diagnostics: a child process that times (and sizes) each start-up phase.

#include <fcntl.h>
#include <imgui.h>
#include <imgui_internal.h>  // the list's child window: its scroll position (to wrap and restore it)
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "app/app.h"
#include "bench_util.h"
#include "ccfield/core/store.h"
#include "ccfield/platform/app_window.h"
#include "ccfield/platform/env.h"
#include "views/fonts.h"
#include "views/theme.h"
#include "views/views.h"
#include "views/widgets.h"
#include "visit_generator.h"

extern char** environ;

#ifndef CCFIELD_APP_PATH
#error "CCFIELD_APP_PATH must name the ccfield binary (bench/CMakeLists.txt sets it)"
#endif

namespace ccfield::bench {
namespace {

namespace fs = std::filesystem;

// Bump when the generated data changes, so that old cached stores are not used.
constexpr const char* kCacheVersion = "v1";
constexpr int kSites = 500;
constexpr int kWidth = 1100, kHeight = 720;  // the app's default window size

void SleepS(double s) { std::this_thread::sleep_for(std::chrono::duration<double>(s)); }

// ---- Options ----------------------------------------------------------------

struct Options : CommonOptions {
  int list_visits = 10000;    // (1), (2)
  int large_visits = 100000;  // (3), (4)
  int frames = 600;
  int warmup_frames = 30;
  float wheel = 1.0f;  // wheel notches per frame (ImGui scrolls 5 lines per notch)
  double idle_s = 10;
  double settle_s = 3;
  int runs = 5;
  bool rebuild = false;
  std::string cache;  // generated stores, kept between runs
  std::set<std::string> only;
  std::string child_phases;  // internal: time start-up phases on this data dir and exit
  std::string child_screen = "home";
};

void Usage() {
  std::printf(
      "usage: xvfb-run -a ccfield_ui_bench [--quick] [--only LIST] [--frames N] [--idle-seconds S]\n"
      "                                    [--runs N] [--list-visits N] [--large-visits N]\n"
      "                                    [--dir DIR] [--cache DIR] [--rebuild] [--keep] [--seed N]\n"
      "  --quick            smoke run: 2000/10000 visits, 150 frames, 3 s idle, 3 runs\n"
      "  --only LIST        some of idle,frames,startup,memory (comma-separated; default all)\n"
      "  --frames N         frames timed per case in (2) (default 600)\n"
      "  --wheel N          wheel notches per frame while scrolling in (2) (default 1)\n"
      "  --idle-seconds S   length of the idle window in (1) (default 10)\n"
      "  --settle-seconds S wait after spawning before measuring (default 3)\n"
      "  --runs N           start-ups per store in (3) (default 5)\n"
      "  --list-visits N    visits in the store of (1) and (2) (default 10000)\n"
      "  --large-visits N   visits in the store of (3) and (4) (default 100000)\n"
      "  --dir DIR          work files (default: a fresh dir under /tmp, removed after)\n"
      "  --cache DIR        generated stores, reused between runs (default /tmp/ccfield_ui_bench_cache)\n"
      "  --rebuild          generate the cached stores again\n"
      "  --keep             keep the default work directory\n"
      "  --seed N           seed of the synthetic data (default 1)\n");
}

Options ParseOptions(int argc, char** argv) {
  Options o;
  bool frames_given = false, idle_given = false, runs_given = false, list_given = false, large_given = false;
  bool settle_given = false;
  for (ArgReader args(argc, argv); args.Next();) {
    const std::string& a = args.option();
    auto number = [&] { return args.Number(1e7); };
    if (a == "--only") {
      std::stringstream s(args.Value());
      for (std::string part; std::getline(s, part, ',');) {
        if (part != "idle" && part != "frames" && part != "startup" && part != "memory") {
          Die("--only takes idle, frames, startup, memory; not \"" + part + "\"");
        }
        o.only.insert(part);
      }
    } else if (a == "--frames") {
      o.frames = static_cast<int>(number());
      frames_given = true;
    } else if (a == "--wheel") {
      o.wheel = static_cast<float>(number());
    } else if (a == "--idle-seconds") {
      o.idle_s = number();
      idle_given = true;
    } else if (a == "--settle-seconds") {
      o.settle_s = number();
      settle_given = true;
    } else if (a == "--runs") {
      o.runs = static_cast<int>(number());
      runs_given = true;
    } else if (a == "--list-visits") {
      o.list_visits = static_cast<int>(number());
      list_given = true;
    } else if (a == "--large-visits") {
      o.large_visits = static_cast<int>(number());
      large_given = true;
    } else if (a == "--cache") {
      o.cache = args.Value();
    } else if (a == "--rebuild") {
      o.rebuild = true;
    } else if (a == "--child-phases") {
      o.child_phases = args.Value();
      o.child_screen = args.Value();
    } else if (!args.Common(&o, Usage)) {
      args.Unknown(Usage);
    }
  }
  if (o.quick) {
    if (!list_given) o.list_visits = 2000;
    if (!large_given) o.large_visits = 10000;
    if (!frames_given) o.frames = 150;
    if (!idle_given) o.idle_s = 3;
    if (!runs_given) o.runs = 3;
    if (!settle_given) o.settle_s = 2;
  }
  if (o.frames < 10) Die("--frames must be at least 10");
  if (o.runs < 1) Die("--runs must be at least 1");
  if (o.idle_s < 1) Die("--idle-seconds must be at least 1");
  if (o.cache.empty()) o.cache = "/tmp/ccfield_ui_bench_cache";
  return o;
}

bool Wanted(const Options& o, const char* part) { return o.only.empty() || o.only.count(part) > 0; }

// ---- Statistics and output ----------------------------------------------------

std::string CpuModel() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("model name", 0) == 0) {
      size_t colon = line.find(':');
      if (colon != std::string::npos) return line.substr(colon + 2);
    }
  }
  return "unknown";
}

// ---- /proc ------------------------------------------------------------------------

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A "Key:   value kB" line of /proc/PID/status (or /proc/self/status), in kB; -1 if absent.
int64_t StatusKb(const std::string& status, const std::string& key) {
  size_t pos = status.find("\n" + key + ":");
  if (pos == std::string::npos) return -1;
  return std::atoll(status.c_str() + pos + key.size() + 2);
}

struct Memory {
  int64_t rss_kb = -1, hwm_kb = -1, anon_kb = -1, file_kb = -1, shmem_kb = -1;
};

Memory ReadMemory(const std::string& proc_dir) {
  std::string s = "\n" + ReadFile(proc_dir + "/status");
  return {StatusKb(s, "VmRSS"), StatusKb(s, "VmHWM"), StatusKb(s, "RssAnon"), StatusKb(s, "RssFile"),
          StatusKb(s, "RssShmem")};
}

double Mb(int64_t kb) { return static_cast<double>(kb) / 1024.0; }

struct ThreadSample {
  std::string comm;
  double cpu_s = 0;                        // schedstat: time on a CPU, ns resolution
  int64_t voluntary = 0, involuntary = 0;  // context switches: voluntary ones are wake-ups after sleeping
};

struct CpuSample {
  Clock::time_point at;
  double stat_s = 0;  // utime + stime of the whole process (exited threads too), in clock ticks
  std::map<int, ThreadSample> threads;
  double ThreadsCpu() const {
    double s = 0;
    for (const auto& [tid, t] : threads) s += t.cpu_s;
    return s;
  }
};

CpuSample SampleCpu(pid_t pid) {
  CpuSample out;
  out.at = Clock::now();
  const std::string dir = "/proc/" + std::to_string(pid);
  std::string stat = ReadFile(dir + "/stat");
  size_t paren = stat.rfind(')');
  if (paren != std::string::npos) {
    // Fields after the command: state is field 3; utime and stime are 14 and 15.
    std::istringstream in(stat.substr(paren + 2));
    std::vector<std::string> f;
    for (std::string x; in >> x;) f.push_back(x);
    if (f.size() > 12) {
      const double tick = static_cast<double>(::sysconf(_SC_CLK_TCK));
      out.stat_s = (std::atof(f[11].c_str()) + std::atof(f[12].c_str())) / tick;
    }
  }
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir + "/task", ec)) {
    const std::string t = e.path().string();
    ThreadSample ts;
    ts.comm = ReadFile(t + "/comm");
    while (!ts.comm.empty() && ts.comm.back() == '\n') ts.comm.pop_back();
    ts.cpu_s = std::atof(ReadFile(t + "/schedstat").c_str()) / 1e9;
    std::string st = "\n" + ReadFile(t + "/status");
    ts.voluntary = StatusKb(st, "voluntary_ctxt_switches");
    ts.involuntary = StatusKb(st, "nonvoluntary_ctxt_switches");
    out.threads[std::atoi(e.path().filename().c_str())] = ts;
  }
  return out;
}

// CPU use between two samples of one process, as % of one core.
struct CpuFigures {
  double wall_s = 0, cpu_s = 0, pct = 0, stat_pct = 0;
  int64_t wakeups = 0;  // voluntary context switches of all threads
  std::string by_thread;
};

CpuFigures CpuBetween(const CpuSample& a, const CpuSample& b) {
  CpuFigures f;
  f.wall_s = MsBetween(a.at, b.at) / 1000;
  f.cpu_s = b.ThreadsCpu() - a.ThreadsCpu();
  // Threads that ended in between are missing from b: count what they had used
  // only through stat (coarse), which sees them.
  f.pct = 100 * f.cpu_s / f.wall_s;
  f.stat_pct = 100 * (b.stat_s - a.stat_s) / f.wall_s;
  std::ostringstream by;
  int quiet = 0;
  for (const auto& [tid, tb] : b.threads) {
    auto it = a.threads.find(tid);
    if (it == a.threads.end()) continue;
    const ThreadSample& ta = it->second;
    int64_t vol = tb.voluntary - ta.voluntary, invol = tb.involuntary - ta.involuntary;
    f.wakeups += vol;
    if (vol == 0 && invol == 0 && tb.cpu_s == ta.cpu_s) {
      ++quiet;
      continue;
    }
    char buf[160];
    std::snprintf(buf, sizeof buf, " %s:cpu_ms=%.1f,wakeups=%lld,preempted=%lld", tb.comm.c_str(),
                  (tb.cpu_s - ta.cpu_s) * 1000, static_cast<long long>(vol), static_cast<long long>(invol));
    by << buf;
  }
  by << " (" << quiet << " of " << b.threads.size() << " threads did not run)";
  f.by_thread = by.str();
  return f;
}

// ---- Child processes --------------------------------------------------------------

// A spawned process with its stdout on a pipe; stderr goes to a file.
struct Child {
  pid_t pid = 0;
  int out_fd = -1;
  Clock::time_point started;
  std::string out;     // stdout, once Finish has read it
  int code = 0;        // exit code, -1 if a signal ended it
  double wall_ms = 0;  // spawn to exit (end of stdout)
};

// Extra environment entries ("NAME=value") for a child.
using EnvVars = std::vector<std::string>;

// SDL reads this hint from the environment. Unset, SDL 2 draws a software
// renderer's window surface through an OpenGL texture when GL is available
// (Mesa llvmpipe under Xvfb); "0" makes it use the X11 framebuffer directly.
// The bench measures the app as shipped (unset) and, as a what-if, with "0".
constexpr const char* kFbAccel = "SDL_FRAMEBUFFER_ACCELERATION";
const EnvVars kFbAccelOff = {std::string(kFbAccel) + "=0"};

Child Spawn(const std::vector<std::string>& args, const std::string& stderr_path, const EnvVars& extra_env = {}) {
  SpawnOptions so;
  so.stderr_path = stderr_path;
  // The renderer on the command line is what we measure (CCFIELD_RENDERER
  // would override it), and the framebuffer hint only where asked for.
  for (char** e = environ; *e; ++e) {
    if (std::strncmp(*e, "CCFIELD_RENDERER=", 17) != 0 && std::strncmp(*e, "SDL_FRAMEBUFFER_ACCELERATION=", 29) != 0) {
      so.env.push_back(*e);
    }
  }
  so.env.insert(so.env.end(), extra_env.begin(), extra_env.end());
  Child c;
  c.started = Clock::now();
  const Spawned s = bench::Spawn(args, so);
  c.pid = s.pid;
  c.out_fd = s.out_fd;
  return c;
}

// Reads the child's stdout to the end and reaps it. Waits at most `timeout_s`,
// then kills it. Returns false if it had to be killed.
bool Finish(Child* c, double timeout_s) {
  const auto t0 = Clock::now();
  c->out = ReadOutput(c->out_fd, timeout_s);
  c->out_fd = -1;
  const bool killed = MsBetween(t0, Clock::now()) >= timeout_s * 1000;
  if (killed) ::kill(c->pid, SIGKILL);
  c->code = Reap(c->pid);
  c->wall_ms = MsBetween(c->started, Clock::now());
  return !killed;
}

// Asks a window to close as a person would (SIGTERM: SDL turns it into a quit
// event, so the app exits normally and prints --stats), then reaps it.
bool Stop(Child* c) {
  ::kill(c->pid, SIGTERM);
  return Finish(c, 15);
}

// Running (not exited, not a zombie waiting to be reaped).
bool Alive(pid_t pid) {
  std::string stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  size_t paren = stat.rfind(')');
  return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] != 'Z' && stat[paren + 2] != 'X';
}

std::vector<std::string> AppArgs(const std::string& data_dir, std::vector<std::string> extra) {
  std::vector<std::string> a = {CCFIELD_APP_PATH, "--data", data_dir, "window", "--renderer", "software"};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

std::string WriteScript(const std::string& dir, const std::string& name, const std::string& text) {
  std::string path = dir + "/" + name;
  std::ofstream(path) << text;
  return path;
}

// "frames N wakeups N seconds S" from --stats; false if absent.
bool ParseStats(const std::string& out, int64_t* frames, int64_t* wakeups, double* seconds) {
  size_t pos = out.find("frames ");
  long long f = 0, w = 0;
  if (pos == std::string::npos ||
      std::sscanf(out.c_str() + pos, "frames %lld wakeups %lld seconds %lf", &f, &w, seconds) != 3) {
    return false;
  }
  *frames = f;
  *wakeups = w;
  return true;
}

// ---- Stores -----------------------------------------------------------------------

struct StoreInfo {
  std::string dir;  // the data dir (holds ccfield.db)
  int visits = 0;
  bool built_now = false;
  double generate_s = 0, commit_s = 0;
  int64_t db_bytes = 0;
};

// A data dir with `visits` synthetic visits (visit_generator.h: 500 sites, all
// five forms, notes in four languages), built once and kept in the cache:
// generating 100,000 visits takes minutes. Built in a temporary directory and
// renamed, so that an interrupted build is never reused.
StoreInfo CachedStore(const Options& opt, int visits, const Vocabulary& vocab) {
  StoreInfo info;
  info.visits = visits;
  info.dir = opt.cache + "/" + kCacheVersion + "-visits" + std::to_string(visits) + "-seed" + std::to_string(opt.seed);
  if (opt.rebuild) fs::remove_all(info.dir);
  if (fs::exists(info.dir + "/ccfield.db")) {
    info.db_bytes = FileSize(info.dir + "/ccfield.db");
    return info;
  }
  fs::create_directories(opt.cache);
  const std::string tmp = info.dir + ".building." + std::to_string(::getpid());
  fs::remove_all(tmp);
  fs::create_directories(tmp);
  std::printf("generating %d visits into %s (once; cached) ...\n", visits, info.dir.c_str());
  std::fflush(stdout);
  {
    StoreOptions so;
    so.path = tmp + "/ccfield.db";
    auto store = Check(Store::Open(DefaultEnv(), so), "creating " + so.path);
    const Fixture fx = MakeFixture(opt.seed, kSites);
    Check(store->Commit(fx.setup_ops), "creating sites");
    VisitMaker maker(fx, vocab, opt.seed * 31 + 5);
    constexpr int kBatch = 1000;
    double gen_ms = 0, commit_ms = 0;
    for (int done = 0; done < visits; done += kBatch) {
      auto g0 = Clock::now();
      std::vector<Op> ops;
      for (int i = done; i < std::min(visits, done + kBatch); ++i) ops.push_back(maker.Make(300, 1200));
      auto g1 = Clock::now();
      Check(store->Commit(ops), "saving a batch of visits");
      gen_ms += MsBetween(g0, g1);
      commit_ms += MsBetween(g1, Clock::now());
      if ((done / kBatch) % 20 == 19) {
        std::printf("  %d visits\n", done + kBatch);
        std::fflush(stdout);
      }
    }
    info.generate_s = gen_ms / 1000;
    info.commit_s = commit_ms / 1000;
  }  // closing checkpoints the WAL
  std::error_code ec;
  fs::rename(tmp, info.dir, ec);
  if (ec) {
    // Another run finished the same store first: use that one.
    fs::remove_all(tmp);
    if (!fs::exists(info.dir + "/ccfield.db")) Die("cannot move " + tmp + " to " + info.dir + ": " + ec.message());
  }
  info.built_now = true;
  info.db_bytes = FileSize(info.dir + "/ccfield.db");
  std::printf("generated visits=%d generate_s=%.1f commit_s=%.1f db_mb=%.1f\n", visits, info.generate_s, info.commit_s,
              static_cast<double>(info.db_bytes) / 1e6);
  return info;
}

// ---- The loop of ui/window_main.cpp, in process -------------------------------------

// Fonts and theme as RunWindow keeps them: rebuilt when the language, the text
// size or the scripts on screen change.
struct LookState {
  unsigned font_scripts = 0;
  float font_size = 0;
  bool theme_set = false;
  app::Theme theme{};
  float theme_scale = 0;
  int font_rebuilds = 0;
  double font_ms = 0;
};

void UpdateLook(AppWindow* window, const app::App& app, LookState* look) {
  const app::UiSettings& st = app.settings();
  const float scale = st.text_scale * window->dpi_scale();
  const unsigned want = views::WantedScripts(st.language);
  if ((want & ~look->font_scripts) != 0 || look->font_size != 18.0f * scale) {
    auto t0 = Clock::now();
    std::string font_error;
    if (!views::BuildFonts(want, 18.0f * scale, &font_error)) std::printf("fonts: %s\n", font_error.c_str());
    window->RebuildFontTexture();
    look->font_scripts = want;
    look->font_size = 18.0f * scale;
    ++look->font_rebuilds;
    look->font_ms += MsBetween(t0, Clock::now());
  }
  if (!look->theme_set || look->theme != st.theme || look->theme_scale != scale) {
    views::ApplyTheme(st.theme, scale);
    const float c = st.theme == app::Theme::kDark ? 0.1f : 1.0f;
    window->SetClearColor(c, c, c);
    look->theme_set = true;
    look->theme = st.theme;
    look->theme_scale = scale;
  }
}

double ThreadCpuMs() {
  timespec ts;
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

// One screen of one store, drawn frame after frame as RunWindow draws it,
// while the mouse wheels over the visit list.
class FrameCase {
 public:
  FrameCase(std::string label, AppWindow* window, const std::string& data_dir, app::Screen screen)
      : label_(std::move(label)), window_(window) {
    app::AppOptions ao;
    ao.env = DefaultEnv();
    ao.data_dir = data_dir;
    ao.wake = window->Waker();
    ao.load_demo_on_first_start = false;
    ao.background_sync = false;
    app_ = Check(app::App::Open(std::move(ao)), "opening the app on " + data_dir);
    app_->Apply(app::Command{app::GoTo{screen}});
  }

  // Draws one frame with the wheel turned at `mouse` (no input when nullopt),
  // timing it from the platform NewFrame to Present when `record`.
  void Frame(LookState* look, std::optional<ImVec2> mouse, float wheel, bool record) {
    ImGuiIO& io = ImGui::GetIO();
    const ImGuiWindow* list = ListWindow();
    const float y0 = list ? list->Scroll.y : 0;
    window_->WaitEvents(0);
    app_->Tick();
    UpdateLook(window_, *app_, look);
    const double c0 = ThreadCpuMs();
    const auto t0 = Clock::now();
    window_->NewFrame();
    if (mouse) {
      io.MousePos = *mouse;
      io.MouseWheel = -wheel;
    }
    ImGui::NewFrame();
    views::BeginItemLog();
    app::Commands commands;
    views::Frame frame{app_->state(), commands, ui_state_, look->theme_scale};
    views::DrawMain(frame);
    ImGui::Render();
    const auto t1 = Clock::now();
    window_->Present();
    const auto t2 = Clock::now();
    const double c1 = ThreadCpuMs();
    if (record) {
      total_.push_back(MsBetween(t0, t2));
      ui_.push_back(MsBetween(t0, t1));
      present_.push_back(MsBetween(t1, t2));
      cpu_.push_back(c1 - c0);
    }
    if (!commands.empty()) app_->Apply(commands);  // none expected: nothing is clicked
    if (ImGuiWindow* w = ListWindow()) {
      if (record && list == w) scrolled_px_ += std::fabs(w->Scroll.y - y0);
      // At the bottom: back to the top, so that every frame scrolls. Set
      // directly: the next frame's wheel would override a SetScrollY target.
      if (mouse && w->ScrollMax.y > 0 && w->Scroll.y >= w->ScrollMax.y) {
        w->Scroll.y = 0;
        ++wraps_;
      }
    }
  }

  // The cases share ImGui's windows (same ids), so another case's frames reset
  // the list's scroll position. A chunk of this case's frames starts by putting
  // it back: a frame to draw the list again, then frames that apply the scroll
  // (a list that reappears needs two frames before its height is known).
  // ImGui also keeps wheeling the window the wheel last scrolled (for up to 2 s
  // while the mouse stays still), which may be another case's: forget it.
  void BeginChunk(LookState* look, std::optional<ImVec2> mouse) {
    GImGui->WheelingWindow = nullptr;
    GImGui->WheelingWindowTimer = 0;
    Frame(look, mouse, 0, false);
    for (int i = 0; i < 3; ++i) {
      ImGuiWindow* w = ListWindow();
      if (!w || std::fabs(w->Scroll.y - saved_scroll_) < 1) break;
      ImGui::SetScrollY(w, saved_scroll_);
      Frame(look, mouse, 0, false);
    }
  }
  void EndChunk() {
    if (const ImGuiWindow* w = ListWindow()) saved_scroll_ = w->Scroll.y;
  }

  size_t rows() const { return app_->state().visits.rows.size(); }

  // The visit list's child window if it was drawn last frame, else null.
  static ImGuiWindow* ListWindow() {
    for (ImGuiWindow* w : GImGui->Windows) {
      if (w->WasActive && std::strstr(w->Name, "/visitlist")) return w;
    }
    return nullptr;
  }

  void Print() const {
    Stats t = Summarize(total_), u = Summarize(ui_), p = Summarize(present_), c = Summarize(cpu_);
    const float row_h = 18.0f * 2.4f + ImGui::GetStyle().ItemSpacing.y;  // the list's row pitch at scale 1
    std::printf(
        "frame_ms case=%s rows=%zu p50=%.2f p95=%.2f max=%.2f mean=%.2f | imgui+views p50=%.2f p95=%.2f | "
        "present p50=%.2f p95=%.2f | thread_cpu p50=%.2f p95=%.2f | scrolled_rows=%.0f wraps=%d frames=%zu\n",
        label_.c_str(), rows(), t.p50, t.p95, t.max, t.mean, u.p50, u.p95, p.p50, p.p95, c.p50, c.p95,
        scrolled_px_ / row_h, wraps_, t.n);
  }

  Stats total() const { return Summarize(total_); }
  Stats ui() const { return Summarize(ui_); }
  Stats present() const { return Summarize(present_); }
  Stats cpu() const { return Summarize(cpu_); }

 private:
  std::string label_;
  AppWindow* window_;
  std::unique_ptr<app::App> app_;
  views::ViewState ui_state_;
  std::vector<double> total_, ui_, present_, cpu_;  // ms per recorded frame
  float saved_scroll_ = 0;
  double scrolled_px_ = 0;
  int wraps_ = 0;
};

struct CaseFigures {
  std::string label;
  size_t rows = 0;
  Stats total, ui, present, cpu;
};

struct FrameCaseSpec {
  std::string label;
  std::string data_dir;
  app::Screen screen;
};

// Opens the window (with SDL's framebuffer acceleration off when asked),
// warms each case up, then draws `opt.frames` timed frames per case in
// alternating chunks of 50, so that a change in the machine's load hits all
// cases alike. Returns the cases in `specs` order.
std::vector<CaseFigures> RunFrameCases(const std::vector<FrameCaseSpec>& specs, bool fb_accel_off, const Options& opt) {
  if (fb_accel_off) {
    ::setenv(kFbAccel, "0", 1);
  } else {
    ::unsetenv(kFbAccel);
  }
  ImGui::CreateContext();
  ImGui::GetIO().IniFilename = nullptr;
  WindowOptions wo;
  wo.title = "ccfield_ui_bench";
  wo.width = kWidth;
  wo.height = kHeight;
  wo.backend = RenderBackend::kSdlSoftware;
  wo.vsync = false;
  std::string error;
  std::unique_ptr<AppWindow> window = AppWindow::Open(wo, &error);
  if (!window) Die("cannot open the window: " + error);
  std::printf("window backend=%s dpi_scale=%.2f %s=%s\n", window->backend_name().c_str(),
              static_cast<double>(window->dpi_scale()), kFbAccel, fb_accel_off ? "0" : "(unset)");
  LookState look;
  std::vector<std::unique_ptr<FrameCase>> cases;
  for (const FrameCaseSpec& s : specs)
    cases.push_back(std::make_unique<FrameCase>(s.label, window.get(), s.data_dir, s.screen));
  // Find the visit list in the first case through the item log (as scripts do).
  std::optional<ImVec2> mouse;
  views::EnableItemLog(true);
  for (int i = 0; i < 10 && !mouse; ++i) {
    cases[0]->Frame(&look, std::nullopt, 0, false);
    for (const views::LoggedItem& item : views::LastFrameItems()) {
      if (item.label.rfind("row:", 0) == 0) {
        mouse = item.window_center;
        break;
      }
    }
  }
  views::EnableItemLog(false);
  if (!mouse) Die("no visit rows were drawn in case " + specs[0].label + ": cannot find the list to scroll");
  // The item log speaks of the frame just drawn; ImGui marks a window
  // WasActive only from the next frame on.
  cases[0]->Frame(&look, std::nullopt, 0, false);
  if (!FrameCase::ListWindow()) Die("the visit list's child window (\"visitlist\") is gone: update ui_bench.cpp");
  for (auto& c : cases) {
    for (int i = 0; i < opt.warmup_frames; ++i) c->Frame(&look, mouse, opt.wheel, false);
  }
  constexpr int kChunk = 50;
  for (int done = 0; done < opt.frames; done += kChunk) {
    for (auto& c : cases) {
      c->BeginChunk(&look, mouse);
      for (int i = done; i < std::min(opt.frames, done + kChunk); ++i) c->Frame(&look, mouse, opt.wheel, true);
      c->EndChunk();
    }
  }
  for (const auto& c : cases) c->Print();
  std::printf("fonts rebuilds=%d ms=%.1f (before the timed frames)\n", look.font_rebuilds, look.font_ms);
  std::fflush(stdout);
  std::vector<CaseFigures> out;
  for (size_t i = 0; i < cases.size(); ++i) {
    out.push_back(
        {specs[i].label, cases[i]->rows(), cases[i]->total(), cases[i]->ui(), cases[i]->present(), cases[i]->cpu()});
  }
  cases.clear();  // the apps go before the window that wakes them
  window.reset();
  ImGui::DestroyContext();
  ::unsetenv(kFbAccel);
  return out;
}

// ---- Start-up phases, in a child process (diagnostics) ----------------------------------

// Child mode: RunWindow's start-up, phase by phase, with the RSS after each;
// then `screen` ("home" or "visits") drawn, and its RSS. Prints one line per phase.
int ChildPhases(const std::string& data_dir, const std::string& screen) {
  const auto t0 = Clock::now();
  auto phase = [&, last = t0](const char* name) mutable {
    const auto now = Clock::now();
    Memory m = ReadMemory("/proc/self");
    std::printf("phase %s ms=%.1f at_ms=%.1f rss_mb=%.1f\n", name, MsBetween(last, now), MsBetween(t0, now),
                Mb(m.rss_kb));
    last = now;
  };
  phase("process_start");
  ImGui::CreateContext();
  ImGui::GetIO().IniFilename = nullptr;
  WindowOptions wo;
  wo.backend = RenderBackend::kSdlSoftware;
  wo.vsync = false;
  std::string error;
  std::unique_ptr<AppWindow> window = AppWindow::Open(wo, &error);
  if (!window) Die("cannot open the window: " + error);
  phase("window_open");
  app::AppOptions ao;
  ao.env = DefaultEnv();
  ao.data_dir = data_dir;
  ao.wake = window->Waker();
  ao.background_sync = false;  // the thread starts in App::Open; its work is not start-up
  std::unique_ptr<app::App> app = Check(app::App::Open(std::move(ao)), "opening the app on " + data_dir);
  phase("app_open");
  LookState look;
  views::ViewState ui_state;
  auto frame = [&] {
    window->WaitEvents(0);
    app->Tick();
    UpdateLook(window.get(), *app, &look);
    window->NewFrame();
    ImGui::NewFrame();
    app::Commands commands;
    views::Frame f{app->state(), commands, ui_state, look.theme_scale};
    views::DrawMain(f);
    ImGui::Render();
    window->Present();
  };
  UpdateLook(window.get(), *app, &look);
  phase("fonts_and_theme");
  frame();
  phase("first_frame");
  if (screen == "visits") {
    app->Apply(app::Command{app::GoTo{app::Screen::kVisits}});
    phase("goto_visits");
    frame();
    phase("visits_frame");
    frame();  // a new script on screen rebuilds the atlas before this one
    phase("visits_second_frame");
    std::printf("visit_rows=%zu\n", app->state().visits.rows.size());
  }
  app.reset();
  window.reset();
  ImGui::DestroyContext();
  return 0;
}

void RunPhases(const std::string& label, const std::string& data_dir, const std::string& screen,
               const std::string& work, const EnvVars& env = {}) {
  Child c = Spawn({"/proc/self/exe", "--child-phases", data_dir, screen}, work + "/phases.log", env);
  if (!Finish(&c, 120) || c.code != 0) {
    std::printf("phases %s: the child failed (see %s/phases.log)\n", label.c_str(), work.c_str());
    return;
  }
  std::istringstream in(c.out);
  for (std::string line; std::getline(in, line);) std::printf("  %s %s\n", label.c_str(), line.c_str());
}

// ---- (1) idle CPU ---------------------------------------------------------------------------

struct IdleFigures {
  CpuFigures settle, window;
  int64_t frames = -1, wakeups = -1;
  double seconds = 0;
};

// Spawns the app (with `script` if not empty), lets it settle, then samples its
// CPU over `window_s`, then closes it and reads its --stats.
IdleFigures MeasureIdle(const std::string& label, const std::string& data_dir, const std::string& script,
                        double settle_s, double window_s, const std::string& work) {
  std::vector<std::string> extra = {"--stats"};
  if (!script.empty()) extra.insert(extra.end(), {"--script", script});
  Child c = Spawn(AppArgs(data_dir, extra), work + "/app.log");
  CpuSample s0 = SampleCpu(c.pid);
  SleepS(settle_s);
  if (!Alive(c.pid)) Die(label + ": ccfield exited early (see " + work + "/app.log)");
  CpuSample s1 = SampleCpu(c.pid);
  SleepS(window_s);
  CpuSample s2 = SampleCpu(c.pid);
  IdleFigures f;
  f.settle = CpuBetween(s0, s1);
  f.window = CpuBetween(s1, s2);
  if (!Stop(&c)) std::printf("%s: ccfield did not exit on SIGTERM; killed\n", label.c_str());
  if (!ParseStats(c.out, &f.frames, &f.wakeups, &f.seconds)) f.frames = f.wakeups = -1;
  std::printf(
      "idle case=%s cpu_pct=%.3f (stat %.2f) cpu_ms=%.1f over_s=%.1f wakeups=%lld (%.1f/s) | settle_cpu_ms=%.0f | "
      "app_stats frames=%lld wakeups=%lld seconds=%.1f\n",
      label.c_str(), f.window.pct, f.window.stat_pct, f.window.cpu_s * 1000, f.window.wall_s,
      static_cast<long long>(f.window.wakeups), static_cast<double>(f.window.wakeups) / f.window.wall_s,
      f.settle.cpu_s * 1000, static_cast<long long>(f.frames), static_cast<long long>(f.wakeups), f.seconds);
  std::printf("idle case=%s threads:%s\n", label.c_str(), f.window.by_thread.c_str());
  std::fflush(stdout);
  return f;
}

// ---- (3) start-up ----------------------------------------------------------------------------

struct StartupFigures {
  std::vector<double> first_frame_ms, process_ms;
};

// One `--first-frame-exit` start: first_frame_ms as the app prints it, and
// the wall time from spawn to exit.
std::pair<double, double> StartOnce(const std::string& data_dir, const std::string& work, const EnvVars& env = {}) {
  Child c = Spawn(AppArgs(data_dir, {"--first-frame-exit"}), work + "/app.log", env);
  if (!Finish(&c, 300) || c.code != 0) {
    Die("ccfield --first-frame-exit failed on " + data_dir + " (see " + work + "/app.log): " + c.out);
  }
  long long ms = -1;
  size_t pos = c.out.find("first_frame_ms ");
  if (pos == std::string::npos || std::sscanf(c.out.c_str() + pos, "first_frame_ms %lld", &ms) != 1) {
    Die("ccfield --first-frame-exit printed no first_frame_ms: " + c.out);
  }
  return {static_cast<double>(ms), c.wall_ms};
}

StartupFigures MeasureStartup(const std::string& label, const std::string& data_dir, int runs, const std::string& work,
                              const EnvVars& env = {}) {
  StartupFigures f;
  for (int i = 0; i < runs; ++i) {
    auto [ff, proc] = StartOnce(data_dir, work, env);
    f.first_frame_ms.push_back(ff);
    f.process_ms.push_back(proc);
  }
  Stats a = Summarize(f.first_frame_ms), b = Summarize(f.process_ms);
  std::ostringstream each;
  for (double x : f.first_frame_ms) each << " " << x;
  std::printf(
      "startup case=%s first_frame_ms median=%.0f max=%.0f min=%.0f (each:%s) | spawn_to_exit_ms median=%.0f "
      "max=%.0f\n",
      label.c_str(), a.p50, a.max, a.min, each.str().c_str(), b.p50, b.max);
  std::fflush(stdout);
  return f;
}

// Drops the store's pages from the OS page cache (no root needed).
void EvictFromCache(const std::string& data_dir) {
  for (const char* suffix : {"", "-wal", "-shm"}) {
    int fd = ::open((data_dir + "/ccfield.db" + suffix).c_str(), O_RDONLY);
    if (fd < 0) continue;
    (void)::fdatasync(fd);
    (void)::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    ::close(fd);
  }
}

// ---- (4) memory ------------------------------------------------------------------------------

struct MemoryFigures {
  Memory m;
  double settled_after_s = 0;
};

// Spawns the app (with `script` if not empty) and waits until its RSS has
// stayed within 1 % for 1.5 s (at least `min_s`, at most 30 s), then reads it.
MemoryFigures MeasureMemory(const std::string& label, const std::string& data_dir, const std::string& script,
                            double min_s, const std::string& work, const EnvVars& env = {}) {
  std::vector<std::string> extra;
  if (!script.empty()) extra = {"--script", script};
  Child c = Spawn(AppArgs(data_dir, extra), work + "/app.log", env);
  const std::string proc = "/proc/" + std::to_string(c.pid);
  SleepS(min_s);
  int64_t ref = -1;
  auto stable_since = Clock::now();
  MemoryFigures f;
  while (true) {
    if (!Alive(c.pid)) Die(label + ": ccfield exited early (see " + work + "/app.log)");
    Memory m = ReadMemory(proc);
    if (ref < 0 || std::llabs(m.rss_kb - ref) * 100 > ref) {
      ref = m.rss_kb;
      stable_since = Clock::now();
    }
    if (MsBetween(stable_since, Clock::now()) >= 1500 || MsBetween(c.started, Clock::now()) > 30000) break;
    SleepS(0.25);
  }
  f.m = ReadMemory(proc);
  f.settled_after_s = MsBetween(c.started, Clock::now()) / 1000;
  Stop(&c);
  std::printf("memory case=%s rss_mb=%.1f hwm_mb=%.1f anon_mb=%.1f file_mb=%.1f shmem_mb=%.1f read_after_s=%.1f\n",
              label.c_str(), Mb(f.m.rss_kb), Mb(f.m.hwm_kb), Mb(f.m.anon_kb), Mb(f.m.file_kb), Mb(f.m.shmem_kb),
              f.settled_after_s);
  std::fflush(stdout);
  return f;
}

// ---- Main ---------------------------------------------------------------------------------------

int Run(const Options& opt) {
  const char* display = std::getenv("DISPLAY");
  const char* driver = std::getenv("SDL_VIDEODRIVER");
  if ((!display || !*display) && !(driver && std::string(driver) == "offscreen")) {
    Die("DISPLAY is not set: the bench opens windows. Run it under a virtual X server: "
        "xvfb-run -a build/bench/ccfield_ui_bench");
  }
  if (!fs::exists(CCFIELD_APP_PATH)) Die(std::string("the app is not built: ") + CCFIELD_APP_PATH);
  bool remove_work = false;
  const std::string work = MakeWorkDir(opt.dir, "ccfield_ui_bench", opt.keep, &remove_work);
  std::printf("ccfield_ui_bench dir=%s cache=%s list_visits=%d large_visits=%d frames=%d seed=%llu%s\n", work.c_str(),
              opt.cache.c_str(), opt.list_visits, opt.large_visits, opt.frames,
              static_cast<unsigned long long>(opt.seed), opt.quick ? " (quick: smaller than the targets' sizes)" : "");
  std::printf("app=%s\n", CCFIELD_APP_PATH);
  std::printf("machine cpus=%u cpu=\"%s\" display=%s sdl_videodriver=%s renderer=software window=%dx%d\n",
              std::thread::hardware_concurrency(), CpuModel().c_str(), display ? display : "(none)",
              driver ? driver : "(default)", kWidth, kHeight);
  if (const char* fb = std::getenv(kFbAccel)) {
    std::printf("note: %s=%s is set here; the bench unsets it for the as-shipped figures and sets 0 for the what-ifs\n",
                kFbAccel, fb);
  }
  const std::string load_start = LoadAverage();
  std::printf("loadavg_start=%s\n", load_start.c_str());
  std::fflush(stdout);

  const Vocabulary vocab = MakeVocabulary();
  const bool need_list = Wanted(opt, "idle") || Wanted(opt, "frames");
  const bool need_large = Wanted(opt, "startup") || Wanted(opt, "memory");
  std::optional<StoreInfo> list_store, empty_store, large_store;
  if (need_list) list_store = CachedStore(opt, opt.list_visits, vocab);
  if (Wanted(opt, "frames")) empty_store = CachedStore(opt, 0, vocab);
  if (need_large) large_store = CachedStore(opt, opt.large_visits, vocab);
  for (const auto* s : {&list_store, &empty_store, &large_store}) {
    if (!*s) continue;
    std::printf("store visits=%d db_mb=%.1f %s\n", (*s)->visits, static_cast<double>((*s)->db_bytes) / 1e6,
                (*s)->built_now ? "(generated now)" : "(cached)");
    if ((*s)->built_now) {
      Summary("store: generated %d visits in %.1f s (%.1f s making the data, %.1f s in Commit), cached in %s",
              (*s)->visits, (*s)->generate_s + (*s)->commit_s, (*s)->generate_s, (*s)->commit_s, (*s)->dir.c_str());
    }
  }
  // The demo data set: what a person sees on first start (the baseline of (3) and (4)).
  std::string demo_dir;
  double demo_first_start_ms = 0;
  if (need_large) {
    demo_dir = work + "/demo";
    fs::create_directories(demo_dir);
    demo_first_start_ms = StartOnce(demo_dir, work).first;  // loads the demo data
    std::printf("demo first start (imports the demo data) first_frame_ms=%.0f\n", demo_first_start_ms);
  }
  std::fflush(stdout);

  // ---- (3) start-up to the first frame ----
  if (Wanted(opt, "startup")) {
    SetSummarySection(3);
    std::printf("\n== (3) start-up to the first frame: ccfield --first-frame-exit, %d runs each\n", opt.runs);
    StartOnce(large_store->dir, work);  // warm the page cache; not counted
    StartupFigures large =
        MeasureStartup(std::to_string(opt.large_visits) + "_visits", large_store->dir, opt.runs, work);
    StartupFigures demo = MeasureStartup("demo", demo_dir, opt.runs, work);
    EvictFromCache(large_store->dir);
    auto [cold_ff, cold_proc] = StartOnce(large_store->dir, work);
    std::printf(
        "startup case=%d_visits_cold first_frame_ms=%.0f spawn_to_exit_ms=%.0f (store pages dropped with fadvise)\n",
        opt.large_visits, cold_ff, cold_proc);
    std::printf("startup phases (in a child process of this bench, same steps as RunWindow, no sync thread):\n");
    RunPhases(std::to_string(opt.large_visits) + "_visits", large_store->dir, "home", work);
    RunPhases("demo", demo_dir, "home", work);
    std::printf("what-if %s=0 (SDL draws the window surface without OpenGL):\n", kFbAccel);
    StartupFigures large_fb = MeasureStartup(std::to_string(opt.large_visits) + "_visits_fb_accel_off",
                                             large_store->dir, opt.runs, work, kFbAccelOff);
    RunPhases(std::to_string(opt.large_visits) + "_visits_fb_accel_off", large_store->dir, "home", work, kFbAccelOff);
    Stats l = Summarize(large.first_frame_ms), d = Summarize(demo.first_frame_ms);
    Stats lp = Summarize(large.process_ms);
    Summary(
        "(3) start-up to first frame, %d visits: first_frame_ms median=%.0f max=%.0f (spawn to exit median=%.0f); "
        "demo median=%.0f; ratio=%.2f  target<500: %s",
        opt.large_visits, l.p50, l.max, lp.p50, d.p50, Ratio(l.p50, d.p50), Verdict(l.p50 < 500));
    Summary("    cold page cache (fadvise): first_frame_ms=%.0f; what-if %s=0: median=%.0f max=%.0f", cold_ff, kFbAccel,
            Summarize(large_fb.first_frame_ms).p50, Summarize(large_fb.first_frame_ms).max);
  }

  // ---- (4) resident memory ----
  if (Wanted(opt, "memory")) {
    SetSummarySection(4);
    std::printf("\n== (4) resident memory of ccfield with the window open\n");
    const std::string visits_script = WriteScript(work, "visits.script", "click Visits\n");
    MemoryFigures visits =
        MeasureMemory(std::to_string(opt.large_visits) + "_visits_on_visits", large_store->dir, visits_script, 2, work);
    MemoryFigures home =
        MeasureMemory(std::to_string(opt.large_visits) + "_visits_on_home", large_store->dir, "", 2, work);
    MemoryFigures demo = MeasureMemory("demo_on_home", demo_dir, "", 2, work);
    std::printf("memory phases (in a child process of this bench; rss after each step):\n");
    RunPhases(std::to_string(opt.large_visits) + "_visits", large_store->dir, "visits", work);
    std::printf("what-if %s=0 (SDL draws the window surface without OpenGL):\n", kFbAccel);
    MemoryFigures visits_fb = MeasureMemory(std::to_string(opt.large_visits) + "_visits_on_visits_fb_accel_off",
                                            large_store->dir, visits_script, 2, work, kFbAccelOff);
    RunPhases(std::to_string(opt.large_visits) + "_visits_fb_accel_off", large_store->dir, "visits", work, kFbAccelOff);
    Summary(
        "(4) resident memory, %d visits, Visits screen: rss_mb=%.1f hwm_mb=%.1f; Home: rss_mb=%.1f; demo on Home: "
        "rss_mb=%.1f; ratio=%.2f  target<80: %s",
        opt.large_visits, Mb(visits.m.rss_kb), Mb(visits.m.hwm_kb), Mb(home.m.rss_kb), Mb(demo.m.rss_kb),
        Ratio(static_cast<double>(visits.m.rss_kb), static_cast<double>(demo.m.rss_kb)),
        Verdict(Mb(visits.m.rss_kb) < 80));
    Summary("    what-if %s=0: Visits screen rss_mb=%.1f hwm_mb=%.1f", kFbAccel, Mb(visits_fb.m.rss_kb),
            Mb(visits_fb.m.hwm_kb));
  }

  // ---- (1) idle CPU ----
  if (Wanted(opt, "idle")) {
    SetSummarySection(1);
    std::printf("\n== (1) idle CPU of ccfield with the window open (%d visits), %.0f s after %.0f s to settle\n",
                opt.list_visits, opt.idle_s, opt.settle_s);
    IdleFigures home = MeasureIdle("home", list_store->dir, "", opt.settle_s, opt.idle_s, work);
    std::optional<IdleFigures> visits;
    if (!opt.quick) {
      visits = MeasureIdle("visits", list_store->dir, WriteScript(work, "visits_idle.script", "click Visits\n"),
                           opt.settle_s, opt.idle_s, work);
    }
    // The baseline: the same window drawing every frame. A running script keeps
    // the loop from sleeping (RunWindow polls while the driver has steps), so a
    // long `wait` is a window that redraws continuously (vsync off).
    const double busy_s = std::min(opt.idle_s, 5.0);
    IdleFigures busy = MeasureIdle("continuous_redraw", list_store->dir,
                                   WriteScript(work, "busy.script", "wait 600000\nquit\n"), opt.settle_s, busy_s, work);
    const double fps = busy.seconds > 0 && busy.frames > 0 ? static_cast<double>(busy.frames) / busy.seconds : 0;
    const double cpu_ms_per_frame = fps > 0 ? busy.window.cpu_s * 1000 / (fps * busy.window.wall_s) : 0;
    const double at60 = cpu_ms_per_frame * 60 / 10;  // % of a core at 60 frames/s
    std::printf("continuous_redraw fps=%.0f cpu_ms_per_frame=%.2f cpu_pct_at_60fps=%.1f (derived)\n", fps,
                cpu_ms_per_frame, at60);
    char on_visits[64] = "";
    if (visits) std::snprintf(on_visits, sizeof on_visits, ", Visits: %.3f %%", visits->window.pct);
    Summary(
        "(1) idle CPU over %.0f s, Home: %.3f %% of a core (%.1f wake-ups/s)%s; continuous redraw: %.1f %% (%.0f "
        "fps), %.1f %% at 60 fps; idle/60fps=%.4f  target<0.5: %s",
        opt.idle_s, home.window.pct, static_cast<double>(home.window.wakeups) / home.window.wall_s, on_visits,
        busy.window.pct, fps, at60, Ratio(home.window.pct, at60),
        Verdict(home.window.pct < 0.5 && (!visits || visits->window.pct < 0.5)));
  }

  // ---- (2) frame time ----
  if (Wanted(opt, "frames")) {
    SetSummarySection(2);
    std::printf("\n== (2) frame time on the SDL software renderer, %dx%d, vsync off, scrolling %.1f notch/frame\n",
                kWidth, kHeight, static_cast<double>(opt.wheel));
    const std::string n = std::to_string(opt.list_visits);
    std::vector<CaseFigures> r = RunFrameCases({{"visits_" + n, list_store->dir, app::Screen::kVisits},
                                                {"visits_empty", empty_store->dir, app::Screen::kVisits}},
                                               false, opt);
    std::printf("what-if %s=0 (SDL draws the window surface without OpenGL):\n", kFbAccel);
    std::vector<CaseFigures> fb =
        RunFrameCases({{"visits_" + n + "_fb_accel_off", list_store->dir, app::Screen::kVisits},
                       {"visits_empty_fb_accel_off", empty_store->dir, app::Screen::kVisits}},
                      true, opt);
    const CaseFigures &list = r[0], &empty = r[1];
    Summary(
        "(2) frame_ms, %d-visit list scrolling: p50=%.2f p95=%.2f max=%.2f; empty list: p50=%.2f p95=%.2f; "
        "ratio p95=%.2f  target p95<4: %s",
        opt.list_visits, list.total.p50, list.total.p95, list.total.max, empty.total.p50, empty.total.p95,
        Ratio(list.total.p95, empty.total.p95), Verdict(list.total.p95 < 4));
    Summary("    of which imgui+views p95=%.2f, present p95=%.2f; main-thread CPU per frame p50=%.2f p95=%.2f",
            list.ui.p95, list.present.p95, list.cpu.p50, list.cpu.p95);
    Summary("    what-if %s=0: list p50=%.2f p95=%.2f (CPU p95=%.2f); empty list p95=%.2f", kFbAccel, fb[0].total.p50,
            fb[0].total.p95, fb[0].cpu.p95, fb[1].total.p95);
  }

  SetSummarySection(5);
  FinishRun(load_start, work, remove_work);
  return 0;
}

}  // namespace
}  // namespace ccfield::bench

int main(int argc, char** argv) {
  ccfield::bench::SetProgramName("ccfield_ui_bench");
  ccfield::bench::Options opt = ccfield::bench::ParseOptions(argc, argv);
  if (!opt.child_phases.empty()) return ccfield::bench::ChildPhases(opt.child_phases, opt.child_screen);
  return ccfield::bench::Run(opt);
}

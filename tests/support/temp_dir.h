#pragma once
// A fresh directory for one test, under $TMPDIR (default /tmp), removed with
// its contents when the object is destroyed. Set CCFIELD_KEEP_TEMP=1 to keep
// it for inspection (its path is then printed on stderr).
#include <string>
#include <string_view>

namespace ccfield::testing {

class TempDir {
 public:
  // Throws std::runtime_error when the directory cannot be created.
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path() + "/" + name; the file is not created.
  std::string File(std::string_view name) const { return path_ + "/" + std::string(name); }

 private:
  std::string path_;
};

}  // namespace ccfield::testing

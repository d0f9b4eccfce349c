// The doctest runner of every test program. Each run keeps sign-in tokens
// (platform/credentials) in a fresh directory of its own, removed at exit, so
// tests never read or leave tokens in the user's home, and no run sees
// another's (a test that needs its own directory still sets
// CCFIELD_CREDENTIALS_DIR itself).
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>

int main(int argc, char** argv) {
  std::string credentials;
  if (const char* set = std::getenv("CCFIELD_CREDENTIALS_DIR"); set == nullptr || *set == '\0') {
    std::string pattern = (std::filesystem::temp_directory_path() / "ccfield-test-credentials-XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) {
      credentials = pattern;
      setenv("CCFIELD_CREDENTIALS_DIR", credentials.c_str(), 1);
    }
  }
  doctest::Context context(argc, argv);
  int result = context.run();
  if (!credentials.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(credentials, ignored);
  }
  return result;
}

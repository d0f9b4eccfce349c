// Fuzz target: the one door for untrusted JSON (core/json_text.h).
// Checks: no crash and no exception; errors are Status values with a message
// naming what was read; nothing deeper than the limit gets through (at the
// default 64 and at a small limit); what parses dumps and parses again to the
// same value; JsonForOutput never throws.
#include <cstdint>
#include <string>

#include "ccfield/core/json_text.h"
#include "fuzz_check.h"

using ccfield::fuzz::AsText;
using ccfield::fuzz::CheckError;
using ccfield::fuzz::JsonDepth;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = AsText(data, size);
  for (int limit : {ccfield::kMaxJsonDepth, 3}) {
    ccfield::Result<nlohmann::json> r = ccfield::ParseUntrustedJson(text, "input", limit);
    if (!r.ok()) {
      CheckError(r.status());
      FUZZ_CHECK(r.status().message().rfind("input ", 0) == 0, r.status().message());
      continue;
    }
    FUZZ_CHECK(JsonDepth(*r) <= limit, "nesting over the limit got through");
    FUZZ_CHECK(!ccfield::FindJsonTooDeep(text, limit), "FindJsonTooDeep disagrees with the parse");
    const std::string dumped = r->dump();
    ccfield::Result<nlohmann::json> again = ccfield::ParseUntrustedJson(dumped, "dump", limit);
    FUZZ_CHECK(again.ok(), again.status().message());
    FUZZ_CHECK(*again == *r, "dump does not parse back to the same value: " + dumped);
    (void)ccfield::JsonForOutput(*r, 2);
  }
  return 0;
}

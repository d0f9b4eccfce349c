// Fuzz target: the sync protocol's decoders (sync/protocol.h), as the server
// reads every /v1/sync and /v1/login body and the client every answer.
// Checks: no crash and no exception; errors are Status values with a
// message; a message that decodes, encoded again (ToJson, dump) and decoded
// again, gives the same message (the round trip); the login body's members
// are read the way the server reads them.
#include <cstdint>
#include <string>

#include "ccfield/core/json_text.h"
#include "ccfield/sync/protocol.h"
#include "fuzz_check.h"

namespace {

using ccfield::Result;
using ccfield::fuzz::CheckError;
using nlohmann::json;

// The codec's encoder for each message (a field change has two JSON forms:
// as pushed and as the server sends it; ParseServerChange reads the latter).
template <typename T>
json Encode(const T& value) {
  return ccfield::sync::ToJson(value);
}
template <>
json Encode(const ccfield::FieldChange& value) {
  return ccfield::sync::ServerChangeJson(value);
}

// Encodes `value`, decodes the text with `parse`, and checks it encodes the same.
template <typename T, typename Parse>
void CheckRoundTrip(const T& value, Parse parse, const char* what) {
  const json first = Encode(value);
  Result<json> text = ccfield::sync::ParseJsonText(first.dump());
  FUZZ_CHECK(text.ok(), std::string(what) + ": own encoding is not valid JSON: " + text.status().message());
  Result<T> again = parse(*text);
  FUZZ_CHECK(again.ok(), std::string(what) + ": own encoding does not decode: " + again.status().message());
  FUZZ_CHECK(Encode(*again) == first, std::string(what) + ": round trip changed " + first.dump());
}

template <typename T, typename Parse>
void Decode(const json& j, Parse parse, const char* what) {
  Result<T> r = parse(j);
  if (!r.ok()) return CheckError(r.status());
  CheckRoundTrip<T>(*r, parse, what);
}

// The login body as the server decodes it (http_server.cpp: an object whose
// username, password, device_id, device_name, device_secret are strings or
// absent). The server's own reader is private to it; this keeps nlohmann's
// accessors under the fuzzer for the same shapes.
void DecodeLogin(const json& j) {
  if (!j.is_object()) return;
  for (const char* key : {"username", "password", "device_id", "device_name", "device_secret"}) {
    auto it = j.find(key);
    if (it != j.end() && it->is_string()) (void)it->get<std::string>().size();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ccfield::sync;
  Result<json> j = ParseJsonText(ccfield::fuzz::AsText(data, size));
  if (!j.ok()) {
    CheckError(j.status());
    return 0;
  }
  FUZZ_CHECK(ccfield::fuzz::JsonDepth(*j) <= ccfield::kMaxJsonDepth, "nesting over the limit got through");
  Decode<SyncRequest>(*j, ParseSyncRequest, "request");
  Decode<SyncResponse>(*j, ParseSyncResponse, "response");
  Decode<ccfield::FieldConflict>(*j, ParseConflict, "conflict");
  Decode<ccfield::FieldChange>(*j, ParseServerChange, "server change");
  DecodeLogin(*j);
  // Elements of the lists too, so that one valid change inside a broken message is decoded alone.
  if (j->is_object()) {
    for (const char* key : {"changes", "conflicts"}) {
      auto it = j->find(key);
      if (it == j->end() || !it->is_array()) continue;
      for (const json& e : *it) {
        Decode<ccfield::FieldChange>(e, ParseServerChange, "server change");
        Decode<ccfield::FieldConflict>(e, ParseConflict, "conflict");
      }
    }
  }
  return 0;
}

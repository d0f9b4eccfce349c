#pragma once
// Record ids: random RFC 4122 version-4 UUIDs. Shared by the device store,
// imports and the server (which must not include the device store for it).
#include <string>

#include "ccfield/platform/env.h"

namespace ccfield {

// A random version-4 UUID from env's randomness, lower case.
std::string NewUuid(Env* env);

}  // namespace ccfield

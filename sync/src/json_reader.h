#pragma once
// Typed readers for the JSON codecs of the protocol (protocol.cpp,
// protocol_login.cpp). Private to sync/src. Decoding never throws: the first
// wrong or missing field becomes the error, named by its path ("request.cursor").

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "ccfield/core/status.h"

namespace ccfield::sync::internal {

// Typed field readers that turn a wrong type into a clear error.
class Reader {
 public:
  using json = nlohmann::json;

  Reader(const json& j, std::string where) : j_(j), where_(std::move(where)) {}

  bool Object() {
    if (!j_.is_object()) Fail(where_ + " must be an object");
    return ok();
  }
  std::string Str(const char* key, bool required = true, size_t max = 4096) {
    auto it = j_.find(key);
    if (it == j_.end() || it->is_null()) {
      if (required) Fail(where_ + "." + key + " is missing");
      return {};
    }
    if (!it->is_string()) {
      Fail(where_ + "." + key + " must be a string");
      return {};
    }
    const std::string& s = it->get_ref<const std::string&>();
    if (s.size() > max) Fail(where_ + "." + key + " is too long");
    return s;
  }
  int64_t Int(const char* key, bool required = true, int64_t min = 0) {
    auto it = j_.find(key);
    if (it == j_.end()) {
      if (required) Fail(where_ + "." + key + " is missing");
      return 0;
    }
    if (!it->is_number_integer()) {
      Fail(where_ + "." + key + " must be an integer");
      return 0;
    }
    int64_t v = it->get<int64_t>();
    if (v < min) Fail(where_ + "." + key + " must be >= " + std::to_string(min));
    return v;
  }
  bool Bool(const char* key) {
    auto it = j_.find(key);
    if (it == j_.end()) return false;
    if (!it->is_boolean()) Fail(where_ + "." + key + " must be true or false");
    return it->is_boolean() && it->get<bool>();
  }
  json Any(const char* key) {
    auto it = j_.find(key);
    return it == j_.end() ? json() : *it;
  }
  const json* Array(const char* key, bool required = true) {
    auto it = j_.find(key);
    if (it == j_.end()) {
      if (required) Fail(where_ + "." + key + " is missing");
      return nullptr;
    }
    if (!it->is_array()) {
      Fail(where_ + "." + key + " must be an array");
      return nullptr;
    }
    return &*it;
  }
  void Fail(const std::string& msg) {
    if (error_.empty()) error_ = msg;
  }
  bool ok() const { return error_.empty(); }
  Status status() const { return ok() ? Status::Ok() : Status::Invalid(error_); }

 private:
  const json& j_;
  std::string where_;
  std::string error_;
};

}  // namespace ccfield::sync::internal

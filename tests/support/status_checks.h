#pragma once
// Checks on Status and Result for any test: REQUIRE_OK / CHECK_OK print the
// Status text when something fails, Unwrap gives the value or fails the test.
// Only for use inside doctest test cases.
#include <doctest/doctest.h>

#include <string>
#include <utility>

#include "ccfield/core/status.h"

// Fails the test with the Status text unless `expr` (a Status or Result) is ok.
#define REQUIRE_OK(expr)                                                    \
  do {                                                                      \
    const auto& ccf_req_ = (expr);                                          \
    REQUIRE_MESSAGE(ccf_req_.ok(), ::ccfield::testing::Describe(ccf_req_)); \
  } while (0)
#define CHECK_OK(expr)                                                    \
  do {                                                                    \
    const auto& ccf_chk_ = (expr);                                        \
    CHECK_MESSAGE(ccf_chk_.ok(), ::ccfield::testing::Describe(ccf_chk_)); \
  } while (0)

namespace ccfield::testing {

inline std::string Describe(const Status& s) { return s.ToString(); }
template <typename T>
std::string Describe(const Result<T>& r) {
  return r.status().ToString();
}

// The value of `r`; fails the test (with the error text) when it is an error.
template <typename T>
T Unwrap(Result<T> r) {
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return std::move(r).value();
}

}  // namespace ccfield::testing

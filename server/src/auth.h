#pragma once
// Passwords, bearer tokens and login throttling.
//
// - Passwords: Argon2id (libsodium crypto_pwhash_str_alg); the cost is
//   kInteractive by default and only lowered for tests.
// - Tokens: 32 random bytes from Env::RandomBytes, base64url without padding.
//   The server keeps only their BLAKE2b hash (crypto_generichash); a token is
//   bound to one device and expires (30 days by default).
// - Throttling slows guessing down without locking the owner out (issue 10,
//   finding 4). Each key allows a few free failures; after that every attempt
//   must wait a delay that doubles per failure (first_delay_ms, capped at
//   max_delay_ms). An attempt during the delay gets 429 with Retry-After, no
//   password check, and does not count. Keys: "user:<name>" and
//   "addr:<client address>" (more free failures: many people share one address
//   behind NAT). A login that presents the device_secret of a device this user
//   signed in on before is a "device cookie" (OWASP): it is counted only under
//   "device:<id>", so a stranger filling the user-wide key never keeps the
//   owner out on their own device. The check and the count happen in one
//   storage transaction before the (slow, unlocked) password hash, and a login
//   in progress counts as a failure until it succeeds, so N parallel guesses
//   get at most free+1 password checks. A key forgets its failures after
//   forget_after_ms without one. Nothing sleeps.
// - A disabled user (admin disable-user) is refused at once: their tokens get
//   401 user_disabled, a login with the right password 403 user_disabled.
//
// Thread-safety: all methods may be called from several threads. Auth locks
// `storage_mutex` around every use of the storage and hashes passwords
// without it (Argon2 is deliberately slow).

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api_error.h"
#include "auth_context.h"
#include "ccfield/core/status.h"
#include "ccfield/platform/env.h"
#include "ccfield/server/storage.h"
#include "ccfield/sync/protocol.h"

namespace ccfield::server {

enum class PasswordCost {
  kInteractive,      // libsodium's INTERACTIVE limits (64 MiB): the default
  kModerate,         // MODERATE (256 MiB)
  kMinimumForTests,  // the smallest limits libsodium accepts: tests only, never in production
};

struct AuthOptions {
  PasswordCost password_cost = PasswordCost::kInteractive;
  int64_t token_lifetime_ms = int64_t{30} * 24 * 3600 * 1000;
  // Failures without delay for "user:<name>" and "device:<id>" keys.
  int free_failures = 5;
  // ... for "addr:<ip>": higher, since behind NAT or a proxy many people share one address.
  int address_free_failures = 20;
  // The delay after the first failure past the free ones; it doubles with each further one.
  int64_t first_delay_ms = 1000;
  int64_t max_delay_ms = int64_t{15} * 60 * 1000;
  // A key with no failure for this long starts again from zero. Longer than
  // max_delay_ms, so that one guess per maximal delay never resets the count.
  int64_t forget_after_ms = int64_t{60} * 60 * 1000;
};

// POST /v1/login's body, as the protocol codec parses it (sync/protocol.h).
using LoginRequest = sync::LoginRequest;

struct LoginResult {
  std::string token;  // the secret; shown once
  int64_t expires_ms = 0;
  std::string user_id;
  std::vector<Membership> memberships;
  std::string device_secret;  // new secret for the device to keep; "" when it already has one
};

// Initialises libsodium; false when it cannot be used (the server must not start).
bool InitCrypto();

// Argon2id hash string of `password`. kInternal when memory runs out.
Result<std::string> HashPassword(std::string_view password, PasswordCost cost);
// Whether `password` matches `hash` (constant time inside libsodium).
bool VerifyPassword(const std::string& hash, std::string_view password);
// Lower-case ASCII user name, as stored.
std::string NormalizeUsername(std::string_view name);
// Checks a new user name: 1..64 of [a-z0-9._@-] after normalising.
Status CheckUsername(std::string_view name);
// Checks a new password: kMinPasswordLength..1024 bytes.
inline constexpr size_t kMinPasswordLength = 8;
Status CheckPassword(std::string_view password);
// Hex BLAKE2b-256 of a bearer token: what the storage keeps.
std::string TokenHash(std::string_view token);

class Auth {
 public:
  // `storage` and `storage_mutex` must outlive the Auth.
  Auth(ServerStorage* storage, std::mutex* storage_mutex, Env* env, AuthOptions options = {});

  // POST /v1/login. 400 invalid, 401 unauthenticated (wrong name or
  // password), 401 revoked_device, 403 user_disabled (only after the right
  // password), 429 throttled (retry_after_s set). `client_address` is the
  // caller as the HTTP layer trusts it (X-Forwarded-For only from trusted proxies).
  ApiResult<LoginResult> Login(const LoginRequest& req, const std::string& client_address);

  // Checks a bearer token. REQUIRES: the caller holds storage_mutex.
  // 401 unauthenticated / expired_token / revoked_token / revoked_device /
  // user_disabled.
  ApiResult<AuthContext> AuthenticateLocked(std::string_view token);
  // Same, taking the mutex.
  ApiResult<AuthContext> Authenticate(std::string_view token);

  // POST /v1/logout: revokes the token (an expired one too).
  ApiResult<bool> Logout(std::string_view token);

  const AuthOptions& options() const { return options_; }

 private:
  // REQUIRES: mutex held.
  std::string NewToken();
  // The throttle keys of this login attempt. `device` (may be null) is the
  // stored row for req.device_id; `user` (may be null) the named user.
  std::vector<std::string> ThrottleKeys(const LoginRequest& req, const std::string& name, const std::string& address,
                                        const std::optional<UserRow>& user,
                                        const std::optional<DeviceRow>& device) const;
  int FreeFailures(const std::string& key) const;
  int64_t Delay(const std::string& key, int failures) const;

  // The steps of Login, in order.
  struct LoginAttempt {
    std::optional<UserRow> user;    // the named user, when there is one
    std::vector<std::string> keys;  // ThrottleKeys of the attempt
    int64_t retry_after_ms = 0;     // > 0: refused, a key still waits out a delay
  };
  // Phase 1, taking the mutex: finds the user and the throttle keys; counts
  // the attempt as a failure on every key unless one still waits.
  Status StartAttempt(const LoginRequest& req, const std::string& name, const std::string& client_address,
                      LoginAttempt* attempt);
  // Phase 2, without the mutex: whether the password is the user's (an
  // unknown user costs the same time); `rehash` gets a new hash when the
  // stored one is weaker than options_.password_cost.
  bool VerifyAttempt(const LoginAttempt& attempt, const std::string& password, std::string* rehash) const;
  // Phase 3, in the caller's transaction (REQUIRES: mutex held): forgets or
  // keeps the failure counted on each key, as the attempt proved who it is.
  Status SettleThrottle(const std::vector<std::string>& keys, bool proven, int64_t now);
  // Registers req.device_id for `user` (a new device secret in `result` when
  // it has none), or sets `refused` when the device is revoked or belongs to
  // someone else. REQUIRES: mutex held, in a transaction.
  Status BindDevice(const LoginRequest& req, const UserRow& user, int64_t now, LoginResult* result,
                    std::optional<ApiError>* refused);
  // Creates the bearer token, stores `rehash` when set, and fills `result`.
  // REQUIRES: mutex held, in a transaction.
  Status IssueToken(const LoginRequest& req, const UserRow& user, int64_t now, const std::string& rehash,
                    LoginResult* result);

  ServerStorage* storage_;
  std::mutex* mu_;
  Env* env_;
  AuthOptions options_;
  std::string dummy_hash_;  // verified for unknown users so that timing does not reveal them
};

}  // namespace ccfield::server

#include "auth.h"

#include <sodium.h>

#include <algorithm>
#include <cctype>

#include "ccfield/core/text.h"
#include "ccfield/core/uuid.h"

namespace ccfield::server {

namespace {

struct Limits {
  unsigned long long ops;
  size_t mem;
};

Limits LimitsFor(PasswordCost cost) {
  switch (cost) {
    case PasswordCost::kInteractive:
      return {crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE, crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE};
    case PasswordCost::kModerate:
      return {crypto_pwhash_argon2id_OPSLIMIT_MODERATE, crypto_pwhash_argon2id_MEMLIMIT_MODERATE};
    case PasswordCost::kMinimumForTests:
      return {crypto_pwhash_argon2id_OPSLIMIT_MIN, crypto_pwhash_argon2id_MEMLIMIT_MIN};
  }
  return {crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE, crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE};
}

bool LooksLikeToken(std::string_view t) {
  if (t.empty() || t.size() > 128) return false;
  return std::all_of(t.begin(), t.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'; });
}

int64_t CeilSeconds(int64_t ms) { return (ms + 999) / 1000; }

// The request's own limits, before anything is looked up.
std::optional<ApiError> CheckLoginRequest(const LoginRequest& req) {
  if (req.username.empty() || req.username.size() > 64)
    return ApiError::Invalid("username must have 1 to 64 characters");
  if (req.password.empty() || req.password.size() > 1024)
    return ApiError::Invalid("password must have 1 to 1024 bytes");
  if (!IsUuid(req.device_id)) return ApiError::Invalid("device_id must be a UUID");
  if (req.device_name.size() > 200) return ApiError::Invalid("device_name is too long");
  if (req.device_secret.size() > 200) return ApiError::Invalid("device_secret is too long");
  return std::nullopt;
}

bool SecretMatches(const DeviceRow& device, const std::string& secret) {
  if (secret.empty() || device.secret_hash.empty()) return false;
  const std::string presented = TokenHash(secret);
  return presented.size() == device.secret_hash.size() &&
         sodium_memcmp(presented.data(), device.secret_hash.data(), presented.size()) == 0;
}


}  // namespace

bool InitCrypto() { return sodium_init() >= 0; }

Result<std::string> HashPassword(std::string_view password, PasswordCost cost) {
  Limits l = LimitsFor(cost);
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), l.ops, l.mem, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Status::Internal("hashing the password ran out of memory");
  }
  return std::string(out);
}

bool VerifyPassword(const std::string& hash, std::string_view password) {
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

std::string NormalizeUsername(std::string_view name) {
  std::string out(name);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Status CheckUsername(std::string_view name) {
  if (name.empty() || name.size() > 64) return Status::Invalid("a user name has 1 to 64 characters");
  for (char c : NormalizeUsername(name)) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '@' || c == '-';
    if (!ok) return Status::Invalid("a user name may use only letters a-z, digits and . _ @ -");
  }
  return Status::Ok();
}

Status CheckPassword(std::string_view password) {
  if (password.size() < kMinPasswordLength) {
    return Status::Invalid("the password is too short: use at least " + std::to_string(kMinPasswordLength) +
                           " characters");
  }
  if (password.size() > 1024) return Status::Invalid("the password is too long: use at most 1024 bytes");
  return Status::Ok();
}

std::string TokenHash(std::string_view token) {
  unsigned char h[crypto_generichash_BYTES];
  crypto_generichash(h, sizeof h, reinterpret_cast<const unsigned char*>(token.data()), token.size(), nullptr, 0);
  char hex[2 * sizeof h + 1];
  sodium_bin2hex(hex, sizeof hex, h, sizeof h);
  return hex;
}

Auth::Auth(ServerStorage* storage, std::mutex* storage_mutex, Env* env, AuthOptions options)
    : storage_(storage), mu_(storage_mutex), env_(env), options_(options) {
  unsigned char secret[16];
  {
    std::lock_guard<std::mutex> lock(*mu_);  // Env randomness may not be thread-safe (FakeEnv)
    env_->RandomBytes(secret, sizeof secret);
  }
  char hex[2 * sizeof secret + 1];
  sodium_bin2hex(hex, sizeof hex, secret, sizeof secret);
  Result<std::string> h = HashPassword(hex, options_.password_cost);
  // On failure every unknown-user login simply fails verification (empty hash).
  if (h.ok()) dummy_hash_ = *h;
}

std::string Auth::NewToken() {
  unsigned char raw[32];
  env_->RandomBytes(raw, sizeof raw);
  char out[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(out, sizeof out, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(raw, sizeof raw);
  return out;
}

std::vector<std::string> Auth::ThrottleKeys(const LoginRequest& req, const std::string& name,
                                            const std::string& address, const std::optional<UserRow>& user,
                                            const std::optional<DeviceRow>& device) const {
  // A device cookie: this user signed in on this device before and it holds
  // the secret. Only its own key counts, so outsiders cannot slow the owner.
  if (user && device && !device->revoked && device->user_id == user->id && SecretMatches(*device, req.device_secret)) {
    return {"device:" + device->id};
  }
  return {"user:" + name, "addr:" + address};
}

int Auth::FreeFailures(const std::string& key) const {
  return key.rfind("addr:", 0) == 0 ? options_.address_free_failures : options_.free_failures;
}

int64_t Auth::Delay(const std::string& key, int failures) const {
  // The attempt that uses up the free failures starts the first delay.
  const int over = failures - FreeFailures(key) + 1;
  if (over <= 0) return 0;
  int64_t d = options_.first_delay_ms;
  for (int k = 1; k < over && d < options_.max_delay_ms; ++k) d *= 2;
  return std::min(d, options_.max_delay_ms);
}

ApiResult<LoginResult> Auth::Login(const LoginRequest& req, const std::string& client_address) {
  if (std::optional<ApiError> invalid = CheckLoginRequest(req)) return *invalid;
  const std::string name = NormalizeUsername(req.username);

  // Phase 1, atomic under the mutex: refuse keys still waiting out a delay;
  // otherwise count this attempt as a failure until it succeeds.
  LoginAttempt attempt;
  if (Status st = StartAttempt(req, name, client_address, &attempt); !st.ok()) return ApiError::FromStatus(st);
  if (attempt.retry_after_ms > 0) {
    int64_t s = CeilSeconds(attempt.retry_after_ms);
    return ApiError{429, "throttled",
                    "too many failed sign-ins; wait " + std::to_string(s) + " seconds before trying again", s};
  }

  // Phase 2: the slow part, without the lock.
  std::string rehash;
  const bool good = VerifyAttempt(attempt, req.password, &rehash);

  // Phase 3: record the outcome; on success register the device and issue a token.
  std::lock_guard<std::mutex> lock(*mu_);
  const int64_t now = env_->WallMillis();
  std::optional<ApiError> refused;
  LoginResult result;
  Status st = RunInTransaction(storage_, [&]() -> Status {
    const std::optional<UserRow>& user = attempt.user;
    // A disabled user's right password proves nothing useful: keep the count.
    CCF_RETURN_IF_ERROR(SettleThrottle(attempt.keys, good && !user->disabled, now));
    if (!good) {
      refused = ApiError::Unauthenticated("unauthenticated", "wrong user name or password");
      return Status::Ok();
    }
    if (user->disabled) {
      refused = ApiError::Forbidden("user_disabled", "this account is disabled; ask an administrator");
      return Status::Ok();
    }
    CCF_RETURN_IF_ERROR(BindDevice(req, *user, now, &result, &refused));
    if (refused) return Status::Ok();
    return IssueToken(req, *user, now, rehash, &result);
  });
  if (!st.ok()) return ApiError::FromStatus(st);
  if (refused) return *refused;
  return result;
}

Status Auth::StartAttempt(const LoginRequest& req, const std::string& name, const std::string& client_address,
                          LoginAttempt* attempt) {
  std::lock_guard<std::mutex> lock(*mu_);
  const int64_t now = env_->WallMillis();
  return RunInTransaction(storage_, [&]() -> Status {
    CCF_ASSIGN_OR_RETURN(attempt->user, storage_->FindUserByName(name));
    CCF_ASSIGN_OR_RETURN(std::optional<DeviceRow> device, storage_->FindDevice(req.device_id));
    attempt->keys = ThrottleKeys(req, name, client_address, attempt->user, device);
    const std::vector<std::string>& keys = attempt->keys;
    std::vector<ThrottleState> t(keys.size());
    for (size_t i = 0; i < keys.size(); ++i) {
      CCF_ASSIGN_OR_RETURN(t[i], storage_->GetThrottle(keys[i]));
      if (t[i].wait_until_ms > now) {
        attempt->retry_after_ms = std::max(attempt->retry_after_ms, t[i].wait_until_ms - now);
      } else if (t[i].failures > 0 && now - t[i].last_failure_ms > options_.forget_after_ms) {
        t[i] = ThrottleState{};
      }
    }
    if (attempt->retry_after_ms > 0) return Status::Ok();  // not counted: waiting is the whole answer
    for (size_t i = 0; i < keys.size(); ++i) {
      t[i].failures += 1;
      t[i].last_failure_ms = now;
      // From the last free failure on, the next attempt waits even while this
      // one is still being checked: parallel guesses cannot slip in.
      if (int64_t d = Delay(keys[i], t[i].failures); d > 0) t[i].wait_until_ms = now + d;
      CCF_RETURN_IF_ERROR(storage_->PutThrottle(keys[i], t[i]));
    }
    return Status::Ok();
  });
}

bool Auth::VerifyAttempt(const LoginAttempt& attempt, const std::string& password, std::string* rehash) const {
  if (!attempt.user) {
    (void)VerifyPassword(dummy_hash_, password);  // same cost as for a real user
    return false;
  }
  if (!VerifyPassword(attempt.user->password_hash, password)) return false;
  Limits l = LimitsFor(options_.password_cost);
  if (crypto_pwhash_str_needs_rehash(attempt.user->password_hash.c_str(), l.ops, l.mem) != 0) {
    Result<std::string> h = HashPassword(password, options_.password_cost);
    if (h.ok()) *rehash = *h;
  }
  return true;
}

Status Auth::SettleThrottle(const std::vector<std::string>& keys, bool proven, int64_t now) {
  for (const std::string& key : keys) {
    CCF_ASSIGN_OR_RETURN(ThrottleState t, storage_->GetThrottle(key));
    if (!proven) {
      // The delay runs from the answer, not from the start of the check.
      if (int64_t d = Delay(key, t.failures); d > 0) t.wait_until_ms = std::max(t.wait_until_ms, now + d);
    } else if (key.rfind("addr:", 0) == 0) {
      t.failures = std::max(0, t.failures - 1);  // refund this attempt for the shared address
    } else {
      t = ThrottleState{};  // the user (or their device) proved who they are
    }
    CCF_RETURN_IF_ERROR(storage_->PutThrottle(key, t));
  }
  return Status::Ok();
}

Status Auth::BindDevice(const LoginRequest& req, const UserRow& user, int64_t now, LoginResult* result,
                        std::optional<ApiError>* refused) {
  CCF_ASSIGN_OR_RETURN(std::optional<DeviceRow> device, storage_->FindDevice(req.device_id));
  if (device && device->revoked) {
    *refused = ApiError::Unauthenticated(
        "revoked_device", "this device was blocked by an administrator; ask them to register a new device");
    return Status::Ok();
  }
  // A device id seen in pulled changes must not let another device push as
  // it (its changes would be acked "duplicate" and lost): the id belongs to
  // whoever holds the secret given at its first login.
  if (device && !device->secret_hash.empty()) {
    if (!SecretMatches(*device, req.device_secret)) {
      *refused = ApiError::Forbidden("device_taken",
                                     "this device id belongs to another device; reinstall the app or ask an "
                                     "administrator");
      return Status::Ok();
    }
  } else if (device && device->user_id != user.id) {
    // Registered before device secrets: bound to its user.
    *refused = ApiError::Forbidden("device_taken", "this device id belongs to another user's device");
    return Status::Ok();
  }
  DeviceRow d;
  if (!device || device->secret_hash.empty()) {
    result->device_secret = NewToken();
    d.secret_hash = TokenHash(result->device_secret);
  }
  d.id = req.device_id;
  d.user_id = user.id;
  d.name = req.device_name;
  d.registered_ms = device ? device->registered_ms : now;
  d.last_seen_ms = now;
  return storage_->PutDevice(d);
}

Status Auth::IssueToken(const LoginRequest& req, const UserRow& user, int64_t now, const std::string& rehash,
                        LoginResult* result) {
  TokenRow t;
  t.id = NewUuid(env_);
  result->token = NewToken();
  t.hash = TokenHash(result->token);
  t.user_id = user.id;
  t.device_id = req.device_id;
  t.created_ms = now;
  t.expires_ms = now + options_.token_lifetime_ms;
  CCF_RETURN_IF_ERROR(storage_->CreateToken(t));
  if (!rehash.empty()) CCF_RETURN_IF_ERROR(storage_->SetPasswordHash(user.id, rehash));
  CCF_ASSIGN_OR_RETURN(result->memberships, storage_->MembershipsOf(user.id));
  result->user_id = user.id;
  result->expires_ms = t.expires_ms;
  return Status::Ok();
}

ApiResult<AuthContext> Auth::AuthenticateLocked(std::string_view token) {
  if (token.empty()) return ApiError::Unauthenticated("unauthenticated", "sign in first");
  if (!LooksLikeToken(token))
    return ApiError::Unauthenticated("unauthenticated", "the sign-in is not valid; sign in again");
  const std::string hash = TokenHash(token);
  Result<std::optional<TokenRow>> row = storage_->FindTokenByHash(hash);
  if (!row.ok()) return ApiError::FromStatus(row.status());
  // The lookup is by hash; compare again in constant time so that the
  // decision never depends on a short-circuiting comparison.
  if (!*row || (*row)->hash.size() != hash.size() ||
      sodium_memcmp((*row)->hash.data(), hash.data(), hash.size()) != 0) {
    return ApiError::Unauthenticated("unauthenticated", "the sign-in is not valid; sign in again");
  }
  const TokenRow& t = **row;
  Result<std::optional<DeviceRow>> device = storage_->FindDevice(t.device_id);
  if (!device.ok()) return ApiError::FromStatus(device.status());
  if (!*device || (*device)->revoked) {
    return ApiError::Unauthenticated("revoked_device",
                                     "this device was blocked by an administrator; ask them to register a new device");
  }
  // Said before "revoked_token": disabling also ends the tokens, and the person
  // must learn why rather than be asked to sign in again.
  Result<std::optional<UserRow>> user = storage_->FindUserById(t.user_id);
  if (!user.ok()) return ApiError::FromStatus(user.status());
  if (!*user || (*user)->disabled) {
    return ApiError::Unauthenticated("user_disabled",
                                     "this account was disabled by an administrator; ask them if this is a mistake");
  }
  if (t.revoked) return ApiError::Unauthenticated("revoked_token", "you were signed out; sign in again");
  if (env_->WallMillis() >= t.expires_ms) {
    return ApiError::Unauthenticated("expired_token", "your sign-in has expired; sign in again");
  }
  AuthContext who;
  who.user_id = t.user_id;
  who.device_id = t.device_id;
  who.token_id = t.id;
  Result<std::vector<Membership>> ms = storage_->MembershipsOf(t.user_id);
  if (!ms.ok()) return ApiError::FromStatus(ms.status());
  who.memberships = std::move(*ms);
  return who;
}

ApiResult<AuthContext> Auth::Authenticate(std::string_view token) {
  std::lock_guard<std::mutex> lock(*mu_);
  return AuthenticateLocked(token);
}

ApiResult<bool> Auth::Logout(std::string_view token) {
  std::lock_guard<std::mutex> lock(*mu_);
  ApiResult<AuthContext> who = AuthenticateLocked(token);
  if (!who.ok() && who.error().code != "expired_token") return who.error();
  std::string token_id;
  if (who.ok()) {
    token_id = who.value().token_id;
  } else {
    Result<std::optional<TokenRow>> row = storage_->FindTokenByHash(TokenHash(token));
    if (!row.ok()) return ApiError::FromStatus(row.status());
    if (!*row) return ApiError::Unauthenticated("unauthenticated", "the sign-in is not valid; sign in again");
    token_id = (*row)->id;
  }
  Status st = RunInTransaction(storage_, [&] { return storage_->RevokeToken(token_id); });
  if (!st.ok()) return ApiError::FromStatus(st);
  return true;
}

}  // namespace ccfield::server

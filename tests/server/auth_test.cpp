// Passwords, tokens and login throttling, in-process (auth.h).
#include <doctest/doctest.h>

#include <map>

#include <mutex>

#include "server_fixture.h"

namespace ccfield::server::testing {
namespace {

constexpr int64_t kMinute = 60 * 1000;
constexpr int64_t kDay = 24 * 60 * kMinute;

struct AuthFixture {
  ServerFixture f;
  std::mutex mu;
  AuthOptions options;
  std::unique_ptr<Auth> auth;
  std::string ws;
  std::string user_id;
  std::string device = "6f1c2a3e-0000-4000-8000-000000000001";
  std::map<std::string, std::string> secrets;  // device id -> its secret

  AuthFixture() {
    options.password_cost = PasswordCost::kMinimumForTests;
    auth = std::make_unique<Auth>(f.storage.get(), &mu, &f.env, options);
    ws = f.AddWorkspace();
    user_id = f.AddUser("amina");
    f.AddMember(ws, "amina", "coordinator");
  }
  ApiResult<LoginResult> Login(const std::string& user, const std::string& password,
                               const std::string& addr = "10.0.0.1", const std::string& dev = "") {
    // Like a real device, present the secret the server gave at the first login.
    const std::string id = dev.empty() ? device : dev;
    ApiResult<LoginResult> r = auth->Login(LoginRequest{user, password, id, "Amina's tablet", secrets[id]}, addr);
    if (r.ok() && !r.value().device_secret.empty()) secrets[id] = r.value().device_secret;
    return r;
  }
  std::string Token() {
    ApiResult<LoginResult> r = Login("amina", kPassword);
    REQUIRE(r.ok());
    return r.value().token;
  }
};

TEST_CASE("passwords: Argon2id hashes verify and never contain the password") {
  REQUIRE(InitCrypto());
  std::string h = Unwrap(HashPassword("s3cret-password", PasswordCost::kMinimumForTests));
  CHECK(h.rfind("$argon2id$", 0) == 0);
  CHECK(h.find("s3cret") == std::string::npos);
  CHECK(VerifyPassword(h, "s3cret-password"));
  CHECK_FALSE(VerifyPassword(h, "s3cret-passwore"));
  CHECK_FALSE(VerifyPassword("", "x"));
  CHECK_FALSE(CheckPassword("short").ok());
  CHECK(CheckUsername("Amina.K@ward-5").ok());
  CHECK_FALSE(CheckUsername("amina k").ok());
  CHECK_FALSE(CheckUsername("").ok());
}

TEST_CASE("login: a token bound to the device, with the user's workspaces, stored only as a hash") {
  AuthFixture t;
  ApiResult<LoginResult> r = t.Login("Amina", kPassword);  // user names are case-insensitive
  REQUIRE(r.ok());
  LoginResult& lr = r.value();
  CHECK(lr.token.size() == 43);  // 32 bytes, base64url without padding
  CHECK(lr.token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
        std::string::npos);
  CHECK(lr.user_id == t.user_id);
  CHECK(lr.expires_ms == t.f.env.WallMillis() + 30 * kDay);
  REQUIRE(lr.memberships.size() == 1);
  CHECK(lr.memberships[0].workspace_id == t.ws);
  CHECK(lr.memberships[0].role == "coordinator");
  CHECK_FALSE(Unwrap(t.f.storage->FindTokenByHash(lr.token)).has_value());
  auto row = Unwrap(t.f.storage->FindTokenByHash(TokenHash(lr.token)));
  REQUIRE(row.has_value());
  CHECK(row->device_id == t.device);
  auto dev = Unwrap(t.f.storage->FindDevice(t.device));
  REQUIRE(dev.has_value());
  CHECK(dev->user_id == t.user_id);
  CHECK(dev->name == "Amina's tablet");

  ApiResult<AuthContext> who = t.auth->Authenticate(lr.token);
  REQUIRE(who.ok());
  CHECK(who.value().user_id == t.user_id);
  CHECK(who.value().device_id == t.device);
  CHECK(who.value().Find(t.ws) != nullptr);
  // Two logins give two different tokens.
  CHECK(t.Token() != lr.token);
}

TEST_CASE("login: wrong password and unknown user get the same answer") {
  AuthFixture t;
  ApiResult<LoginResult> wrong = t.Login("amina", "not the password");
  ApiResult<LoginResult> unknown = t.Login("nobody", "not the password");
  REQUIRE_FALSE(wrong.ok());
  REQUIRE_FALSE(unknown.ok());
  CHECK(wrong.error().http_status == 401);
  CHECK(wrong.error().code == "unauthenticated");
  CHECK(unknown.error().code == wrong.error().code);
  CHECK(unknown.error().message == wrong.error().message);
  ApiResult<LoginResult> bad_device = t.Login("amina", kPassword, "10.0.0.1", "not-a-uuid");
  REQUIRE_FALSE(bad_device.ok());
  CHECK(bad_device.error().http_status == 400);
}

TEST_CASE("tokens: expiry, logout, revoked device and forged tokens are refused with their own codes") {
  AuthFixture t;
  SUBCASE("expired after 30 days") {
    std::string token = t.Token();
    t.f.env.Advance(30 * kDay - kMinute);
    CHECK(t.auth->Authenticate(token).ok());
    t.f.env.Advance(kMinute);
    ApiResult<AuthContext> r = t.auth->Authenticate(token);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().http_status == 401);
    CHECK(r.error().code == "expired_token");
    // An expired token can still be logged out.
    CHECK(t.auth->Logout(token).ok());
  }
  SUBCASE("logout revokes") {
    std::string token = t.Token();
    std::string other = t.Token();
    REQUIRE(t.auth->Logout(token).ok());
    ApiResult<AuthContext> r = t.auth->Authenticate(token);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "revoked_token");
    CHECK(t.auth->Authenticate(other).ok());  // other sign-ins stay
    CHECK_FALSE(t.auth->Logout(token).ok());
  }
  SUBCASE("admin revokes one token") {
    std::string token = t.Token();
    auto rows = Unwrap(t.f.storage->ListTokens(t.user_id));
    REQUIRE(rows.size() == 1);
    REQUIRE_OK(RevokeTokenById(t.f.storage.get(), rows[0].id));
    CHECK(t.auth->Authenticate(token).error().code == "revoked_token");
  }
  SUBCASE("revoked device: its tokens stop and it cannot sign in again") {
    std::string token = t.Token();
    REQUIRE_OK(RevokeDevice(t.f.storage.get(), t.device));
    ApiResult<AuthContext> r = t.auth->Authenticate(token);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "revoked_device");
    ApiResult<LoginResult> again = t.Login("amina", kPassword);
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().code == "revoked_device");
    // A new device still works for the same person.
    CHECK(t.Login("amina", kPassword, "10.0.0.1", "6f1c2a3e-0000-4000-8000-000000000002").ok());
  }
  SUBCASE("forged tokens") {
    std::string token = t.Token();
    std::string forged = token;
    forged[5] = forged[5] == 'A' ? 'B' : 'A';
    for (const std::string& bad : {forged, std::string(""), std::string("Bearer"), std::string(43, 'A'),
                                   std::string("a b c"), std::string(500, 'x'), TokenHash(token)}) {
      CAPTURE(bad);
      ApiResult<AuthContext> r = t.auth->Authenticate(bad);
      REQUIRE_FALSE(r.ok());
      CHECK(r.error().http_status == 401);
      CHECK(r.error().code == "unauthenticated");
    }
  }
}

TEST_CASE("throttling: 5 failures lock the user name, while locked even the right password gets 429") {
  AuthFixture t;
  for (int i = 0; i < 5; ++i) {
    ApiResult<LoginResult> r = t.Login("amina", "guess " + std::to_string(i), "10.0.0." + std::to_string(i));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().http_status == 401);
  }
  ApiResult<LoginResult> locked = t.Login("amina", kPassword, "10.0.9.9");
  REQUIRE_FALSE(locked.ok());
  CHECK(locked.error().http_status == 429);
  CHECK(locked.error().code == "throttled");
  CHECK(locked.error().retry_after_s == 60);
  // Another user is not affected.
  t.f.AddUser("bakari");
  CHECK(t.Login("bakari", kPassword, "10.0.9.8").ok());

  t.f.env.Advance(30 * 1000);
  ApiResult<LoginResult> still = t.Login("amina", kPassword, "10.0.9.9");
  REQUIRE_FALSE(still.ok());
  CHECK(still.error().retry_after_s == 30);
  t.f.env.Advance(30 * 1000);
  CHECK(t.Login("amina", kPassword, "10.0.9.9").ok());  // and success forgets the failures

  // The next lock after more failures: the counter started again, the lock is the shortest one.
  for (int i = 0; i < 5; ++i)
    CHECK(t.Login("amina", "guess", "10.0.1." + std::to_string(i)).error().http_status == 401);
  CHECK(t.Login("amina", "guess", "10.0.2.1").error().retry_after_s == 60);
}

TEST_CASE("throttling: repeated locks grow") {
  AuthFixture t;
  int64_t previous = 0;
  for (int lock = 0; lock < 4; ++lock) {
    for (int i = 0; i < 5; ++i)
      REQUIRE(t.Login("amina", "guess", "10.1.0." + std::to_string(i)).error().http_status == 401);
    ApiResult<LoginResult> r = t.Login("amina", "guess", "10.1.1.1");
    REQUIRE(r.error().http_status == 429);
    CHECK(r.error().retry_after_s > previous);
    previous = r.error().retry_after_s;
    t.f.env.Advance(previous * 1000);
  }
  CHECK(previous == 8 * 60);
}

TEST_CASE("throttling: one address guessing many user names is locked too") {
  AuthFixture t;
  for (int i = 0; i < 5; ++i) {
    CHECK(t.Login("user" + std::to_string(i), "guess", "192.0.2.7").error().http_status == 401);
  }
  ApiResult<LoginResult> r = t.Login("amina", kPassword, "192.0.2.7");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().http_status == 429);
  CHECK(t.Login("amina", kPassword, "192.0.2.8").ok());
}

TEST_CASE("throttling: failures older than the window are forgotten") {
  AuthFixture t;
  for (int i = 0; i < 4; ++i) CHECK(t.Login("amina", "guess", "10.2.0.1").error().http_status == 401);
  t.f.env.Advance(16 * kMinute);
  for (int i = 0; i < 4; ++i) CHECK(t.Login("amina", "guess", "10.2.0.1").error().http_status == 401);
  CHECK(t.Login("amina", kPassword, "10.2.0.1").ok());
}

TEST_CASE("throttling state survives a restart") {
  AuthFixture t;
  for (int i = 0; i < 5; ++i) CHECK(t.Login("amina", "guess", "10.3.0.1").error().http_status == 401);
  t.auth.reset();
  t.f.Reopen();
  t.auth = std::make_unique<Auth>(t.f.storage.get(), &t.mu, &t.f.env, t.options);
  CHECK(t.Login("amina", kPassword, "10.3.0.2").error().http_status == 429);
}

}  // namespace
}  // namespace ccfield::server::testing

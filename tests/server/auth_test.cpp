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

TEST_CASE("throttling: after 5 failures each attempt waits a delay that doubles, never a lock-out") {
  AuthFixture t;
  for (int i = 0; i < 5; ++i) {
    ApiResult<LoginResult> r = t.Login("amina", "guess " + std::to_string(i), "10.0.0." + std::to_string(i));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().http_status == 401);
  }
  ApiResult<LoginResult> waiting = t.Login("amina", kPassword, "10.0.9.9");
  REQUIRE_FALSE(waiting.ok());
  CHECK(waiting.error().http_status == 429);
  CHECK(waiting.error().code == "throttled");
  CHECK(waiting.error().retry_after_s == 1);
  // Another user is not affected.
  t.f.AddUser("bakari");
  CHECK(t.Login("bakari", kPassword, "10.0.9.8").ok());
  // Each further failure doubles the delay: 2 s, 4 s, 8 s ...
  int64_t delay_s = 1;
  for (int k = 0; k < 4; ++k) {
    t.f.env.Advance(delay_s * 1000);
    CHECK(t.Login("amina", "guess", "10.0.1.1").error().http_status == 401);
    ApiResult<LoginResult> r = t.Login("amina", kPassword, "10.0.1.2");
    REQUIRE(r.error().http_status == 429);
    CHECK(r.error().retry_after_s == delay_s * 2);
    delay_s *= 2;
  }
  // Once the delay has passed the right password works, and success forgets the failures.
  t.f.env.Advance(delay_s * 1000);
  CHECK(t.Login("amina", kPassword, "10.0.9.9").ok());
  for (int i = 0; i < 4; ++i) CHECK(t.Login("amina", "guess", "10.0.2.1").error().http_status == 401);
  CHECK(t.Login("amina", kPassword, "10.0.2.1").ok());
}

TEST_CASE("throttling: the delay is capped at 15 minutes") {
  AuthFixture t;
  int64_t last = 0;
  for (int i = 0; i < 20; ++i) {
    t.f.env.Advance(last * 1000);
    REQUIRE(t.Login("amina", "guess", "10.1.0." + std::to_string(i)).error().http_status == 401);
    ApiResult<LoginResult> r = t.Login("amina", "guess", "10.1.1.1");
    if (r.error().http_status == 429) last = r.error().retry_after_s;
  }
  CHECK(last == 15 * 60);
}

TEST_CASE("throttling: a device this user signed in on before is not slowed by strangers guessing") {
  AuthFixture t;
  REQUIRE(t.Login("amina", kPassword).ok());  // her tablet holds its device secret now
  const std::string stranger = "6f1c2a3e-0000-4000-8000-0000000000ff";
  for (int i = 0; i < 8; ++i) (void)t.Login("amina", "guess", "203.0.113.5", stranger);
  CHECK(t.Login("amina", kPassword, "203.0.113.6", stranger).error().http_status == 429);
  // Her own tablet, even from the attacker's address, is counted on its own key.
  CHECK(t.Login("amina", kPassword, "203.0.113.5").ok());
  // ... and a guessing device of her own is slowed by its own key.
  for (int i = 0; i < 5; ++i) CHECK(t.Login("amina", "guess", "10.9.0.1").error().http_status == 401);
  CHECK(t.Login("amina", kPassword, "10.9.0.1").error().http_status == 429);
}

TEST_CASE("throttling: one address guessing many user names is locked too") {
  AuthFixture t;
  for (int i = 0; i < 20; ++i) {  // more free failures: people share addresses behind NAT
    CHECK(t.Login("user" + std::to_string(i), "guess", "192.0.2.7").error().http_status == 401);
  }
  ApiResult<LoginResult> r = t.Login("amina", kPassword, "192.0.2.7");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().http_status == 429);
  CHECK(t.Login("amina", kPassword, "192.0.2.8").ok());
}

TEST_CASE("throttling: failures are forgotten after an hour without one") {
  AuthFixture t;
  for (int i = 0; i < 5; ++i) CHECK(t.Login("amina", "guess", "10.2.0.1").error().http_status == 401);
  t.f.env.Advance(61 * kMinute);
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

#pragma once
// Where a device keeps its sign-in token: apart from the data file, so a
// copied store (a backup, a file sent for support, the file taken to another
// account) does not carry a working login (docs/security.md, issue 10 #9).
//
// Backend: one 0600 file per key in a 0700 directory of this OS user:
// $CCFIELD_CREDENTIALS_DIR (tests), else $XDG_STATE_HOME/ccfield/credentials,
// else ~/.local/state/ccfield/credentials. (An OS keyring backend, libsecret,
// is not built yet; see the report in docs/security.md.)
//
// Keys name one store at one place: CredentialKey(absolute path, device id).
// A store copied to another path or opened by another OS user finds no token
// and is signed out.

#include <optional>
#include <string>

namespace ccfield {

// A short file-name-safe key for the store at `store_path` with `device_id`.
std::string CredentialKey(const std::string& store_path, const std::string& device_id);

// The directory the file backend uses (not created).
std::string CredentialsDir();

// Saves `secret` under `key` (replacing it). false with `*error` set on failure.
bool SaveCredential(const std::string& key, const std::string& secret, std::string* error);
// The secret saved under `key`, or nullopt when there is none (or it is unreadable).
std::optional<std::string> LoadCredential(const std::string& key);
// Removes the secret under `key`; true when none is left.
bool DeleteCredential(const std::string& key, std::string* error);

}  // namespace ccfield

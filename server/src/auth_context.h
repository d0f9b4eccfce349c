#pragma once
// Who is calling: the user behind a valid token, the device the token is
// bound to, and the user's memberships (read from the server's own data,
// never from the request).

#include <string>
#include <string_view>
#include <vector>

#include "ccfield/server/storage.h"

namespace ccfield::server {

struct AuthContext {
  std::string user_id;
  std::string device_id;
  std::string token_id;
  std::vector<Membership> memberships;

  // The membership for `workspace_id`, or nullptr.
  const Membership* Find(std::string_view workspace_id) const {
    for (const Membership& m : memberships) {
      if (m.workspace_id == workspace_id) return &m;
    }
    return nullptr;
  }
  std::vector<std::string> Workspaces() const {
    std::vector<std::string> out;
    for (const Membership& m : memberships) out.push_back(m.workspace_id);
    return out;
  }
};

}  // namespace ccfield::server

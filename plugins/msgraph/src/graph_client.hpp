#pragma once
// Microsoft Graph's To Do API over the host's HTTP port: requests and their JSON, Graph's error
// shape, the URLs of users, lists and tasks, the dedicated list per user, and finding a task by
// the key on its linked resource.
// https://learn.microsoft.com/en-us/graph/errors ,
// https://learn.microsoft.com/en-us/graph/api/resources/todo-overview

#include <optional>
#include <string>

#include "disputed/sdk/host.hpp"
#include "disputed/sdk/kit/http_policy.hpp"
#include "disputed/sdk/kit/json.hpp"
#include "disputed/sdk/kit/json_api.hpp"
#include "plugins/msgraph/src/settings.hpp"

namespace disputed::plugins::msgraph {

namespace kit = sdk::kit;

using kit::Reply;

/// A Graph id or user principal name safe to put in a ref and a path segment.
bool safe_id(const std::string& id);

/// The external ref of a task: "<user>|<list id>|<task id>", so every call can be made from the
/// ref alone (the key-value store is only a cache).
struct TaskRef {
  std::string user, list, task;
  std::string str() const { return user + "|" + list + "|" + task; }
  std::string list_key() const { return user + "|" + list; }
  static std::optional<TaskRef> parse(const std::string& ref);
};

class GraphClient {
 public:
  /// `host` and `settings` outlive the client.
  GraphClient(sdk::Host& host, const Settings& settings);

  const kit::HttpPolicy& policy() const noexcept { return policy_; }
  /// One request to an absolute Graph URL with an optional JSON body. Creates are never re-sent
  /// by the transport: the host sends every POST and PATCH on a connection of its own.
  Reply call(const std::string& method, const std::string& url, const kit::Json* body = nullptr);
  /// A failure of our own making (e.g. an answer without the id it must carry): retryable.
  kit::HttpOutcome malformed(const Reply& reply, const std::string& what) const;

  std::string user_url(const std::string& user) const;
  std::string list_url(const std::string& user, const std::string& list) const;
  std::string task_url(const TaskRef& ref) const;
  /// Whether a link Graph handed back (@odata.nextLink, @odata.deltaLink) lies under the base
  /// URL: one that does not is never followed with the instance's token.
  bool own_link(const std::string& url) const;

  /// The user's dedicated list (settings' list_name), found or created once and remembered.
  kit::Fetched<std::string> ensure_list(const std::string& user);
  /// Forgets the remembered list (it was deleted).
  void forget_list(const std::string& user);
  /// The id of the task in a list whose linked resource carries `task_key`, "" when none.
  kit::Fetched<std::string> find_by_key(const std::string& user, const std::string& list,
                                        const std::string& task_key);
  /// A JSON value kept in the host's store (null when absent or unreadable).
  kit::Json stored(const std::string& key);

 private:
  std::string list_key_of(const std::string& user) const;

  sdk::Host& host_;
  const Settings& settings_;
  kit::HttpPolicy policy_;
};

/// The task key on a task's linked resources ("" when none).
std::string key_of(const kit::Json& task);

}  // namespace disputed::plugins::msgraph

#pragma once
// Reading back what users did: one delta query per (user, list) with open tasks, from the
// deltaLinks kept in the host's cursor; a delta token Graph no longer accepts restarts that list's
// round; reconciliation asks about every open task, 20 per $batch request.
// https://learn.microsoft.com/en-us/graph/api/todotask-delta ,
// https://learn.microsoft.com/en-us/graph/json-batching

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "disputed/sdk/host.hpp"
#include "disputed/sdk/types.hpp"
#include "plugins/msgraph/src/graph_client.hpp"
#include "plugins/msgraph/src/settings.hpp"

namespace disputed::plugins::msgraph {

class Poller {
 public:
  /// All three outlive the poller.
  Poller(sdk::Host& host, GraphClient& client, const Settings& settings);
  sdk::PollResult poll(const sdk::PollRequest& request);

  /// The outcomes of a task as its create listed them (kept in the store with its ref).
  std::vector<std::string> outcomes_of(const std::string& task_key);

 private:
  using OpenTasks = std::map<std::string, std::pair<std::string, TaskRef>>;  // id -> key, ref
  using Sink = std::function<void(sdk::TaskEvent)>;
  /// Reads one list's changes from its link (or from the start); nullopt, or the failure.
  std::optional<kit::HttpOutcome> read_list(const std::string& list_key, const OpenTasks& open,
                                            std::map<std::string, std::string>& links,
                                            const std::map<std::string, std::string>& from,
                                            const Sink& add);
  std::optional<kit::HttpOutcome> reconcile(const OpenTasks& open, const Sink& add);
  bool cancelled_by_us(const std::string& task_id);

  sdk::Host& host_;
  GraphClient& client_;
  const Settings& settings_;
};

}  // namespace disputed::plugins::msgraph

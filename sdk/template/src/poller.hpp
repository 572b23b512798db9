#pragma once
// Reading back what people did: the project's tasks changed since the cursor, oldest first, and
// on a reconciliation each task the host still waits on. The plugin never sleeps or retries: a
// failure is the poll's answer (the cursor kept) and the host schedules the next poll.
// TODO(vendor): your "changed since" listing (an updated_at filter, an incremental export, a
// delta query) and its cursor.

#include <string>

#include "disputed/sdk/host.hpp"
#include "disputed/sdk/types.hpp"
#include "example_client.hpp"

namespace template_connector {

/// Where a poll resumes: the last change seen, as (updated_at, id). Timestamps tie (many changes
/// in one second), so the id breaks ties; a poll asks for updated_at >= the cursor's and skips
/// what is not after it. Encoded "<updated_at>|<id>"; empty means from the beginning.
struct Cursor {
  std::string updated_at;
  std::string id;

  /// An unreadable text is the beginning (empty).
  static Cursor parse(const std::string& text);
  std::string encode() const;
  /// Ids are numeric strings here: by length first, so "1000" follows "999".
  bool operator<(const Cursor& other) const;
};

class Poller {
 public:
  /// Both outlive the poller.
  Poller(sdk::Host& host, ExampleClient& client);
  sdk::PollResult poll(const sdk::PollRequest& request);

 private:
  /// Reads the changes after `from` into `result`; false (with `result` the failure) when a
  /// request failed.
  bool read_changes(const Cursor& from, Cursor& last, sdk::PollResult& result,
                    const std::string& cursor);
  bool reconcile(const sdk::PollRequest& request, sdk::PollResult& result);

  sdk::Host& host_;
  ExampleClient& client_;
};

}  // namespace template_connector

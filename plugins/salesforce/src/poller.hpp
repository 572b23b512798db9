#pragma once
// Reading back what reps did: one SOQL query per poll on SystemModstamp (API-NOTES 1.10), from a
// cursor that looks `poll_overlap_seconds` back for late commits and remembers what it saw in
// that window; reconciliation asks about every open ref by key (100 per query).

#include <set>
#include <string>
#include <vector>

#include "disputed/sdk/host.hpp"
#include "disputed/sdk/types.hpp"
#include "plugins/salesforce/src/salesforce_client.hpp"
#include "plugins/salesforce/src/settings.hpp"

namespace disputed::plugins::salesforce {

/// Where a poll resumes: the high-water mark (SystemModstamp in ms and Id) and the "Id@ms" seen
/// inside the overlap window below it. JSON {"t", "id", "seen"}; empty text means from the start.
struct Cursor {
  long long t = 0;
  std::string id;
  std::vector<std::string> seen;

  static Cursor parse(const std::string& text);
  std::string encode() const;
};

class Poller {
 public:
  /// All three outlive the poller.
  Poller(sdk::Host& host, SalesforceClient& client, const Settings& settings);
  sdk::PollResult poll(const sdk::PollRequest& request);

 private:
  /// Asks about every open ref directly: completions the cursor missed, and Tasks that no longer
  /// exist.
  std::optional<kit::HttpOutcome> reconcile(const std::vector<sdk::OpenRef>& refs,
                                            std::vector<sdk::TaskEvent>& events,
                                            std::set<std::string>& event_ids);
  std::string fields() const;

  sdk::Host& host_;
  SalesforceClient& client_;
  const Settings& settings_;
};

}  // namespace disputed::plugins::salesforce

#pragma once
// The msgraph instance's settings, read from the manifest's config_schema (which the host checks
// first: the base URL's form, user ids, ranges, unknown keys) with its defaults.

#include <chrono>
#include <map>
#include <string>

#include "disputed/sdk/kit/settings.hpp"

namespace disputed::plugins::msgraph {

struct Settings {
  std::string base;  ///< Graph with its version, without a trailing '/'
  std::string list_name;
  std::string check_user;
  bool cancel_completes = false;  ///< cancel_mode "complete" (else "delete")
  std::string dispute_url;
  std::string application_name;
  std::chrono::minutes reminder_before{1440};
  int max_pages = 50;
  std::chrono::milliseconds timeout{30000};
  std::map<std::string, std::string> role_users;  ///< workflow role -> user id or UPN
  /// The mailbox messages are sent from (sendMail, application permission Mail.Send); empty: the
  /// instance sends no messages.
  std::string mailbox;
  bool save_to_sent_items = true;  ///< sendMail's saveToSentItems
};

Settings read_settings(const sdk::kit::Settings& settings);

}  // namespace disputed::plugins::msgraph

#include "plugins/msgraph/src/settings.hpp"

namespace disputed::plugins::msgraph {

Settings read_settings(const sdk::kit::Settings& in) {
  Settings s;
  s.base = in.url("/graph_base_url");
  s.list_name = in.text("/list_name");
  s.check_user = in.text("/check_user");
  s.cancel_completes = in.text("/cancel_mode") == "complete";
  s.dispute_url = in.text("/dispute_url");
  s.application_name = in.text("/application_name");
  s.reminder_before = std::chrono::minutes(in.integer("/reminder_minutes_before"));
  s.max_pages = int(in.integer("/max_pages_per_poll"));
  s.timeout = std::chrono::milliseconds(in.integer("/request_timeout_ms"));
  s.role_users = in.text_map("/role_users");
  if (in.has("/mailbox")) s.mailbox = in.text("/mailbox");
  s.save_to_sent_items = in.boolean("/save_to_sent_items");
  return s;
}

}  // namespace disputed::plugins::msgraph

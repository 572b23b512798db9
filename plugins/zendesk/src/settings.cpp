#include "plugins/zendesk/src/settings.hpp"

namespace disputed::plugins::zendesk {

Settings read_settings(const sdk::kit::Settings& in) {
  Settings s;
  s.base_url = in.url("/base_url");
  s.tags = in.text_list("/tags");
  if (in.has("/group_id")) s.group_id = in.integer("/group_id");
  s.role_groups = in.integer_map("/role_groups");
  s.fields = in.integer_map("/custom_fields");
  s.outcome_tag_prefix = in.text("/outcome_tag_prefix");
  s.outcome_values = in.text_map("/outcome_values");
  s.dispute_url = in.text("/dispute_url");
  s.rate_limit_reserve = int(in.integer("/rate_limit_reserve"));
  s.request_timeout = std::chrono::milliseconds(in.integer("/request_timeout_ms"));
  s.incremental = in.text("/poll_mode") == "incremental";
  return s;
}

}  // namespace disputed::plugins::zendesk

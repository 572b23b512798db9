#include "plugins/salesforce/src/poller.hpp"

#include <algorithm>

#include "disputed/sdk/kit/json.hpp"
#include "disputed/sdk/kit/time.hpp"
#include "plugins/salesforce/src/task_mapping.hpp"

namespace disputed::plugins::salesforce {

namespace {

constexpr std::size_t kKeysPerQuery = 100;  // keeps the GET URL far below the URI limit
constexpr std::size_t kSeenLimit = 500;     // ids remembered inside the overlap window

std::optional<long long> millis(const std::string& text) {
  auto at = kit::parse_timestamp_ms(text);
  if (!at) return std::nullopt;
  return at->time_since_epoch().count();
}

// A SOQL datetime literal (whole seconds, UTC).
std::string soql_datetime(long long ms) {
  return kit::format_timestamp(
      std::chrono::floor<std::chrono::seconds>(kit::InstantMs(std::chrono::milliseconds(ms))));
}

}  // namespace

Cursor Cursor::parse(const std::string& text) {
  Cursor c;
  auto doc = kit::parse_json(text, {256 * 1024, 4});
  if (!doc || !doc->is_object()) return c;
  kit::JsonView j(*doc);
  if (auto t = j["t"].integer_or_none(); t && *t > 0) c.t = *t;
  c.id = j["id"].string_or();
  for (const auto& s : j["seen"].elements())
    if (s.is_string()) c.seen.push_back(s.string_or());
  return c;
}

std::string Cursor::encode() const {
  return kit::Json{{"t", t}, {"id", id}, {"seen", seen}}.dump();
}

Poller::Poller(sdk::Host& host, SalesforceClient& client, const Settings& settings)
    : host_(host), client_(client), settings_(settings) {}

std::string Poller::fields() const {
  std::string f = "Id, " + settings_.ext_field +
                  ", Status, IsClosed, CompletedDateTime, SystemModstamp, LastModifiedBy.Email";
  if (!settings_.outcome_field.empty()) f += ", " + settings_.outcome_field;
  return f;
}

sdk::PollResult Poller::poll(const sdk::PollRequest& request) {
  Cursor cursor = Cursor::parse(request.cursor);
  const long long overlap_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(settings_.poll_overlap).count();
  std::string soql = "SELECT " + fields() + " FROM Task WHERE " + settings_.ext_field + " != null";
  if (cursor.t > 0) soql += " AND SystemModstamp >= " + soql_datetime(cursor.t - overlap_ms);
  soql += " ORDER BY SystemModstamp, Id";
  auto records = client_.query(soql, settings_.max_pages_per_poll);
  if (!records) return client_.policy().poll_result(records.failure(), request.cursor);

  sdk::PollResult out;
  std::set<std::string> seen(cursor.seen.begin(), cursor.seen.end());
  std::set<std::string> event_ids;
  Cursor next = cursor;
  std::vector<std::pair<long long, std::string>> window;  // (ms, "Id@ms")
  for (const auto& s : cursor.seen) {
    auto at = s.rfind('@');
    if (at == std::string::npos) continue;
    try {
      window.emplace_back(std::stoll(s.substr(at + 1)), s);
    } catch (const std::exception&) {  // not ours: forget it
    }
  }
  for (const auto& record : *records) {
    kit::JsonView rec(record);
    std::string id = rec["Id"].string_or();
    auto ms = millis(rec["SystemModstamp"].string_or());
    if (id.empty() || !ms) continue;
    std::string tag = id + "@" + std::to_string(*ms);
    bool after = std::make_pair(*ms, id) > std::make_pair(cursor.t, cursor.id);
    if (!after && seen.count(tag)) continue;  // reported by an earlier poll
    if (auto e = completion_of(record, settings_); e && event_ids.insert(e->event_id).second)
      out.events.push_back(*e);
    if (std::make_pair(*ms, id) > std::make_pair(next.t, next.id)) {
      next.t = *ms;
      next.id = id;
    }
    window.emplace_back(*ms, tag);
  }
  // Remember what lies inside the overlap window below the new high-water mark, so a poll from
  // the new cursor does not report it again, while a late commit in that window still shows.
  std::sort(window.begin(), window.end());
  window.erase(std::unique(window.begin(), window.end()), window.end());
  next.seen.clear();
  for (auto it = window.rbegin(); it != window.rend() && next.seen.size() < kSeenLimit; ++it)
    if (it->first >= next.t - overlap_ms) next.seen.push_back(it->second);

  if (request.reconcile)
    if (auto failed = reconcile(request.open_refs, out.events, event_ids))
      return client_.policy().poll_result(*failed, request.cursor);
  out.status = sdk::PollResult::Status::kOk;
  out.next_cursor = next.encode();
  out.message = client_.usage_text();
  return out;
}

std::optional<kit::HttpOutcome> Poller::reconcile(const std::vector<sdk::OpenRef>& refs,
                                                  std::vector<sdk::TaskEvent>& events,
                                                  std::set<std::string>& event_ids) {
  std::vector<sdk::OpenRef> valid;
  for (const auto& r : refs)
    if (valid_key(r.task_key)) valid.push_back(r);
  for (std::size_t start = 0; start < valid.size(); start += kKeysPerQuery) {
    if (host_.cancelled()) break;
    std::string list;
    std::size_t end = std::min(valid.size(), start + kKeysPerQuery);
    for (std::size_t i = start; i < end; ++i)
      list += (list.empty() ? "" : ", ") + soql_quote(valid[i].task_key);
    auto records = client_.query(
        "SELECT " + fields() + " FROM Task WHERE " + settings_.ext_field + " IN (" + list + ")",
        settings_.max_pages_per_poll);
    if (!records) return records.failure();
    std::set<std::string> present;
    for (const auto& record : *records) {
      present.insert(kit::JsonView(record)[settings_.ext_field].string_or());
      if (auto e = completion_of(record, settings_); e && event_ids.insert(e->event_id).second)
        events.push_back(*e);
    }
    for (std::size_t i = start; i < end; ++i) {
      if (present.count(valid[i].task_key)) continue;
      sdk::TaskEvent gone;
      gone.kind = sdk::TaskEvent::Kind::kDeleted;
      gone.task_key = valid[i].task_key;
      gone.external_ref = valid[i].external_ref;
      gone.event_id = valid[i].task_key + ":deleted";
      gone.at = host_.clock().now();
      gone.comment = "the Task no longer exists in Salesforce (deleted or never created)";
      if (event_ids.insert(gone.event_id).second) events.push_back(gone);
    }
  }
  return std::nullopt;
}

}  // namespace disputed::plugins::salesforce

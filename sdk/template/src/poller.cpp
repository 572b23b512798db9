#include "poller.hpp"

#include "disputed/sdk/kit/codecs.hpp"
#include "disputed/sdk/kit/time.hpp"
#include "task_mapping.hpp"

namespace template_connector {

namespace {
// Pages read per poll before returning; the cursor resumes where this poll stopped.
constexpr int kMaxPagesPerPoll = 20;
constexpr int kPageSize = 100;
}  // namespace

Cursor Cursor::parse(const std::string& text) {
  auto bar = text.find('|');
  if (bar == std::string::npos || !kit::parse_timestamp(text.substr(0, bar))) return {};
  return {text.substr(0, bar), text.substr(bar + 1)};
}

std::string Cursor::encode() const { return updated_at.empty() ? "" : updated_at + "|" + id; }

bool Cursor::operator<(const Cursor& o) const {
  if (updated_at != o.updated_at) return updated_at < o.updated_at;
  if (id.size() != o.id.size()) return id.size() < o.id.size();
  return id < o.id;
}

Poller::Poller(sdk::Host& host, ExampleClient& client) : host_(host), client_(client) {}

sdk::PollResult Poller::poll(const sdk::PollRequest& request) {
  sdk::PollResult result;
  Cursor from = Cursor::parse(request.cursor);
  if (from.updated_at.empty() && !request.cursor.empty())
    host_.log().log(sdk::LogLevel::kWarn,
                    "unreadable cursor '" + request.cursor + "'; polling from the beginning");
  Cursor last = from;
  if (!read_changes(from, last, result, request.cursor)) return result;
  if (request.reconcile && !reconcile(request, result)) return result;
  result.next_cursor = last.encode();
  return result;
}

bool Poller::read_changes(const Cursor& from, Cursor& last, sdk::PollResult& result,
                          const std::string& cursor) {
  std::string page_token;
  for (int page = 0; page < kMaxPagesPerPoll && !host_.cancelled(); ++page) {
    std::string query = "&order=updated_at&page_size=" + std::to_string(kPageSize);
    if (!from.updated_at.empty()) query += "&updated_since=" + kit::percent_encode(from.updated_at);
    if (!page_token.empty()) query += "&page_token=" + kit::percent_encode(page_token);
    kit::Reply r = client_.call("GET", client_.list_path(query));
    kit::JsonView tasks = kit::JsonView(r.body)["tasks"];
    if (r.ok() && !tasks.is_array())
      r.outcome = client_.policy().malformed(r.response, tasks.problem("expected an array"));
    if (!r.ok()) {
      result = client_.policy().poll_result(r.outcome, cursor);
      return false;
    }
    for (const auto& task : tasks.elements()) {
      Cursor at{task["updated_at"].string_or(), task["id"].string_or()};
      if (at.updated_at.empty() || !(from < at)) continue;  // seen by an earlier poll
      if (last < at) last = at;                             // every change moves the cursor
      if (auto e = completion_of(task)) result.events.push_back(*e);
    }
    page_token = kit::JsonView(r.body)["next_page_token"].string_or();
    if (page_token.empty()) break;
  }
  return true;
}

bool Poller::reconcile(const sdk::PollRequest& request, sdk::PollResult& result) {
  // Ask about each task the host still waits on, to catch what the cursor missed.
  for (const auto& ref : request.open_refs) {
    if (host_.cancelled()) break;
    if (ref.external_ref.empty()) continue;
    kit::Reply r = client_.call("GET", ExampleClient::task_path(ref.external_ref));
    if (r.not_found()) {
      sdk::TaskEvent gone;
      gone.kind = sdk::TaskEvent::Kind::kDeleted;
      gone.task_key = ref.task_key;
      gone.external_ref = ref.external_ref;
      gone.event_id = ref.external_ref + ":deleted";
      gone.at = host_.clock().now();
      result.events.push_back(gone);
      continue;
    }
    if (!r.ok()) {
      result = client_.policy().poll_result(r.outcome, request.cursor);
      return false;
    }
    if (auto e = completion_of(kit::JsonView(r.body))) result.events.push_back(*e);
  }
  return true;
}

}  // namespace template_connector

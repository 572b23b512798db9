#include "plugins/zendesk/src/poller.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <vector>

#include "disputed/sdk/kit/codecs.hpp"
#include "disputed/sdk/kit/time.hpp"
#include "plugins/zendesk/src/task_mapping.hpp"

namespace disputed::plugins::zendesk {

namespace {

using sdk::PollResult;
using sdk::TaskEvent;

constexpr std::size_t kShowManyBatch = 100;  // show_many takes up to 100 ids
constexpr int kExportPagesPerPoll = 2;       // the incremental export allows 10 requests/minute
const char* const kThrottled = "X-Rate-Limit-Remaining reached the reserve during the poll";

std::optional<std::int64_t> ticket_id(const std::string& text) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || text.size() > 18 || ec != std::errc() || end != text.data() + text.size() ||
      v <= 0)
    return std::nullopt;
  return v;
}

TaskEvent event(TaskEvent::Kind kind, const std::string& task_key, std::int64_t id,
                const std::string& what, sdk::Instant at) {
  TaskEvent e;
  e.kind = kind;
  e.task_key = task_key;
  e.external_ref = std::to_string(id);
  e.event_id = e.external_ref + ":" + what;
  e.at = at;
  return e;
}

// Open refs by ticket id.
std::map<std::int64_t, std::string> open_tickets(const sdk::PollRequest& request) {
  std::map<std::int64_t, std::string> keys;
  for (const auto& ref : request.open_refs)
    if (auto id = ticket_id(ref.external_ref)) keys.emplace(*id, ref.task_key);
  return keys;
}

}  // namespace

Cursor Cursor::parse(const std::string& text) {
  Cursor c;
  auto bar = text.find('|');
  if (bar == std::string::npos) return c;
  c.at = kit::parse_timestamp(text.substr(0, bar));
  if (!c.at) return c;
  std::string rest = text.substr(bar + 1);
  if (rest == "*") {
    c.whole_second = true;
    return c;
  }
  for (std::size_t start = 0; start < rest.size();) {
    auto comma = rest.find(',', start);
    if (auto id = ticket_id(rest.substr(start, comma - start))) c.ids.insert(*id);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return c;
}

std::string Cursor::encode() const {
  if (!at) return {};
  std::string out = kit::format_timestamp(*at) + "|";
  if (whole_second) return out + "*";
  bool first = true;
  for (auto id : ids) {
    out += (first ? "" : ",") + std::to_string(id);
    first = false;
  }
  return out;
}

bool Cursor::before(sdk::Instant when, std::int64_t id) const {
  if (!at) return true;
  return when > *at || (when == *at && !whole_second && !ids.count(id));
}

void Cursor::advance(sdk::Instant when, std::int64_t id) {
  if (!at || when > *at) {
    at = when;
    ids = {id};
    whole_second = false;
  } else if (when == *at && !whole_second) {
    ids.insert(id);
    if (ids.size() > kMaxTies) {
      ids.clear();
      whole_second = true;
    }
  }
}

Poller::Poller(sdk::Host& host, ZendeskClient& client, const Settings& settings)
    : host_(host), client_(client), settings_(settings) {}

PollResult Poller::failed(const Reply& reply, const std::string& cursor) const {
  return client_.policy().poll_result(reply.outcome, cursor);
}

std::optional<PollResult> Poller::unusable_page(const Reply& reply,
                                                const std::string& cursor) const {
  if (!reply.ok()) return failed(reply, cursor);
  kit::JsonView tickets = kit::JsonView(reply.body)["tickets"];
  if (tickets.is_array()) return std::nullopt;
  return client_.policy().poll_result(
      client_.policy().malformed(reply.response, tickets.problem("missing")), cursor);
}

PollResult Poller::poll(const sdk::PollRequest& request) {
  return settings_.incremental ? incremental(request) : show_many(request);
}

PollResult Poller::show_many(const sdk::PollRequest& request) {
  PollResult result;
  Cursor from = Cursor::parse(request.cursor);
  if (!from.at && !request.cursor.empty())
    host_.log().log(sdk::LogLevel::kWarn,
                    "unreadable cursor; treating every open ticket as changed");
  Cursor next = from;
  std::map<std::int64_t, std::string> keys = open_tickets(request);
  if (keys.empty()) {
    // Nothing to ask about: one cheap call keeps credentials and rate limits honest.
    Reply me = client_.call("GET", "/api/v2/users/me");
    if (!me.ok()) return failed(me, request.cursor);
    result.next_cursor = request.cursor;
    return result;
  }

  std::vector<kit::Json> tickets;
  std::vector<std::int64_t> ids;
  for (const auto& [id, key] : keys) ids.push_back(id);
  for (std::size_t start = 0; start < ids.size(); start += kShowManyBatch) {
    if (host_.cancelled()) return kit::poll_retryable("cancelled", request.cursor);
    if (start > 0)
      if (auto wait = client_.throttled())
        return kit::poll_rate_limited(kThrottled, request.cursor, *wait);
    std::string list;
    for (std::size_t i = start; i < std::min(ids.size(), start + kShowManyBatch); ++i)
      list += (i == start ? "" : ",") + std::to_string(ids[i]);
    Reply r = client_.call("GET", "/api/v2/tickets/show_many?ids=" + list);
    if (auto unusable = unusable_page(r, request.cursor)) return *unusable;
    for (const auto& t : kit::JsonView(r.body)["tickets"].elements()) tickets.push_back(*t.json());
  }

  std::set<std::int64_t> seen, actors;
  struct Pending {
    TaskEvent event;
    std::int64_t assignee = 0;
  };
  std::vector<Pending> completions;
  std::vector<std::int64_t> changed;
  for (const auto& ticket : tickets) {
    kit::JsonView t(ticket);
    auto id = t["id"].integer_or_none();
    if (!id || !keys.count(*id)) continue;
    seen.insert(*id);
    std::string updated = t["updated_at"].string_or();
    auto at = kit::parse_timestamp(updated);
    if (!at) continue;
    bool is_new = from.before(*at, *id);
    next.advance(*at, *id);
    if (is_new && from.at) changed.push_back(*id);
    std::string status = t["status"].string_or();
    bool solved = status == "solved" || status == "closed";
    std::string solved_key = "solved:" + std::to_string(*id);
    if (!solved && is_new && host_.store().get(solved_key)) {
      // Solved earlier (e.g. with an outcome the workflow did not know), now open again.
      result.events.push_back(
          event(TaskEvent::Kind::kReopened, keys[*id], *id, "reopened:" + updated, *at));
      host_.store().erase(solved_key);
    }
    if (solved && !closed_by_us(ticket) && (is_new || request.reconcile)) {
      host_.store().put(solved_key, updated);
      Pending p{*completion_of(ticket, keys[*id], settings_), 0};
      if (auto a = t["assignee_id"].integer_or_none()) {
        p.assignee = *a;
        actors.insert(*a);
      }
      completions.push_back(p);
    }
  }
  // Tickets show_many no longer returns were deleted.
  for (const auto& [id, key] : keys)
    if (!seen.count(id))
      result.events.push_back(
          event(TaskEvent::Kind::kDeleted, key, id, "deleted", host_.clock().now()));

  // Comments, only for tickets changed since the cursor; ours carry the marker and are skipped.
  std::map<std::int64_t, std::string> last_comment;
  std::vector<std::pair<TaskEvent, std::int64_t>> comments;
  for (auto id : changed) {
    if (host_.cancelled()) break;
    if (auto wait = client_.throttled())
      return kit::poll_rate_limited(kThrottled, request.cursor, *wait);
    Reply r = client_.call("GET", "/api/v2/tickets/" + std::to_string(id) + "/comments");
    if (r.outcome.verdict == kit::Verdict::kNotFound) continue;
    if (!r.ok()) return failed(r, request.cursor);
    for (const auto& c : kit::JsonView(r.body)["comments"].elements()) {
      auto at = kit::parse_timestamp(c["created_at"].string_or());
      auto comment_id = c["id"].integer_or_none();
      std::string body = c["body"].string_or();
      if (!at || !comment_id || body.find("[disputed:") != std::string::npos) continue;
      if (*at < *from.at) continue;  // older than the cursor: reported by an earlier poll
      TaskEvent e = event(TaskEvent::Kind::kCommented, keys[id], id,
                          "comment:" + std::to_string(*comment_id), *at);
      e.comment = std::string(c["public"].boolean_or(true) ? "(public) " : "(internal) ") + body;
      last_comment[id] = body;
      auto author = c["author_id"].integer_or_none();
      if (author) actors.insert(*author);
      comments.emplace_back(e, author.value_or(0));
    }
  }

  auto who = actors.empty() ? std::map<std::int64_t, std::string>{} : client_.emails(actors);
  for (auto& [e, author] : comments) {
    if (who.count(author)) e.actor = who[author];
    result.events.push_back(e);
  }
  for (auto& p : completions) {
    if (who.count(p.assignee)) p.event.actor = who[p.assignee];
    std::int64_t id = *ticket_id(p.event.external_ref);
    if (last_comment.count(id)) p.event.comment = last_comment[id];
    result.events.push_back(p.event);
  }
  result.next_cursor = next.at ? next.encode() : request.cursor;
  return result;
}

PollResult Poller::incremental(const sdk::PollRequest& request) {
  // Cursor "inc|<after_cursor>"; the first poll starts an hour back (start_time must be at least
  // a minute old). Comments are not followed in this mode; reconciliation asks show_many about
  // every open ticket. Our tickets are picked by the first configured tag and their external_id.
  PollResult result;
  std::string after = request.cursor.rfind("inc|", 0) == 0 ? request.cursor.substr(4) : "";
  std::map<std::int64_t, std::string> keys = open_tickets(request);
  std::string tag = settings_.tags.empty() ? std::string() : settings_.tags.front();
  for (int page = 0; page < kExportPagesPerPoll && !host_.cancelled(); ++page) {
    std::string path = "/api/v2/incremental/tickets/cursor?";
    if (after.empty()) {
      auto start = std::chrono::duration_cast<std::chrono::seconds>(
                       (host_.clock().now() - std::chrono::hours(1)).time_since_epoch())
                       .count();
      path += "start_time=" + std::to_string(std::max<long long>(0, start));
    } else {
      path += "cursor=" + kit::percent_encode(after);
    }
    Reply r = client_.call("GET", path);
    if (auto unusable = unusable_page(r, request.cursor)) return *unusable;
    kit::JsonView body(r.body);
    for (const auto& t : body["tickets"].elements()) {
      auto id = t["id"].integer_or_none();
      if (!id) continue;
      if (t["status"].string_or() == "deleted") {
        if (!keys.count(*id)) continue;
        auto at = kit::parse_timestamp(t["updated_at"].string_or());
        result.events.push_back(event(TaskEvent::Kind::kDeleted, keys[*id], *id, "deleted",
                                      at.value_or(host_.clock().now())));
        continue;
      }
      std::string key = t["external_id"].string_or();
      if (key.empty() || (!tag.empty() && !has_tag(*t.json(), tag) && !keys.count(*id))) continue;
      if (auto e = completion_of(*t.json(), key, settings_)) result.events.push_back(*e);
    }
    if (std::string cursor = body["after_cursor"].string_or(); !cursor.empty()) after = cursor;
    if (body["end_of_stream"].boolean_or(true)) break;
  }
  if (request.reconcile && !keys.empty()) {
    sdk::PollRequest direct = request;
    direct.cursor.clear();
    PollResult checked = show_many(direct);
    if (checked.status != PollResult::Status::kOk) {
      checked.next_cursor = request.cursor;
      return checked;
    }
    for (const auto& e : checked.events)
      if (e.kind != TaskEvent::Kind::kCommented) result.events.push_back(e);
  }
  result.next_cursor = after.empty() ? request.cursor : "inc|" + after;
  return result;
}

}  // namespace disputed::plugins::zendesk

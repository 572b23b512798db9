#include "plugins/msgraph/src/poller.hpp"

#include <set>
#include <vector>

#include "disputed/sdk/kit/codecs.hpp"
#include "plugins/msgraph/src/task_mapping.hpp"

namespace disputed::plugins::msgraph {

namespace {

constexpr int kPageSize = 100;
constexpr std::size_t kBatchLimit = 20;  // requests per $batch

// The cursor: {"v": 1, "delta": {"<user>|<list>": "<deltaLink or a nextLink to resume>"}}.
std::map<std::string, std::string> read_cursor(const std::string& cursor) {
  std::map<std::string, std::string> links;
  auto doc = kit::parse_json(cursor, {1024 * 1024, 4});
  if (!doc) return links;
  kit::JsonView j(*doc);
  if (j["v"].integer_or_none() != 1) return links;
  for (const auto& [key, link] : j["delta"].members())
    if (link.is_string() && TaskRef::parse(key + "|x")) links[key] = link.string_or();
  return links;
}

std::string write_cursor(const std::map<std::string, std::string>& links) {
  return kit::Json{{"v", 1}, {"delta", links}}.dump();
}

}  // namespace

Poller::Poller(sdk::Host& host, GraphClient& client, const Settings& settings)
    : host_(host), client_(client), settings_(settings) {}

std::vector<std::string> Poller::outcomes_of(const std::string& task_key) {
  kit::Json known = client_.stored("task:" + task_key);
  auto outcomes = kit::JsonView(known)["outcomes"].string_list();
  return outcomes ? *outcomes : std::vector<std::string>{};
}

bool Poller::cancelled_by_us(const std::string& task_id) {
  return host_.store().get("cancelled:" + task_id).has_value();
}

sdk::PollResult Poller::poll(const sdk::PollRequest& request) {
  std::map<std::string, std::string> from = read_cursor(request.cursor);
  OpenTasks open;
  std::set<std::string> lists;
  for (const auto& o : request.open_refs) {
    auto ref = TaskRef::parse(o.external_ref);
    if (!ref || o.task_key.empty()) continue;
    open[ref->task] = {o.task_key, *ref};
    lists.insert(ref->list_key());
  }
  // Only lists with open tasks are read: their number, not the number of tasks, is the cost of
  // a poll. A list without open tasks drops out of the cursor; when it gets a task again, its
  // next round starts from the beginning (old completed tasks are not open refs: ignored).
  sdk::PollResult result;
  std::set<std::pair<std::string, std::string>> reported;
  Sink add = [&](sdk::TaskEvent e) {
    if (reported.insert({e.task_key, e.event_id}).second) result.events.push_back(std::move(e));
  };
  if (lists.empty()) {
    // Nothing to read yet: one cheap call keeps auth and throttling visible to the host.
    Reply probe =
        client_.call("GET", client_.user_url(settings_.check_user) + "/todo/lists?$top=1");
    if (!probe.ok() && !probe.not_found())
      return client_.policy().poll_result(probe.outcome, request.cursor);
  }
  std::map<std::string, std::string> next;
  for (const auto& list_key : lists) {
    if (host_.cancelled()) {  // keep the old position of the lists not read
      if (auto it = from.find(list_key); it != from.end()) next[list_key] = it->second;
      continue;
    }
    if (auto failed = read_list(list_key, open, next, from, add))
      return client_.policy().poll_result(*failed, request.cursor);
  }
  if (request.reconcile)
    if (auto failed = reconcile(open, add))
      return client_.policy().poll_result(*failed, request.cursor);
  result.status = sdk::PollResult::Status::kOk;
  result.next_cursor = write_cursor(next);
  return result;
}

std::optional<kit::HttpOutcome> Poller::read_list(const std::string& list_key,
                                                  const OpenTasks& open,
                                                  std::map<std::string, std::string>& links,
                                                  const std::map<std::string, std::string>& from,
                                                  const Sink& add) {
  auto bar = list_key.find('|');
  std::string user = list_key.substr(0, bar), list = list_key.substr(bar + 1);
  const std::string initial =
      client_.list_url(user, list) + "/tasks/delta?$top=" + std::to_string(kPageSize);
  auto it = from.find(list_key);
  std::string url = it != from.end() ? it->second : initial;
  bool restarted = false, full_round = it == from.end();
  std::set<std::string> seen;  // task ids present in a full round
  std::vector<sdk::TaskEvent> events;
  std::string resume;
  for (int page = 0;; ++page) {
    if (page >= settings_.max_pages || host_.cancelled()) {
      resume = url;  // a nextLink: continue from here next time
      break;
    }
    Reply r = url == initial || client_.own_link(url)
                  ? client_.call("GET", url)
                  : Reply{client_.malformed({}, "a link outside graph_base_url: " + url), {}, {}};
    if (!r.ok()) {
      const kit::HttpOutcome& f = r.outcome;
      bool invalid_token =
          f.status == 410 ||
          (f.status == 400 && (kit::lower(f.code).find("sync") != std::string::npos ||
                               kit::lower(f.code).find("token") != std::string::npos)) ||
          (f.status == 404 && url != initial && !restarted);
      if (invalid_token && !restarted) {
        // The delta token expired or is unknown: read the list again from the start. Events
        // already reported carry the same ids and are dropped by the host; deletions are found
        // by comparing the full round with the open refs.
        host_.log().log(sdk::LogLevel::kInfo, "delta token of list " + list + " (" + user +
                                                  ") not accepted (" + f.message +
                                                  "); starting a new round");
        restarted = full_round = true;
        events.clear();
        seen.clear();
        url = initial;
        page = -1;
        continue;
      }
      if (f.status == 404) {
        // The list itself is gone (deleted by the user): forget it; open refs in it are gone too.
        host_.log().log(sdk::LogLevel::kWarn,
                        "task list " + list + " of " + user + " no longer exists");
        client_.forget_list(user);
        for (const auto& [task_id, entry] : open)
          if (entry.second.list_key() == list_key)
            events.push_back(deletion_of(entry.first, entry.second));
        resume.clear();
        break;
      }
      return f;
    }
    kit::JsonView body(r.body);
    for (const auto& t : body["value"].elements()) {
      std::string id = t["id"].string_or();
      if (id.empty()) continue;
      seen.insert(id);
      auto o = open.find(id);
      std::string key = o != open.end() ? o->second.first : key_of(*t.json());
      if (key.empty()) continue;
      TaskRef ref = o != open.end() ? o->second.second : TaskRef{user, list, id};
      if (t["@removed"].exists()) {
        if (o != open.end() && !cancelled_by_us(id)) events.push_back(deletion_of(key, ref));
        continue;
      }
      if (auto e = completion_of(*t.json(), key, ref, outcomes_of(key))) events.push_back(*e);
    }
    std::string next_link = body["@odata.nextLink"].string_or();
    if (!next_link.empty()) {
      url = next_link;
      continue;
    }
    resume = body["@odata.deltaLink"].string_or();
    if (full_round)  // a full round lists every task: an open ref missing from it was deleted
      for (const auto& [task_id, entry] : open)
        if (entry.second.list_key() == list_key && !seen.count(task_id) &&
            !cancelled_by_us(task_id))
          events.push_back(deletion_of(entry.first, entry.second));
    break;
  }
  for (auto& e : events) add(std::move(e));
  if (!resume.empty()) links[list_key] = resume;
  return std::nullopt;
}

std::optional<kit::HttpOutcome> Poller::reconcile(const OpenTasks& open, const Sink& add) {
  std::vector<std::pair<std::string, TaskRef>> refs;
  for (const auto& [_, entry] : open) refs.push_back(entry);
  for (std::size_t start = 0; start < refs.size(); start += kBatchLimit) {
    if (host_.cancelled()) break;
    kit::Json requests = kit::Json::array();
    std::size_t end = std::min(refs.size(), start + kBatchLimit);
    for (std::size_t i = start; i < end; ++i) {
      const TaskRef& ref = refs[i].second;
      requests.push_back({{"id", std::to_string(i - start + 1)},
                          {"method", "GET"},
                          {"url", "/users/" + kit::percent_encode(ref.user, "@") + "/todo/lists/" +
                                      kit::percent_encode(ref.list, "@") + "/tasks/" +
                                      kit::percent_encode(ref.task, "@")}});
    }
    kit::Json body = {{"requests", requests}};
    Reply r = client_.call("POST", settings_.base + "/$batch", &body);
    if (!r.ok()) return r.outcome;
    kit::JsonView answers = kit::JsonView(r.body)["responses"];
    if (!answers.is_array())
      return client_.malformed(r, "Graph answered a $batch without responses");
    std::optional<kit::HttpOutcome> throttled;
    for (const auto& answer : answers.elements()) {
      std::size_t index = 0;
      try {
        index = std::stoul(answer["id"].string_or());
      } catch (const std::exception&) {
        continue;
      }
      if (index < 1 || start + index > end) continue;
      const auto& [key, ref] = refs[start + index - 1];
      int status = int(answer["status"].integer_or_none().value_or(0));
      if (status == 200) {
        if (auto e = completion_of(answer["body"].json() ? *answer["body"].json() : kit::Json(),
                                   key, ref, outcomes_of(key)))
          add(*e);
      } else if (status == 404) {
        if (!cancelled_by_us(ref.task)) add(deletion_of(key, ref));
      } else if ((status == 429 || status >= 500) && !throttled) {
        // An inner request was throttled: the whole poll waits (its events come again, same ids).
        sdk::HttpResponse inner{status, {}, "", "", {}};
        for (const auto& [name, value] : answer["headers"].members())
          inner.headers.emplace_back(name, value.string_or());
        throttled = client_.policy().judge(inner, host_.clock().now());
        throttled->message = "an inner $batch request answered " + std::to_string(status);
      }
    }
    if (throttled) return throttled;
  }
  return std::nullopt;
}

}  // namespace disputed::plugins::msgraph

#pragma once
// The one-click links' records as the database keeps them (migration 6): each link used (by its
// id, once), the customers' feedback scores, and the recipients who unsubscribed from a kind of
// optional message. The rules (what a link may do, when) are the engine's (LinkActions).

#include <cstdint>
#include <optional>
#include <string>

#include "core/domain/time.hpp"
#include "core/store/sqlite.hpp"

namespace disputed::store {

struct LinkUseRecord {
  std::string jti;
  std::int64_t dispute_id = 0;
  std::string action;  // outcome | information | feedback | unsubscribe
  std::string task_key;
  std::string value;  // the outcome, the score, the message kind
  std::string recipient;
  std::string comment;
  domain::Instant used_at;
};

struct FeedbackRecord {
  std::int64_t dispute_id = 0;
  int score = 0;  // 1..5
  std::string comment;
  std::string respondent;
  domain::Instant given_at;
};

class LinkUseStore {
 public:
  explicit LinkUseStore(Database& db) : db_(db) {}

  /// Records a link's use; false (nothing written) when its jti was used before.
  bool insert_use(const LinkUseRecord& use);
  std::optional<LinkUseRecord> find_use(const std::string& jti);
  void insert_feedback(const FeedbackRecord& feedback);
  /// Records that `recipient` wants no more messages of `kind` (again: no change).
  void insert_unsubscribe(const std::string& recipient, const std::string& kind,
                          domain::Instant at);
  bool unsubscribed(const std::string& recipient, const std::string& kind);

 private:
  Database& db_;
};

}  // namespace disputed::store

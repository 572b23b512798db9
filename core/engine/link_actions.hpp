#pragma once
// What a one-click link from a mail may do (docs/messaging.md, "Links and their security"), as
// the engine decides it: the web layer has verified the link's signature and expiry and hands
// over what it says (a LinkUse); this says what its page shows (inspect, read only — a GET, which
// scanners follow, never acts) and does it once (act: in one transaction the link's id is
// recorded in link_uses, whose primary key makes a second use fail, together with what it did):
//
// - outcome: completes the step with the outcome, the recipient as the actor, channel email;
// - information: the recipient needs more information — a dossier entry, the step stays open;
// - feedback: the customer's score (1..5) and comment, in the feedback table and the dossier;
// - unsubscribe: no more optional messages of that kind to the recipient (TaskOutbox honours it).
//
// A link for a step acts only while the step is open and held by the link's recipient (its
// assignee, or whom it was escalated to): a reassigned step makes the link "foreign".

#include <optional>
#include <string>

#include "core/domain/result.hpp"
#include "core/domain/time.hpp"
#include "core/store/link_uses.hpp"
#include "core/store/store.hpp"

namespace disputed::engine {

class DisputeService;

/// What a verified link asks for (the signed claims the engine needs).
struct LinkUse {
  std::string jti;
  std::string action;  ///< "outcome", "information", "feedback", "unsubscribe"
  std::string dispute;
  std::string task_key;  ///< outcome and information
  std::string value;     ///< the outcome, the score "1".."5", the message kind
  std::string recipient;
};

enum class LinkState {
  kConfirm,  ///< the link may act: its page shows the form
  kDone,     ///< act() did it just now
  kUsed,     ///< the link acted before (`recorded` says what)
  kInvalid,  ///< it names no dispute or step of ours, or asks what cannot be done
  kForeign,  ///< the step is now someone else's
  kClosed,   ///< the step or the dispute is no longer open
};

/// What a link's page shows.
struct LinkStatus {
  LinkState state = LinkState::kInvalid;
  std::string customer;
  std::string step;                              ///< the step's title
  std::optional<store::LinkUseRecord> recorded;  ///< kUsed, kDone
  std::string problem;                           ///< kInvalid: why (for the log, not the page)
};

class LinkActions {
 public:
  LinkActions(store::Database& db, DisputeService& disputes, const domain::Clock& clock)
      : db_(db), store_(db), uses_(db), disputes_(disputes), clock_(clock) {}

  /// What `use` would do now; reads only.
  LinkStatus inspect(const LinkUse& use);
  /// Does it, once, with `comment` (bounded by the caller): kDone, or why not (kUsed, kForeign,
  /// kClosed, kInvalid) with nothing written. A storage failure is an error.
  domain::Result<LinkStatus> act(const LinkUse& use, const std::string& comment);
  /// Whether `recipient` unsubscribed from messages of `kind`.
  bool unsubscribed(const std::string& recipient, const std::string& kind) {
    return uses_.unsubscribed(recipient, kind);
  }

 private:
  LinkStatus check(const LinkUse& use, std::optional<store::DisputeRecord>& dispute,
                   std::optional<store::StepRecord>& step);

  store::Database& db_;
  store::Store store_;
  store::LinkUseStore uses_;
  DisputeService& disputes_;
  const domain::Clock& clock_;
};

}  // namespace disputed::engine

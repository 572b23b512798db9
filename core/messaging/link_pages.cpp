#include "core/messaging/link_pages.hpp"

namespace disputed::messaging {

namespace {

using nlohmann::json;

json opt(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

std::string fill(std::string text, const std::map<std::string, std::string>& values) {
  for (const auto& [key, value] : values) {
    std::string marker = "{" + key + "}";
    for (auto at = text.find(marker); at != std::string::npos;
         at = text.find(marker, at + value.size()))
      text.replace(at, marker.size(), value);
  }
  return text;
}

}  // namespace

std::string choice_label(const LinkClaims& c, const Locale& locale) {
  switch (c.action) {
    case LinkAction::kOutcome: {
      std::string fallback = c.value;
      for (char& ch : fallback)
        if (ch == '-' || ch == '_') ch = ' ';
      // As the mail wrote it (message_data's outcome_label): "Customer right".
      if (!fallback.empty() && fallback[0] >= 'a' && fallback[0] <= 'z')
        fallback[0] = char(fallback[0] - 32);
      return locale.word("outcome." + c.value, fallback);
    }
    case LinkAction::kInformation:
      return locale.word("page.choice.information", "Need more information");
    case LinkAction::kFeedback:
      return fill(locale.word("page.choice.feedback", "Score {score} of 5"), {{"score", c.value}});
    case LinkAction::kUnsubscribe:
      return locale.word("page.choice.unsubscribe", "No more of these messages");
  }
  return c.value;
}

const char* to_string(PageState state) noexcept {
  switch (state) {
    case PageState::kConfirm:
      return "confirm";
    case PageState::kDone:
      return "done";
    case PageState::kUsed:
      return "used";
    case PageState::kExpired:
      return "expired";
    case PageState::kInvalid:
      return "invalid";
    case PageState::kForeign:
      return "foreign";
    case PageState::kClosed:
      return "closed";
  }
  return "invalid";
}

json link_page_data(const PageFacts& f, const Locale& locale) {
  std::string state = to_string(f.state);
  std::map<std::string, std::string> values;
  std::string choice;
  if (f.claims) {
    choice = choice_label(*f.claims, locale);
    values = {{"dispute", f.claims->dispute},
              {"step", f.step},
              {"choice", choice},
              {"recorded", f.recorded},
              {"when", f.recorded_at}};
  }
  bool form = f.state == PageState::kConfirm;
  bool comment = form && f.claims && f.claims->action != LinkAction::kUnsubscribe;
  json d = {{"language", locale.language},
            {"state", state},
            {"title", fill(locale.word("page." + state + ".title", state), values)},
            {"heading", fill(locale.word("page." + state + ".heading", state), values)},
            {"message", fill(locale.word("page." + state + ".message"), values)},
            {"dispute_label", locale.word("page.dispute", "Dispute")},
            {"customer_label", locale.word("page.customer", "Customer")},
            {"step_label", locale.word("page.step", "Step")},
            {"choice_label", locale.word("page.choice", "Your choice")},
            {"dispute", opt(f.claims ? f.claims->dispute : "")},
            {"customer", opt(f.customer)},
            {"step", opt(f.step)},
            {"choice", opt(choice)},
            {"show_form", form},
            {"show_comment", comment},
            {"form_action", form ? f.form_action : ""},
            {"comment_label", locale.word("page.comment", "Comment (optional)")},
            {"confirm_label", locale.word("page.confirm", "Confirm")},
            {"footer", locale.word("page.footer")}};
  return d;
}

json link_page_sample() {
  PageFacts f;
  f.state = PageState::kConfirm;
  LinkClaims c;
  c.dispute = "DSP-000042";
  c.task_key = "DSP-000042-1";
  c.value = "customer-right";
  c.recipient = "anna@example.com";
  f.claims = c;
  f.customer = "Bäckerei Müller GmbH";
  f.step = "Check the price agreement";
  f.form_action = "/a/sample";
  Locale locale;
  locale.language = "en";
  return link_page_data(f, locale);
}

}  // namespace disputed::messaging

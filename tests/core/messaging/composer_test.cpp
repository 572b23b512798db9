// The composer turns an outbox row's facts into the message a transport sends: in the reader's
// language, with dates and amounts written for it, a Message-ID derived from the idempotency key
// (the same on every attempt), threading and the headers of mail sent by a program.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/messaging/composer.hpp"
#include "disputed/sdk/kit/mime.hpp"

namespace disputed::messaging {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

const std::filesystem::path kShipped =
    std::filesystem::path(DISPUTED_SOURCE_DIR) / "configs" / "templates";

class ComposerTest : public ::testing::Test {
 protected:
  ComposerTest()
      : calendar_(domain::BusinessCalendar::weekdays()),
        composer_(settings(), TemplateSet::load(kShipped, {"nl", "en", "pl"}, Composer::samples()),
                  nullptr, calendar_) {}

  static ComposerSettings settings() {
    ComposerSettings s;
    s.from_address = "disputes@acme.example";
    s.from_name = "Acme credit control";
    s.reply_to = "disputes+{dispute}@acme.example";
    s.public_url = "https://disputes.acme.example";
    return s;
  }

  static MessageRow row(const std::string& key, const json& facts) {
    MessageRow r;
    r.action_key = key;
    r.created_at = *domain::parse_instant("2026-11-23T08:00:00Z");
    r.payload_json = facts.dump();
    return r;
  }

  static json task_facts() {
    return {{"template", "task_assigned"},
            {"to", "finance"},
            {"recipients", {"joost@acme.example", "lisa@acme.example"}},
            {"recipient_role", "Finance"},
            {"language", "nl"},
            {"dispute", "DSP-000042"},
            {"task_key", "DSP-000042-2"},
            {"title", "Maak de creditnota"},
            {"instructions", "Maak een creditnota voor het verschil."},
            {"assignee", "finance"},
            {"deadline_at", "2026-11-25T16:00:00Z"},
            {"outcomes", {"credit-note-issued"}},
            {"category", "Prijs of korting"},
            {"customer", {{"id", "C-1"}, {"name", "Bäckerei Müller GmbH"}}},
            {"description", "Prijs moet 9,50 zijn"},
            {"currency", "EUR"},
            {"disputed_amount", "1234.50"},
            {"invoices", {{{"number", "INV-1001"}, {"disputed_amount", "1234.50"}}}}};
  }

  domain::BusinessCalendar calendar_;
  Composer composer_;
};

TEST_F(ComposerTest, ATaskMailGoesToEveryMemberOfTheRoleInTheirLanguage) {
  auto c = composer_.compose(row("DSP-000042-2:assigned", task_facts()));
  ASSERT_TRUE(c) << c.error().message;
  const auto& m = c.value().message;
  EXPECT_EQ(c.value().kind, "task_assigned");
  EXPECT_EQ(c.value().language, "nl");
  ASSERT_EQ(m.to.size(), 2u);
  EXPECT_EQ(m.to[0].address, "joost@acme.example");
  EXPECT_EQ(m.to[1].address, "lisa@acme.example");
  EXPECT_EQ(m.subject, "Nieuwe taak: Maak de creditnota — DSP-000042 (Bäckerei Müller GmbH)");
  EXPECT_THAT(m.text, HasSubstr("Betwist bedrag: € 1.234,50"));
  // 16:00 UTC is 17:00 in Amsterdam, the calendar's time zone.
  EXPECT_THAT(m.text, HasSubstr("Uiterlijk: 25 november 2026, 17:00"));
  EXPECT_THAT(m.text, HasSubstr("Verstuurd aan alle leden van Finance."));
  EXPECT_THAT(m.text, HasSubstr("https://disputes.acme.example/disputes/DSP-000042"));
  EXPECT_THAT(m.html, HasSubstr("<html lang=\"nl\">"));
  EXPECT_EQ(m.language, "nl");
  EXPECT_EQ(m.date, "2026-11-23T08:00:00Z");
  ASSERT_EQ(m.reply_to.size(), 1u);
  EXPECT_EQ(m.reply_to[0].address, "disputes+DSP-000042@acme.example");
  EXPECT_THAT(m.message_id,
              ::testing::MatchesRegex("<[a-z2-7]{26}\\.task-assigned@acme\\.example>"));
  bool auto_submitted = false;
  for (const auto& h : m.headers)
    if (h.name == "Auto-Submitted" && h.value == "auto-generated") auto_submitted = true;
  EXPECT_TRUE(auto_submitted);
  // Without link keys the mail carries no one-click links, and says nothing about them.
  EXPECT_THAT(m.text, Not(HasSubstr("/a/")));
  EXPECT_TRUE(sdk::kit::write_mime(m)) << "the composed message is one the MIME writer accepts";
}

TEST_F(ComposerTest, TheSameRowComposesTheSameMessageAndAnotherKeyAnotherId) {
  auto first = composer_.compose(row("DSP-000042-2:assigned", task_facts()));
  auto again = composer_.compose(row("DSP-000042-2:assigned", task_facts()));
  auto other = composer_.compose(row("DSP-000042-2:remind-1", task_facts()));
  ASSERT_TRUE(first && again && other);
  EXPECT_EQ(*sdk::kit::write_mime(first.value().message),
            *sdk::kit::write_mime(again.value().message));
  EXPECT_NE(first.value().message.message_id, other.value().message.message_id);
}

TEST_F(ComposerTest, ACustomerConfirmationSaysTheCaseNumberAmountsAndExpectedDate) {
  json facts = {{"template", "dispute_confirmation"},
                {"to", "jorg@mueller.example"},
                {"contact_name", "Jörg Müller"},
                {"language", "en"},
                {"dispute", "DSP-000042"},
                {"category", "Price or discount"},
                {"expected_resolution_by", "2026-12-07"},
                {"invoices",
                 {{{"number", "INV-1001"}, {"disputed_amount", "1234.50"}},
                  {{"number", "INV-1002"}, {"disputed_amount", "10"}}}},
                {"disputed_amount", "1244.50"},
                {"currency", "EUR"},
                {"dunning_paused", true}};
  auto c = composer_.compose(row("DSP-000042:0:confirmation", facts));
  ASSERT_TRUE(c) << c.error().message;
  const auto& m = c.value().message;
  EXPECT_EQ(m.subject,
            "We have received your dispute DSP-000042: answer expected by 7 December 2026");
  ASSERT_EQ(m.to.size(), 1u);
  EXPECT_EQ(m.to[0].name, "Jörg Müller");
  EXPECT_THAT(m.text, HasSubstr("Dear Jörg Müller,"));
  EXPECT_THAT(m.text, HasSubstr("- INV-1001: € 1,234.50\n- INV-1002: € 10.00\n"));
  EXPECT_THAT(m.text, HasSubstr("Total in dispute: € 1,244.50"));
  EXPECT_THAT(m.text, HasSubstr("we will not send you payment reminders"));
}

TEST_F(ComposerTest, ACustomerWhoReadsPolishGetsThePolishConfirmation) {
  json facts = {{"template", "dispute_confirmation"},
                {"to", "anna@kowalski.example"},
                {"language", "pl"},
                {"dispute", "DSP-000043"},
                {"category", "Cena lub rabat"},
                {"expected_resolution_by", "2026-12-07"},
                {"invoices", {{{"number", "FV-2026-17"}, {"disputed_amount", "12345.6"}}}},
                {"disputed_amount", "12345.6"},
                {"currency", "PLN"},
                {"dunning_paused", true}};
  auto c = composer_.compose(row("DSP-000043:0:confirmation", facts));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c.value().language, "pl");
  const auto& m = c.value().message;
  EXPECT_EQ(m.subject, "Otrzymaliśmy Państwa reklamację DSP-000043: odpowiedź do 7 grudnia 2026");
  EXPECT_THAT(m.text, HasSubstr("Szanowni Państwo,"));
  EXPECT_THAT(m.text, HasSubstr("- FV-2026-17: 12\u00a0345,60\u00a0zł\n"));
  EXPECT_THAT(m.text, HasSubstr("nie będziemy wysyłać wezwań do zapłaty"));
  EXPECT_THAT(m.html, HasSubstr("<html lang=\"pl\">"));
  EXPECT_THAT(m.html, HasSubstr("<strong>DSP-000043</strong>"));
}

TEST_F(ComposerTest, ALanguageWithoutTemplatesFallsBackToTheDefault) {
  json facts = task_facts();
  facts["language"] = "fr";
  auto c = composer_.compose(row("DSP-000042-2:assigned", facts));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c.value().language, "nl");
}

TEST_F(ComposerTest, NoAddressIsAnErrorThatSaysSoNeverASilentDrop) {
  json facts = task_facts();
  facts["recipients"] = json::array();
  auto none = composer_.compose(row("DSP-000042-2:assigned", facts));
  ASSERT_FALSE(none);
  EXPECT_THAT(none.error().message, HasSubstr("nobody to send to: 'finance' has no members"));
  facts.erase("recipients");
  facts["to"] = "Anna (no address)";
  auto bad = composer_.compose(row("DSP-000042-2:assigned", facts));
  ASSERT_FALSE(bad);
  EXPECT_THAT(bad.error().message, HasSubstr("is not an e-mail address"));
}

// With link keys: the composer signs one link per outcome and "need more information", bound to
// the dispute, the step, the outcome and the recipient, in both bodies.
class ComposerWithLinksTest : public ComposerTest {
 protected:
  ComposerWithLinksTest()
      : signer_(std::make_shared<const LinkSigner>(
            std::vector<std::pair<std::string, std::string>>{{"k1", std::string(32, 's')}})),
        linked_(settings(), TemplateSet::load(kShipped, {"nl", "en"}, Composer::samples()), signer_,
                calendar_) {}

  // Every https://disputes.acme.example/a/<token> in `text`, in order.
  static std::vector<std::string> links(const std::string& text) {
    std::vector<std::string> out;
    const std::string prefix = "https://disputes.acme.example/a/";
    for (auto at = text.find(prefix); at != std::string::npos; at = text.find(prefix, at + 1)) {
      auto end = text.find_first_of(" \n\r\"<", at);
      out.push_back(text.substr(at + prefix.size(), end - at - prefix.size()));
    }
    return out;
  }

  std::shared_ptr<const LinkSigner> signer_;
  Composer linked_;
};

TEST_F(ComposerWithLinksTest, ATaskMailCarriesOneSignedLinkPerOutcomeAndOneForInformation) {
  json facts = task_facts();
  facts["to"] = "anna@acme.example";
  facts.erase("recipients");
  facts["outcomes"] = {"customer-right", "invoice-right"};
  auto c = linked_.compose(row("DSP-000042-2:assigned", facts));
  ASSERT_TRUE(c) << c.error().message;
  const auto& m = c.value().message;
  auto text_links = links(m.text);
  ASSERT_EQ(text_links.size(), 3u) << m.text;
  EXPECT_EQ(links(m.html), text_links) << "the HTML body carries the same links";
  const std::int64_t now = 1795420800;  // 2026-11-23T08:00:00Z
  std::vector<std::string> values;
  for (const auto& token : text_links) {
    auto v = signer_->verify(token, now);
    ASSERT_EQ(v.problem, LinkProblem::kNone) << token;
    EXPECT_EQ(v.claims->dispute, "DSP-000042");
    EXPECT_EQ(v.claims->task_key, "DSP-000042-2");
    EXPECT_EQ(v.claims->recipient, "anna@acme.example");
    EXPECT_EQ(v.claims->language, "nl");
    EXPECT_EQ(v.claims->expires_at, now + 14 * 86400) << "link_valid_days (14) after the mail";
    values.push_back(std::string(to_string(v.claims->action)) + ":" + v.claims->value);
  }
  EXPECT_THAT(values, ElementsAre("outcome:customer-right", "outcome:invoice-right",
                                  "information:information"));
  // A retry composes the same links; another mail of the step has links of its own.
  auto again = linked_.compose(row("DSP-000042-2:assigned", facts));
  EXPECT_EQ(links(again.value().message.text), text_links);
  auto reminder = linked_.compose(row("DSP-000042-2:remind-1", facts));
  EXPECT_NE(links(reminder.value().message.text), text_links);
  // Optional mail only: a task mail has no List-Unsubscribe.
  for (const auto& h : m.headers) EXPECT_NE(h.name, "List-Unsubscribe");
}

TEST_F(ComposerWithLinksTest, AFeedbackRequestCarriesFiveScoreLinksSharingOneUseAndUnsubscribe) {
  json facts = {{"template", "feedback_request"},
                {"to", "jorg@mueller.example"},
                {"language", "en"},
                {"dispute", "DSP-000042"},
                {"customer", "Bäckerei Müller"},
                {"contact_name", "Jörg Müller"}};
  auto c = linked_.compose(row("DSP-000042:0:feedback-request", facts));
  ASSERT_TRUE(c) << c.error().message;
  const auto& m = c.value().message;
  auto scores = links(m.text);
  ASSERT_EQ(scores.size(), 5u) << m.text;
  std::string jti;
  for (std::size_t i = 0; i < scores.size(); ++i) {
    auto v = signer_->verify(scores[i], 1795420800);
    ASSERT_EQ(v.problem, LinkProblem::kNone);
    EXPECT_EQ(v.claims->action, LinkAction::kFeedback);
    EXPECT_EQ(v.claims->value, std::to_string(i + 1));
    EXPECT_EQ(v.claims->expires_at, 1795420800 + 30 * 86400);
    if (i == 0) jti = v.claims->jti;
    EXPECT_EQ(v.claims->jti, jti) << "one request, one answer";
  }
  std::string unsubscribe, post;
  for (const auto& h : m.headers) {
    if (h.name == "List-Unsubscribe") unsubscribe = h.value;
    if (h.name == "List-Unsubscribe-Post") post = h.value;
  }
  EXPECT_EQ(post, "List-Unsubscribe=One-Click");
  ASSERT_EQ(unsubscribe.front(), '<');
  auto token = links(unsubscribe.substr(1, unsubscribe.size() - 2) + " ");
  ASSERT_EQ(token.size(), 1u) << unsubscribe;
  auto v = signer_->verify(token[0], 1795420800);
  ASSERT_EQ(v.problem, LinkProblem::kNone);
  EXPECT_EQ(v.claims->action, LinkAction::kUnsubscribe);
  EXPECT_EQ(v.claims->value, "feedback_request");
  EXPECT_EQ(v.claims->recipient, "jorg@mueller.example");
}

TEST_F(ComposerWithLinksTest, OneMailToEveryMemberOfARoleHasNoUnsubscribeLinkForThemAll) {
  json facts = {{"template", "management_info"},
                {"to", "sales-management"},
                {"to_kind", "role"},
                {"recipients", {"sam@acme.example", "sue@acme.example"}},
                {"dispute", "DSP-000042"},
                {"category", "price"},
                {"customer", "Bäckerei Müller"},
                {"disputed_amount", "10.00"},
                {"currency", "EUR"},
                {"channel", "email"}};
  auto c = linked_.compose(row("DSP-000042:0:inform-1", facts));
  ASSERT_TRUE(c) << c.error().message;
  for (const auto& h : c.value().message.headers) EXPECT_NE(h.name, "List-Unsubscribe");
  facts["to"] = "sam@acme.example";
  facts["to_kind"] = "person";
  facts["recipients"] = {"sam@acme.example"};
  auto person = linked_.compose(row("DSP-000042:0:inform-1", facts));
  bool found = false;
  for (const auto& h : person.value().message.headers)
    found = found || h.name == "List-Unsubscribe";
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace disputed::messaging

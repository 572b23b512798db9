// End to end: the engine's messages through the real outbox, plugin host, sync engine (the same
// dispatcher, ledger and dead letters as tasks), the composer with the shipped templates and the
// smtp plugin, to a real SMTP server (aiosmtpd with STARTTLS and AUTH) — each received mail read
// with Python's email package, as the person meets it.

#include <gmock/gmock.h>

#include <cstdlib>

#include "plugins/smtp/tests/mail_sink.hpp"
#include "tests/support/plugin_end_to_end.hpp"

namespace disputed {
namespace {

using engine::testing_support::at;
using engine::testing_support::person;
using engine::testing_support::role;
using nlohmann::json;
using ::testing::HasSubstr;
using testing::MailSink;
using ::testing::Not;

constexpr const char* kInstance = "mail";

class SmtpEndToEnd : public testing::PluginEndToEnd {
 protected:
  void SetUp() override {
    send_messages_through(kInstance);
    defs_.messaging.envelope_from = "bounces@acme.example";
    defs_.roles["sales-management"].members = {"sam@example.com", "sue@example.com"};
    EngineTest::SetUp();

    sink_ = std::make_unique<MailSink>(testing::end_to_end_sink_options());
    json instance = testing::end_to_end_smtp_instance(kInstance, *sink_);
    open_connectors(instance, SMTP_PLUGIN_DIR);
    app::attach_messaging(*host_, *sync_, defs_, "disputed.json");
  }

  // Delivers what is due; returns the mail that arrived so far, parsed.
  json deliver(int expected_total) {
    auto report = sync_->dispatch_once(kInstance);
    EXPECT_EQ(report.dead, 0) << outbox();
    EXPECT_TRUE(sink_->wait_for(expected_total)) << sink_->count() << " mails; " << outbox();
    return sink_->messages();
  }

  static const json* find(const json& mails, const std::string& subject_part) {
    for (const auto& m : mails)
      if (m["headers"]["subject"][0].get<std::string>().find(subject_part) != std::string::npos)
        return &m;
    return nullptr;
  }

  std::unique_ptr<MailSink> sink_;
};

TEST_F(SmtpEndToEnd, TheCustomerManagementAndTheActionTakerEachGetTheirMailInTheirLanguage) {
  auto v = open();
  const std::string ref = v.dispute.ref;
  // Confirmation (customer, nl), management information (en) and the first step's task (en).
  json mails = deliver(3);
  ASSERT_EQ(mails.size(), 3u) << mails.dump(2);

  const json* confirmation = find(mails, "Wij hebben uw geschil " + ref + " ontvangen");
  ASSERT_NE(confirmation, nullptr) << mails.dump(2);
  const json& c = *confirmation;
  EXPECT_EQ(c["envelope"]["to"], json::array({"ap@C1.example"}));
  EXPECT_EQ(c["envelope"]["from"], "bounces@acme.example");
  EXPECT_EQ(c["envelope"]["tls"], "yes") << "sent after STARTTLS";
  EXPECT_EQ(c["envelope"]["login"], "app");
  EXPECT_EQ(c["headers"]["subject"][0],
            "Wij hebben uw geschil " + ref + " ontvangen: antwoord uiterlijk 7 december 2026");
  EXPECT_EQ(c["headers"]["from"][0], "Acme credit control <disputes@acme.example>");
  EXPECT_EQ(c["headers"]["to"][0], "Jan Jansen <ap@C1.example>");
  EXPECT_EQ(c["headers"]["reply-to"][0], "Acme credit control <disputes+" + ref + "@acme.example>");
  EXPECT_EQ(c["headers"]["content-language"][0], "nl");
  EXPECT_EQ(c["headers"]["auto-submitted"][0], "auto-generated");
  EXPECT_EQ(c["content_type"], "multipart/alternative");
  EXPECT_EQ(c["parts"], json::array({"multipart/alternative", "text/plain", "text/html"}));
  std::string text = c["text"];
  EXPECT_THAT(text, HasSubstr("Beste Jan Jansen,"));
  EXPECT_THAT(text, HasSubstr("zaaknummer " + ref + " (Price)"));
  EXPECT_THAT(text, HasSubstr("- INV-1: € 1.000,00"));
  EXPECT_THAT(text, HasSubstr("geen betalingsherinneringen"));
  EXPECT_THAT(text, HasSubstr("uiterlijk 7 december 2026"));
  EXPECT_THAT(c["html"].get<std::string>(), HasSubstr("<strong>7 december 2026</strong>"));

  const json* info = find(mails, "New dispute " + ref);
  ASSERT_NE(info, nullptr);
  EXPECT_EQ((*info)["envelope"]["to"], json::array({"lead@example.com"}));
  EXPECT_EQ((*info)["headers"]["subject"][0], "New dispute " + ref + ": Acme BV, € 1,000.00");
  EXPECT_THAT((*info)["text"].get<std::string>(), HasSubstr("No action is needed from you."));

  const json* task = find(mails, "New task: Check the price agreement");
  ASSERT_NE(task, nullptr);
  EXPECT_EQ((*task)["envelope"]["to"], json::array({"am@example.com"}));
  EXPECT_EQ((*task)["headers"]["subject"][0],
            "New task: Check the price agreement — " + ref + " (Acme BV)");
  std::string task_text = (*task)["text"];
  EXPECT_THAT(task_text, HasSubstr("Compare the invoiced price with the contract."));
  EXPECT_THAT(task_text, HasSubstr("Due: 25 November 2026, 17:00"));
  EXPECT_THAT(task_text, HasSubstr("https://disputes.acme.example/disputes/" + ref));
  // No link keys yet: no one-click links (docs/messaging.md, "Not yet").
  EXPECT_THAT(task_text, Not(HasSubstr("/a/")));

  // Every mail sent is in the dossier: to whom, what, through which instance, which Message-ID.
  auto shown = service_->show(ref, true);
  ASSERT_TRUE(shown.ok());
  int sent = 0;
  for (const auto& e : shown.value().dossier) {
    if (e.kind != "message_sent") continue;
    ++sent;
    auto p = json::parse(e.payload_json);
    EXPECT_EQ(p["instance"], kInstance);
    bool found = false;
    for (const auto& m : mails) found = found || m["headers"]["message-id"][0] == p["message_id"];
    EXPECT_TRUE(found) << p.dump();
  }
  EXPECT_EQ(sent, 3);
  EXPECT_EQ(count("outbox"), 3);
  EXPECT_THAT(outbox(), Not(HasSubstr("pending")));
}

TEST_F(SmtpEndToEnd, AReminderThreadsWithItsTaskMailAndARoleGetsOneMailToEveryMember) {
  auto v = open();
  const std::string ref = v.dispute.ref;
  json mails = deliver(3);
  const json* task = find(mails, "New task: Check the price agreement");
  ASSERT_NE(task, nullptr);
  std::string task_id = (*task)["headers"]["message-id"][0];

  // The step's first reminder is due a working day before its deadline (Tue 17:00).
  sink_->clear();
  clock_.set(at("2026-11-25T08:00:00Z"));
  ASSERT_TRUE(service_->tick().ok());
  mails = deliver(1);
  const json* reminder = find(mails, "Reminder: Check the price agreement");
  ASSERT_NE(reminder, nullptr) << mails.dump(2) << outbox();
  EXPECT_EQ((*reminder)["envelope"]["to"], json::array({"am@example.com"}));
  EXPECT_EQ((*reminder)["headers"]["in-reply-to"][0], task_id);
  EXPECT_EQ((*reminder)["headers"]["references"][0], task_id);

  // The next step is for a role: one mail, to every member.
  sink_->clear();
  ASSERT_TRUE(complete(ref, "check", "customer-right").ok());
  mails = deliver(1);
  ASSERT_EQ(mails.size(), 1u) << outbox();
  EXPECT_EQ(mails[0]["envelope"]["to"], json::array({"sam@example.com", "sue@example.com"}));
  EXPECT_THAT(mails[0]["headers"]["subject"][0].get<std::string>(),
              HasSubstr("New task: Approve the credit note"));
  EXPECT_THAT(mails[0]["text"].get<std::string>(),
              HasSubstr("Sent to every member of Sales management."));
}

// Issue 16: an internal step's escalation levels each mail their target once, and the date
// promised to the customer is watched (a warning the working day before, an alert at the date).
TEST_F(SmtpEndToEnd, EachEscalationLevelMailsItsTargetOnceAndThePromiseIsWatched) {
  auto& check = defs_.workflows["price"].steps["check"];
  check.reminders.clear();
  check.escalations = {workflow::Escalation{1, role("credit-control-lead")},
                       workflow::Escalation{3, person("boss@example.com")}};
  defs_.notifications.promise.controller = {person("controller@example.com")};
  defs_.notifications.promise.management = {role("sales-management")};
  service_ = std::make_unique<engine::DisputeService>(*db_, defs_, clock_);
  auto v = open();
  const std::string ref = v.dispute.ref;
  deliver(3);

  sink_->clear();
  clock_.set(at("2026-11-26T16:00:00Z"));  // Thu 17:00: a working day past Wednesday's deadline
  ASSERT_EQ(service_->tick()->escalations, 1);
  json mails = deliver(1);
  ASSERT_EQ(mails.size(), 1u) << outbox();
  EXPECT_EQ(mails[0]["envelope"]["to"], json::array({"lead@example.com"}));
  EXPECT_EQ(mails[0]["headers"]["subject"][0],
            "Escalation: Check the price agreement — " + ref + " (Acme BV) is overdue");
  std::string text = mails[0]["text"];
  EXPECT_THAT(text, HasSubstr("was due 25 November 2026, 17:00 and is 1 working day(s) overdue"));
  EXPECT_THAT(text, HasSubstr("escalated to credit-control-lead"));
  // Ticked again after a restart: nothing more.
  service_ = std::make_unique<engine::DisputeService>(*db_, defs_, clock_);
  ASSERT_EQ(service_->tick()->escalations, 0);
  EXPECT_EQ(sync_->dispatch_once(kInstance).applied, 0);

  sink_->clear();
  clock_.set(at("2026-11-30T16:00:00Z"));  // Mon: three working days overdue
  ASSERT_EQ(service_->tick()->escalations, 1);
  mails = deliver(1);
  ASSERT_EQ(mails.size(), 1u) << outbox();
  EXPECT_EQ(mails[0]["envelope"]["to"], json::array({"boss@example.com"}));
  EXPECT_THAT(mails[0]["text"].get<std::string>(), HasSubstr("is 3 working day(s) overdue"));

  // Promised for Mon 7 Dec 17:00; the warning on Fri 4 Dec goes to the controller.
  sink_->clear();
  clock_.set(at("2026-12-04T16:00:00Z"));
  ASSERT_EQ(service_->tick()->promises, 1);
  mails = deliver(1);
  ASSERT_EQ(mails.size(), 1u) << outbox();
  EXPECT_EQ(mails[0]["envelope"]["to"], json::array({"controller@example.com"}));
  EXPECT_EQ(mails[0]["headers"]["subject"][0],
            "Promised date near: " + ref + " (Acme BV), promised for 7 December 2026, 17:00");
  text = mails[0]["text"];
  EXPECT_THAT(text, HasSubstr("the customer was promised an answer by 7 December 2026, 17:00"));
  EXPECT_THAT(text,
              HasSubstr("- Check the price agreement (am@example.com), due 25 November 2026"));

  sink_->clear();
  clock_.set(at("2026-12-07T16:00:00Z"));  // the date itself: management too
  ASSERT_EQ(service_->tick()->promises, 1);
  mails = deliver(2);
  ASSERT_EQ(mails.size(), 2u) << outbox();
  const json* management = find(mails, "Promised date reached");
  ASSERT_NE(management, nullptr);
  bool to_management = false;
  for (const auto& m : mails)
    to_management =
        to_management || m["envelope"]["to"] == json::array({"sam@example.com", "sue@example.com"});
  EXPECT_TRUE(to_management) << mails.dump(2);
  EXPECT_EQ(dossier_summaries(ref, "promise_due").size(), 2u);
}

TEST_F(SmtpEndToEnd, TheResolutionNoticeSaysTheOutcomeAndTheNewDueDate) {
  auto v = open();
  const std::string ref = v.dispute.ref;
  deliver(3);
  sink_->clear();
  ASSERT_TRUE(complete(ref, "check", "customer-wrong").ok());  // ends "rejected"
  // Resolution notice and feedback request, in Dutch.
  json mails = deliver(2);
  const json* notice = find(mails, "Uw geschil " + ref + " is opgelost");
  ASSERT_NE(notice, nullptr) << mails.dump(2) << outbox();
  EXPECT_EQ((*notice)["headers"]["subject"][0],
            "Uw geschil " + ref + " is opgelost: de factuur blijft staan");
  // Rejected: dunning resumes 7 days after release, rolled to a working day (policy in the
  // fixture).
  EXPECT_THAT((*notice)["text"].get<std::string>(),
              HasSubstr("- Factuur INV-1 (€ 1.000,00): nieuwe vervaldatum 30 november 2026"));
  EXPECT_NE(find(mails, "Hoe hebben wij uw geschil " + ref + " behandeld?"), nullptr);
}

TEST_F(SmtpEndToEnd, ARefusedRecipientIsADeadLetterInTheDossierAndTheRestStillGoes) {
  auto r = request();
  r.contact_email = "nouser@c1.example";  // the sink answers 550 5.1.1 for nouser@
  auto v = open(r);
  const std::string ref = v.dispute.ref;
  auto report = sync_->dispatch_once(kInstance);
  EXPECT_EQ(report.dead, 1);
  EXPECT_TRUE(sink_->wait_for(2));
  EXPECT_EQ(sink_->count(), 2) << "management and the action-taker still get theirs";
  auto failed = dossier_summaries(ref, "message_failed");
  EXPECT_FALSE(failed.empty()) << outbox();
  for (const auto& summary : failed) {
    EXPECT_THAT(summary, HasSubstr("dispute_confirmation to nouser@c1.example"));
    EXPECT_THAT(summary, HasSubstr("550"));
  }
  EXPECT_THAT(outbox(), HasSubstr(ref + ":0:confirmation mail message dead rejected: SMTP 550"));
}

TEST_F(SmtpEndToEnd, WithoutATransportAMessageIsRecordedAsUndeliverableNotLeftPending) {
  defs_.messaging.transports["task_assigned"] = "none";
  auto v = open();
  EXPECT_THAT(outbox(), HasSubstr(v.dispute.ref + "-1:assigned none message undeliverable "
                                                  "undeliverable: no messaging transport for "
                                                  "task_assigned"));
  auto shown = service_->show(v.dispute.ref, true);
  ASSERT_TRUE(shown.ok());
  bool recorded = false;
  for (const auto& e : shown.value().dossier)
    recorded = recorded || e.kind == "message_undeliverable";
  EXPECT_TRUE(recorded);
  deliver(2);  // the other two still go
}

TEST_F(SmtpEndToEnd, ManagementGetsADailyDigestOfTheDaysDisputesAtTheConfiguredHour) {
  defs_.notifications.digest = {{domain::AssigneeKind::kRole, "sales-management"}};
  defs_.notifications.digest_at = std::chrono::minutes(17 * 60 + 30);
  const std::string first = open().dispute.ref;
  const std::string second = open(request({{"INV-3", std::nullopt}})).dispute.ref;
  deliver(6);  // each: confirmation, management information, task
  sink_->clear();
  clock_.set(at("2026-11-23T16:29:00Z"));  // 17:29 in Amsterdam: not yet
  ASSERT_TRUE(service_->tick().ok());
  EXPECT_EQ(sync_->dispatch_once(kInstance).applied, 0);
  clock_.set(at("2026-11-23T16:30:00Z"));
  ASSERT_TRUE(service_->tick().ok());
  json mails = deliver(1);
  ASSERT_EQ(mails.size(), 1u) << outbox();
  const json& m = mails[0];
  EXPECT_EQ(m["envelope"]["to"], json::array({"sam@example.com", "sue@example.com"}));
  EXPECT_EQ(m["headers"]["subject"][0], "Disputes of 23 November 2026: 2 new");
  EXPECT_EQ(m["headers"]["auto-submitted"][0], "auto-generated");
  std::string text = m["text"];
  EXPECT_THAT(text, HasSubstr("Disputes registered on 23 November 2026: 2."));
  EXPECT_THAT(text, HasSubstr("- " + first +
                              " — Acme BV (price): € 1,000.00 "
                              "https://disputes.acme.example/disputes/" +
                              first));
  EXPECT_THAT(text, HasSubstr("- " + second + " — Globex NV (price): € 99.99"));
  EXPECT_THAT(text, HasSubstr("No action is needed from you."));
  EXPECT_THAT(m["html"].get<std::string>(),
              HasSubstr("<a href=\"https://disputes.acme.example/disputes/" + first + "\">"));
  // Once a day: a later tick sends nothing more.
  clock_.set(at("2026-11-23T20:00:00Z"));
  ASSERT_TRUE(service_->tick().ok());
  EXPECT_EQ(sync_->dispatch_once(kInstance).applied, 0) << outbox();
}

TEST_F(SmtpEndToEnd, APolishCustomerReadsTheConfirmationInPolishWithAmountsWrittenTheirWay) {
  engine::ParsedInvoices parsed;
  domain::Invoice inv = invoice("FV-2026-17", "C3", "12345.60", "PLN");
  inv.customer = {"C3", "Kowalski Sp. z o.o.", "ksiegowosc@kowalski.example", "pl"};
  parsed.rows.push_back({"line 1", inv});
  ASSERT_TRUE(service_->import_invoices(parsed, "test").ok());
  auto r = request({{"FV-2026-17", std::nullopt}});
  r.contact_name = "Anna Kowalska";
  const std::string ref = open(r).dispute.ref;
  json mails = deliver(3);
  const json* confirmation = find(mails, "Otrzymaliśmy Państwa reklamację " + ref);
  ASSERT_NE(confirmation, nullptr) << mails.dump(2);
  const json& c = *confirmation;
  EXPECT_EQ(c["envelope"]["to"], json::array({"ksiegowosc@kowalski.example"}));
  EXPECT_EQ(c["headers"]["subject"][0],
            "Otrzymaliśmy Państwa reklamację " + ref + ": odpowiedź do 7 grudnia 2026");
  EXPECT_EQ(c["headers"]["content-language"][0], "pl");
  std::string text = c["text"];
  EXPECT_THAT(text, HasSubstr("Dzień dobry Anna Kowalska,"));
  EXPECT_THAT(text, HasSubstr("- FV-2026-17: 12\u00a0345,60\u00a0zł"));
  EXPECT_THAT(text, HasSubstr("nie będziemy wysyłać wezwań do zapłaty"));
  EXPECT_THAT(c["html"].get<std::string>(), HasSubstr("<html lang=\"pl\">"));
  // Staff read the staff language whatever the customer's.
  EXPECT_NE(find(mails, "New dispute " + ref), nullptr) << mails.dump(2);
}

}  // namespace
}  // namespace disputed

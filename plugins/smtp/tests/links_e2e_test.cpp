// One-click actions by e-mail, end to end: the engine's task mail through the real outbox,
// plugin host, sync engine, composer (with link keys) and smtp plugin to a real SMTP server
// (aiosmtpd, STARTTLS, AUTH), read with Python's email package; its links opened on the web
// layer as `disputed serve` composes it (Api + WebApp, the CommandWriter and a ReaderPool).
// GET never acts — every link is fetched several times the way mail scanners do — and the POST
// acts once; used, expired, changed, foreign and closed links each get their page.

#include <gmock/gmock.h>

#include <cstdlib>
#include <regex>

#include "core/api/api.hpp"
#include "core/app/connectors.hpp"
#include "core/engine/session.hpp"
#include "core/host/connector_host.hpp"
#include "core/messaging/composer.hpp"
#include "core/reporting/reports.hpp"
#include "core/web/web_app.hpp"
#include "plugins/smtp/tests/mail_sink.hpp"
#include "tests/core/engine/engine_fixture.hpp"

namespace disputed {
namespace {

using engine::testing_support::at;
using nlohmann::json;
using ::testing::HasSubstr;
using testing::MailSink;
using ::testing::Not;

constexpr const char* kInstance = "mail";
const std::string kKeyOne = "0123456789abcdef0123456789abcdef-one";
const std::string kKeyTwo = "fedcba9876543210fedcba9876543210-two";

class OneClickLinks : public engine::testing_support::EngineTest {
 protected:
  void SetUp() override {
    defs_.connector_instances = {"zendesk-support", kInstance};
    defs_.public_url = "https://disputes.acme.example";
    auto& m = defs_.messaging;
    m.transport = kInstance;
    m.from_address = "disputes@acme.example";
    m.from_name = "Acme credit control";
    m.templates_dir = std::filesystem::path(DISPUTED_SOURCE_DIR) / "configs" / "templates";
    m.languages = {"en", "nl"};
    m.staff_language = "en";
    setenv("DISPUTED_TEST_LINK_KEY_1", kKeyOne.c_str(), 1);
    setenv("DISPUTED_TEST_LINK_KEY_2", kKeyTwo.c_str(), 1);
    m.link_keys = {{"k1", "env:DISPUTED_TEST_LINK_KEY_1"}};
    defs_.roles["sales-management"].members = {"sam@example.com"};
    EngineTest::SetUp();

    sink_ = std::make_unique<MailSink>(testing::end_to_end_sink_options());
    json instance = testing::end_to_end_smtp_instance(kInstance, *sink_);
    dir_.write("connectors/mail.json", instance.dump(2));
    sync_db_ = std::make_unique<store::Database>(dir_ / "engine.db");
    sync_ = std::make_unique<sync::SyncEngine>(*sync_db_, defs_, clock_);
    host_ =
        std::make_unique<host::ConnectorHost>(std::vector<std::filesystem::path>{SMTP_PLUGIN_DIR},
                                              clock_, net::LogSink{}, sync_->plugin_states());
    host_->open(host::read_instance_configs(dir_ / "connectors"));
    app::register_connectors(*host_, *sync_);
    app::attach_messaging(*host_, *sync_, defs_, "disputed.json");
    serve();
  }

  // The web layer as `disputed serve` composes it, with the keys configured now.
  void serve() {
    if (writer_) writer_->stop();
    web_.reset();
    api_.reset();
    writer_db_ = std::make_unique<store::Database>(dir_ / "engine.db");
    session_ = std::make_unique<engine::Session>(*writer_db_, defs_, clock_);
    writer_ = std::make_unique<engine::CommandWriter>(*session_);
    writer_->start();
    readers_ = std::make_unique<engine::ReaderPool>(dir_ / "engine.db", store::DatabaseOptions{},
                                                    defs_, clock_, 2);
    auth_ = std::make_unique<api::Authenticator>();
    api_ =
        std::make_unique<api::Api>(*readers_, *writer_, *auth_, defs_, clock_, api::ApiSettings{});
    web::WebSettings settings;
    settings.links = web::LinkPageSettings{
        app::link_signer(defs_, "disputed.json"),
        messaging::TemplateSet::load(defs_.messaging.templates_dir, defs_.messaging.languages,
                                     messaging::Composer::samples()),
        defs_.calendar};
    web_ = std::make_unique<web::WebApp>(*api_, *writer_, *readers_, clock_, clock_, settings,
                                         [this](const std::string& line) { log_ += line + "\n"; });
  }

  void TearDown() override {
    if (writer_) writer_->stop();
    if (sync_) sync_->stop();
    host_.reset();
    sync_.reset();
  }

  json deliver(int expected_total) {
    auto report = sync_->dispatch_once(kInstance);
    EXPECT_EQ(report.dead, 0);
    EXPECT_TRUE(sink_->wait_for(expected_total)) << sink_->count() << " mails";
    return sink_->messages();
  }

  static const json* find(const json& mails, const std::string& subject_part) {
    for (const auto& m : mails)
      if (m["headers"]["subject"][0].get<std::string>().find(subject_part) != std::string::npos)
        return &m;
    return nullptr;
  }

  // The one-click link paths (/a/<token>) in a body, in order.
  static std::vector<std::string> links(const std::string& body) {
    std::vector<std::string> out;
    std::regex link("https://disputes\\.acme\\.example(/a/[A-Za-z0-9_.-]+)");
    for (auto it = std::sregex_iterator(body.begin(), body.end(), link);
         it != std::sregex_iterator(); ++it)
      out.push_back((*it)[1]);
    return out;
  }

  api::HttpResponse http(const std::string& method, const std::string& path,
                         const std::string& body = {}, const std::string& language = {}) {
    api::HttpRequest r;
    r.method = method;
    r.path = path;
    r.body = body;
    if (!body.empty()) r.headers["content-type"] = "application/x-www-form-urlencoded";
    if (!language.empty()) r.headers["accept-language"] = language;
    return api_->handle(r);
  }
  api::HttpResponse get(const std::string& path, const std::string& language = {}) {
    return http("GET", path, {}, language);
  }
  api::HttpResponse post(const std::string& path, const std::string& comment = {}) {
    return http("POST", path, comment.empty() ? "" : "comment=" + comment);
  }

  static std::string header(const api::HttpResponse& r, const std::string& name) {
    for (const auto& [k, v] : r.headers)
      if (k == name) return v;
    return {};
  }

  engine::DisputeView show(const std::string& ref) {
    auto v = service_->show(ref, true);
    EXPECT_TRUE(v.ok());
    return v.ok() ? v.value() : engine::DisputeView{};
  }

  int entries(const engine::DisputeView& v, const std::string& kind) {
    int n = 0;
    for (const auto& e : v.dossier) n += e.kind == kind;
    return n;
  }

  // The first task mail's links: customer-right, customer-wrong, need more information.
  std::vector<std::string> task_links(std::string& ref) {
    auto v = open();
    ref = v.dispute.ref;
    json mails = deliver(3);
    const json* task = find(mails, "New task: Check the price agreement");
    EXPECT_NE(task, nullptr) << mails.dump(2);
    if (!task) return {};
    auto text = links((*task)["text"]);
    EXPECT_EQ(links((*task)["html"]), text) << "both bodies carry the same links";
    EXPECT_EQ(text.size(), 3u) << (*task)["text"];
    return text;
  }

  std::unique_ptr<MailSink> sink_;
  std::unique_ptr<store::Database> sync_db_;
  std::unique_ptr<sync::SyncEngine> sync_;
  std::unique_ptr<host::ConnectorHost> host_;
  std::unique_ptr<store::Database> writer_db_;
  std::unique_ptr<engine::Session> session_;
  std::unique_ptr<engine::CommandWriter> writer_;
  std::unique_ptr<engine::ReaderPool> readers_;
  std::unique_ptr<api::Authenticator> auth_;
  std::unique_ptr<api::Api> api_;
  std::unique_ptr<web::WebApp> web_;
  std::string log_;
};

TEST_F(OneClickLinks, ScannersGetNothingDoneThePostCompletesTheStepOnceAndTheNextMailArrives) {
  std::string ref;
  auto paths = task_links(ref);
  ASSERT_EQ(paths.size(), 3u);
  // Every link fetched again and again, as Safe Links and other scanners do (HEAD, then GET).
  for (int round = 0; round < 3; ++round)
    for (const auto& p : paths) {
      EXPECT_EQ(http("HEAD", p).status, 200);
      auto page = get(p);
      ASSERT_EQ(page.status, 200) << page.body;
      EXPECT_THAT(page.body, HasSubstr("Confirm your choice for " + ref));
      EXPECT_THAT(page.body, HasSubstr("Check the price agreement"));
      EXPECT_THAT(page.body, HasSubstr("Acme BV"));
      EXPECT_THAT(page.body, HasSubstr("<form method=\"post\" action=\"" + p + "\">"));
      EXPECT_THAT(page.body, Not(HasSubstr("<script")));
      EXPECT_EQ(header(page, "Cache-Control"), "no-store");
      EXPECT_EQ(header(page, "Referrer-Policy"), "no-referrer");
      EXPECT_EQ(header(page, "X-Robots-Tag"), "noindex");
      EXPECT_THAT(header(page, "Content-Security-Policy"), HasSubstr("style-src 'self' 'sha256-"));
      EXPECT_THAT(header(page, "Content-Security-Policy"), Not(HasSubstr("unsafe-inline")));
    }
  auto before = show(ref);
  EXPECT_EQ(before.steps.size(), 1u);
  EXPECT_EQ(before.steps[0].status, domain::StepStatus::kOpen);
  EXPECT_EQ(entries(before, "step_completed"), 0);
  EXPECT_EQ(entries(before, "information_requested"), 0);
  EXPECT_EQ(count("link_uses"), 0);
  EXPECT_EQ(sync_->dispatch_once(kInstance).applied, 0) << "no new mail from looking";

  // The action-taker confirms "customer-right" with a comment.
  sink_->clear();
  auto done = post(paths[0], "Contract+price+%E2%82%AC+9%2C50+confirmed");
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_THAT(done.body, HasSubstr("Thank you: recorded"));
  auto after = show(ref);
  ASSERT_EQ(after.steps.size(), 2u);
  EXPECT_EQ(after.steps[0].status, domain::StepStatus::kCompleted);
  EXPECT_EQ(after.steps[0].completed_by, "am@example.com");
  EXPECT_EQ(after.steps[0].outcome, "customer-right");
  EXPECT_EQ(after.steps[0].comment, "Contract price € 9,50 confirmed");
  EXPECT_EQ(entries(after, "step_completed"), 1);
  for (const auto& e : after.dossier)
    if (e.kind == "step_completed") {
      EXPECT_EQ(e.actor, "am@example.com");
      EXPECT_EQ(e.channel, "email");
      EXPECT_EQ(json::parse(e.payload_json)["channel"], "email");
    }
  // The next step's mail, to the role's member, with links of its own.
  json mails = deliver(1);
  const json* next = find(mails, "New task: Approve the credit note");
  ASSERT_NE(next, nullptr) << mails.dump(2);
  EXPECT_EQ((*next)["envelope"]["to"], json::array({"sam@example.com"}));
  EXPECT_EQ(links((*next)["text"]).size(), 3u);

  // Replayed: the same link again shows what was recorded, and changes nothing.
  for (const auto& again : {post(paths[0], "again"), get(paths[0])}) {
    EXPECT_EQ(again.status, 410);
    EXPECT_THAT(again.body, HasSubstr("This link has been used already"));
    EXPECT_THAT(again.body, HasSubstr("Customer right"));
    EXPECT_THAT(again.body, HasSubstr("Contract price € 9,50 confirmed"));
    EXPECT_THAT(again.body, Not(HasSubstr("<form")));
  }
  // The step's other outcome: the step is closed.
  auto closed = post(paths[1]);
  EXPECT_EQ(closed.status, 409);
  EXPECT_THAT(closed.body, HasSubstr("This step is no longer open"));
  EXPECT_EQ(entries(show(ref), "step_completed"), 1);
  EXPECT_EQ(count("link_uses"), 1);
}

TEST_F(OneClickLinks, NeedMoreInformationIsRecordedAndTheStepStaysOpen) {
  std::string ref;
  auto paths = task_links(ref);
  ASSERT_EQ(paths.size(), 3u);
  auto page = get(paths[2]);
  EXPECT_THAT(page.body, HasSubstr("I need more information"));
  auto done = post(paths[2], "Which+contract+applies%3F");
  ASSERT_EQ(done.status, 200) << done.body;
  auto v = show(ref);
  EXPECT_EQ(v.steps[0].status, domain::StepStatus::kOpen);
  ASSERT_EQ(entries(v, "information_requested"), 1);
  for (const auto& e : v.dossier)
    if (e.kind == "information_requested") {
      EXPECT_EQ(e.actor, "am@example.com");
      EXPECT_EQ(e.channel, "email");
      EXPECT_THAT(e.summary, HasSubstr("needs more information"));
      EXPECT_THAT(e.summary, HasSubstr("Which contract applies?"));
    }
  // The step is still theirs to decide: an outcome link still works.
  EXPECT_EQ(post(paths[0]).status, 200);
}

TEST_F(OneClickLinks, ExpiredTamperedForeignAndUnknownKeyLinksEachGetTheirPage) {
  std::string ref;
  auto paths = task_links(ref);
  ASSERT_EQ(paths.size(), 3u);
  const std::string token = paths[0].substr(3);

  // Tampered: one byte of the payload changed.
  std::string changed = token;
  changed[10] = changed[10] == 'A' ? 'B' : 'A';
  auto tampered = get("/a/" + changed);
  EXPECT_EQ(tampered.status, 400);
  EXPECT_THAT(tampered.body, HasSubstr("This link is not valid"));
  EXPECT_THAT(post("/a/" + changed).body, HasSubstr("This link is not valid"));
  auto dutch = get("/a/" + changed, "nl-NL,nl;q=0.9,en;q=0.8");
  EXPECT_THAT(dutch.body, HasSubstr("Deze link is niet geldig"));
  EXPECT_EQ(header(dutch, "Content-Language"), "nl");

  // Another installation's link: signed with a key this one does not hold.
  messaging::LinkSigner foreign_installation({{"k9", std::string(32, 'x')}});
  auto claims = messaging::LinkSigner({{"k1", kKeyOne}}).verify(token, 0).claims;
  ASSERT_TRUE(claims);
  auto unknown = post("/a/" + foreign_installation.sign(*claims));
  EXPECT_EQ(unknown.status, 400);
  EXPECT_THAT(unknown.body, HasSubstr("This link is not valid"));

  // Foreign recipient: a valid link for the step, sent to someone who does not hold it (the step
  // is am@example.com's).
  messaging::LinkClaims other = *claims;
  other.recipient = "former.owner@example.com";
  other.jti = "another-link-id";
  auto foreign = post("/a/" + messaging::LinkSigner({{"k1", kKeyOne}}).sign(other));
  EXPECT_EQ(foreign.status, 403);
  EXPECT_THAT(foreign.body, HasSubstr("This link was meant for someone else"));

  // Too long to be ours: refused before it is parsed.
  auto too_long = get("/a/" + std::string(messaging::kMaxLinkToken + 1, 'a'));
  EXPECT_EQ(too_long.status, 400);

  // Expired: 14 days (link_valid_days) after the mail.
  clock_.set(at("2026-12-07T08:00:01Z"));
  auto expired = post(paths[0]);
  EXPECT_EQ(expired.status, 410);
  EXPECT_THAT(expired.body, HasSubstr("This link has expired"));
  EXPECT_THAT(expired.body, HasSubstr(ref)) << "an expired link still names its dispute";

  auto v = show(ref);
  EXPECT_EQ(v.steps[0].status, domain::StepStatus::kOpen);
  EXPECT_EQ(entries(v, "step_completed"), 0);
  EXPECT_EQ(count("link_uses"), 0);
  EXPECT_THAT(log_, HasSubstr("one-click link refused"));
  EXPECT_THAT(log_, Not(HasSubstr(token))) << "the log never holds a token";
}

TEST_F(OneClickLinks, ALinkSignedWithTheOldKeyStillWorksAfterANewKeyIsPutInFront) {
  std::string ref;
  auto paths = task_links(ref);
  ASSERT_EQ(paths.size(), 3u);
  defs_.messaging.link_keys = {{"k2", "env:DISPUTED_TEST_LINK_KEY_2"},
                               {"k1", "env:DISPUTED_TEST_LINK_KEY_1"}};
  serve();
  EXPECT_EQ(get(paths[0]).status, 200);
  EXPECT_EQ(post(paths[0]).status, 200);
  EXPECT_EQ(show(ref).steps[0].status, domain::StepStatus::kCompleted);
  // Once the old key is retired, its links are not valid any more.
  defs_.messaging.link_keys = {{"k2", "env:DISPUTED_TEST_LINK_KEY_2"}};
  serve();
  EXPECT_THAT(get(paths[1]).body, HasSubstr("This link is not valid"));
}

TEST_F(OneClickLinks, TheCustomersScoreIsStoredOnceInTheirLanguageAndTheReportShowsIt) {
  auto v = open();
  const std::string ref = v.dispute.ref;
  deliver(3);
  sink_->clear();
  ASSERT_TRUE(complete(ref, "check", "customer-wrong").ok());  // ends "rejected"
  json mails = deliver(2);
  const json* request_mail = find(mails, "Hoe hebben wij uw geschil " + ref + " behandeld?");
  ASSERT_NE(request_mail, nullptr) << mails.dump(2);
  auto scores = links((*request_mail)["text"]);
  ASSERT_EQ(scores.size(), 5u) << (*request_mail)["text"];
  // Optional mail: RFC 8058 one-click unsubscribe.
  EXPECT_EQ((*request_mail)["headers"]["list-unsubscribe-post"][0], "List-Unsubscribe=One-Click");
  for (const auto& p : scores) EXPECT_EQ(get(p).status, 200);
  EXPECT_EQ(count("feedback"), 0);

  auto done = post(scores[3], "Snel+en+duidelijk");
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_THAT(done.body, HasSubstr("Dank u: vastgelegd"));
  EXPECT_EQ(count("feedback"), 1);
  // One request, one answer: another score afterwards shows what was recorded.
  auto other = get(scores[1]);
  EXPECT_EQ(other.status, 410);
  EXPECT_THAT(other.body, HasSubstr("Deze link is al gebruikt"));
  EXPECT_THAT(other.body, HasSubstr("Score 4 van 5"));
  EXPECT_EQ(count("feedback"), 1);
  auto shown = show(ref);
  EXPECT_EQ(entries(shown, "feedback"), 1);

  // The summary report shows the score.
  auto lease = readers_->lease();
  reporting::Reporter reporter(lease.db(), defs_, clock_);
  auto report = reporter.run(reporting::ReportKind::kSummary, {});
  ASSERT_TRUE(report.ok());
  const auto* feedback = report->section("feedback");
  ASSERT_NE(feedback, nullptr);
  ASSERT_EQ(feedback->rows.size(), 1u);
  auto j = reporting::to_json(report.value());
  EXPECT_EQ(j["sections"]["feedback"][0]["responses"], 1);
  EXPECT_EQ(j["sections"]["feedback"][0]["average_score"], 4.0);
}

TEST_F(OneClickLinks, AnUnsubscribedCustomerGetsNoMoreFeedbackRequests) {
  auto v = open();
  const std::string ref = v.dispute.ref;
  deliver(3);
  sink_->clear();
  ASSERT_TRUE(complete(ref, "check", "customer-wrong").ok());
  json mails = deliver(2);
  const json* request_mail = find(mails, "Hoe hebben wij uw geschil " + ref + " behandeld?");
  ASSERT_NE(request_mail, nullptr);
  std::string header_value = (*request_mail)["headers"]["list-unsubscribe"][0];
  auto unsubscribe = links(header_value);
  ASSERT_EQ(unsubscribe.size(), 1u) << header_value;
  EXPECT_EQ(get(unsubscribe[0]).status, 200);
  // What a mail client sends for RFC 8058 one-click: a POST with this body, no cookies.
  auto done = http("POST", unsubscribe[0], "List-Unsubscribe=One-Click");
  EXPECT_EQ(done.status, 200) << done.body;

  // The next dispute of this customer: no feedback request, recorded as not sent.
  sink_->clear();
  auto second = open(request({{"INV-2", std::nullopt}}));
  deliver(3);
  sink_->clear();
  ASSERT_TRUE(complete(second.dispute.ref, "check", "customer-wrong").ok());
  mails = deliver(1);
  EXPECT_EQ(find(mails, "Hoe hebben wij uw geschil " + second.dispute.ref), nullptr);
  bool recorded = false;
  for (const auto& e : show(second.dispute.ref).dossier)
    recorded = recorded || (e.kind == "message_undeliverable" &&
                            e.summary.find("unsubscribed") != std::string::npos);
  EXPECT_TRUE(recorded);
}

}  // namespace
}  // namespace disputed

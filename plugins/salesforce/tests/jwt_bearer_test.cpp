// End to end with Salesforce's recommended server-to-server flow, the OAuth 2.0 JWT bearer grant
// (RFC 7523 §2.1; https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_jwt_flow.htm):
// the real plugin host opens the connector with auth.grant "jwt_bearer" and a private key by
// reference; the host signs the assertion (iss = consumer key, sub = the Run As user's username)
// and the sandbox's token endpoint answers with a session for that user. check() and one apply
// then work as with client credentials, and bad auth settings stop the host naming the key.

#include <gmock/gmock.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/config/config_error.hpp"
#include "plugins/salesforce/tests/salesforce_end_to_end.hpp"

namespace disputed {
namespace {

namespace sb = disputed::sandbox;
using nlohmann::json;

// A fresh RSA key as the PEM an operator would keep in a file (the certificate's public half
// goes to the connected app).
std::string new_rsa_key_pem() {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  if (key == nullptr) return {};
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(size));
  BIO_free(bio);
  EVP_PKEY_free(key);
  return pem;
}

class SalesforceJwtBearer : public testing::SalesforceEndToEndTest {
 protected:
  void SetUp() override {
    SalesforceEndToEndTest::SetUp();
    key_file_ = dir_.write("secrets/salesforce-jwt.key", new_rsa_key_pem());
  }

  // The instance file an operator writes for the JWT bearer flow (auth keys as documented).
  json instance(const std::string& subject) const {
    return {{"name", "salesforce"},
            {"plugin", "salesforce"},
            {"settings", settings()},
            {"auth",
             {{"grant", "jwt_bearer"},
              {"token_url", server_.url() + "/services/oauth2/token"},
              {"client_id", "sandbox-client"},
              {"subject", subject},
              {"assertion_audience", "https://test.salesforce.com"}}},
            {"secrets", {{"private_key", "file:" + key_file_.string()}}},
            {"allowed_hosts", {"127.0.0.1:*"}},
            {"max_attempts", 8}};
  }

  // What host::open says about `config` (empty when it opens).
  std::string open_error(const json& config) {
    try {
      open_salesforce(config);
    } catch (const config::ConfigError& e) {
      return e.what();
    }
    return {};
  }

  std::filesystem::path key_file_;
};

TEST_F(SalesforceJwtBearer, CheckAndAnApplyWorkAsTheRunAsUser) {
  add_customer_account();
  open_salesforce(instance("manager@example.com"));
  auto ref = dispute_at_booking_step();

  auto check = host_->find("salesforce")->connector->check();
  EXPECT_TRUE(check.ok) << check.message << " / " << check.remedy;
  auto report = sync_->dispatch_once("salesforce");
  EXPECT_EQ(report.applied, 1);
  auto all = tasks();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0]["Dispute_Action_Id__c"], ref + "-3");
  EXPECT_EQ(all[0]["CreatedById"], user("manager@example.com"))
      << "the session is the assertion's subject's";
  EXPECT_EQ(*service_->show(ref)->steps.back().external_ref, all[0]["Id"]);

  // One token (the instance has no client secret: the sandbox accepted the JWT bearer grant),
  // and nothing secret reached the log.
  EXPECT_EQ(token_requests(), 1);
  std::string log;
  for (const auto& line : log_) log += line + "\n";
  EXPECT_THAT(log, ::testing::Not(::testing::HasSubstr("eyJ"))) << "no assertion in the log";
  EXPECT_THAT(log, ::testing::Not(::testing::HasSubstr("PRIVATE KEY")));
}

TEST_F(SalesforceJwtBearer, AnExpiredSessionCostsOneNewAssertion) {
  add_customer_account();
  open_salesforce(instance("integration@example.com"));
  dispute_at_booking_step();
  ASSERT_TRUE(host_->find("salesforce")->connector->check().ok);
  server_.with_emulator([&](sb::Emulator& e) {
    emulator(e).expire_sessions();
    return 0;
  });
  EXPECT_EQ(sync_->dispatch_once("salesforce").applied, 1) << "the 401 fetched a new token once";
  EXPECT_EQ(tasks().size(), 1u);
  EXPECT_EQ(token_requests(), 2) << "the first token, then one after the 401";
}

TEST_F(SalesforceJwtBearer, AnUnknownSubjectFailsTheCheckWithSalesforcesReason) {
  open_salesforce(instance("nobody@example.com"));
  auto check = host_->find("salesforce")->connector->check();
  EXPECT_FALSE(check.ok);
  EXPECT_THAT(check.message, ::testing::HasSubstr("invalid_grant")) << check.message;
}

TEST_F(SalesforceJwtBearer, BadAuthSettingsStopTheHostNamingTheKey) {
  auto no_subject = instance("x");
  no_subject["auth"].erase("subject");
  EXPECT_THAT(open_error(no_subject),
              ::testing::HasSubstr("/auth/subject: required for grant jwt_bearer"));

  auto no_audience = instance("x");
  no_audience["auth"].erase("assertion_audience");
  EXPECT_THAT(open_error(no_audience),
              ::testing::HasSubstr("/auth/assertion_audience: required for grant jwt_bearer"));

  auto with_secret = instance("x");
  ::setenv("DISPUTED_TEST_SALESFORCE_SECRET", "sandbox-secret", 1);
  with_secret["secrets"]["client_secret"] = "env:DISPUTED_TEST_SALESFORCE_SECRET";
  EXPECT_THAT(open_error(with_secret), ::testing::HasSubstr("/secrets/client_secret"));

  auto no_key = instance("x");
  no_key["secrets"] = json::object();
  EXPECT_THAT(open_error(no_key), ::testing::HasSubstr("/secrets/private_key"));

  auto bad_grant = instance("x");
  bad_grant["auth"]["grant"] = "password";
  EXPECT_THAT(open_error(bad_grant), ::testing::HasSubstr("/auth/grant"));

  auto not_a_key = instance("x");
  dir_.write("secrets/not-a-key.pem",
             "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n");
  not_a_key["secrets"]["private_key"] = "file:" + (dir_ / "secrets/not-a-key.pem").string();
  std::string error = open_error(not_a_key);
  EXPECT_THAT(error, ::testing::HasSubstr("private key")) << error;
  EXPECT_THAT(error, ::testing::Not(::testing::HasSubstr("nope")));
}

// configs/examples/connectors/salesforce-jwt-bearer.json opens and checks out once its token
// URL, consumer key and key file point at the sandbox (grant, subject and audience as written).
TEST_F(SalesforceJwtBearer, TheExampleConfigOpensAndChecksOut) {
  std::ifstream in(std::string(DISPUTED_SOURCE_DIR) +
                   "/configs/examples/connectors/salesforce-jwt-bearer.json");
  std::stringstream text;
  text << in.rdbuf();
  json example = json::parse(text.str());
  ASSERT_EQ(example["auth"]["grant"], "jwt_bearer");
  example["auth"]["token_url"] = server_.url() + "/services/oauth2/token";
  example["auth"]["client_id"] = "sandbox-client";
  example["auth"]["subject"] = "integration@example.com";
  example["secrets"]["private_key"] = "file:" + key_file_.string();
  example["allowed_hosts"] = {"127.0.0.1:*"};
  open_salesforce(example);
  auto check = host_->find("salesforce")->connector->check();
  EXPECT_TRUE(check.ok) << check.message << " / " << check.remedy;
}

}  // namespace
}  // namespace disputed

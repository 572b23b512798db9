#include "disputed/sdk/kit/message_contract.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace disputed::sdk::kit {
namespace {

using ::testing::HasSubstr;

MessagePayload sample() {
  MessagePayload m;
  m.kind = "dispute_confirmation";
  m.idempotency_key = "DSP-000001:0:confirmation";
  m.message_id = "<x7q2mdd4vb3e6l9o0s1t2u3w4y.dispute-confirmation@disputes.example.com>";
  m.date = "2026-11-23T08:00:00Z";
  m.from = {"disputes@example.com", "Acme credit control"};
  m.to = {{"ap@customer.example", "Jörg Müller"}};
  m.reply_to = {{"disputes+DSP-000001@example.com", ""}};
  m.subject = "Uw klacht DSP-000001 is ontvangen";
  m.text = "Tekst";
  m.html = "<p>Tekst</p>";
  m.attachments = {{"factuur.pdf", "application/pdf", std::string("%PDF\0\x01\xff", 7)}};
  m.headers = {{"Auto-Submitted", "auto-generated"}};
  m.references = {"<root@disputes.example.com>"};
  m.in_reply_to = "<root@disputes.example.com>";
  m.language = "nl";
  m.dispute = "DSP-000001";
  return m;
}

TEST(MessageContract, WhatTheEngineWritesATransportReadsBack) {
  MessagePayload m = sample();
  auto read = parse_message_payload(serialise_message_payload(m));
  ASSERT_TRUE(read.ok()) << read.problem().text();
  EXPECT_EQ(read->version, 1);
  EXPECT_EQ(read->message_id, m.message_id);
  EXPECT_EQ(read->to[0].name, "Jörg Müller");
  EXPECT_EQ(read->reply_to[0].address, "disputes+DSP-000001@example.com");
  ASSERT_EQ(read->attachments.size(), 1u);
  EXPECT_EQ(read->attachments[0].content, m.attachments[0].content);  // binary survives base64
  EXPECT_EQ(read->headers[0].value, "auto-generated");
  EXPECT_EQ(read->references, m.references);
  EXPECT_EQ(read->recipients(), std::vector<std::string>{"ap@customer.example"});
}

TEST(MessageContract, ProblemsNameTheFieldAndNothingIsGuessed) {
  auto problem = [](const std::function<void(nlohmann::json&)>& change) {
    auto j = nlohmann::json::parse(serialise_message_payload(sample()));
    change(j);
    auto r = parse_message_payload(j.dump());
    return r.ok() ? std::string("(accepted)") : r.problem().text();
  };
  EXPECT_THAT(problem([](auto& j) { j["to"][0]["address"] = 5; }),
              HasSubstr("/to/0/address: expected a string"));
  EXPECT_THAT(problem([](auto& j) { j["to"][0]["address"] = "a@b.example\r\nBcc: x@y.example"; }),
              HasSubstr("/to/0/address"));
  EXPECT_THAT(problem([](auto& j) { j["to"] = nlohmann::json::array(); }), HasSubstr("/to"));
  EXPECT_THAT(problem([](auto& j) { j["subject"] = "a\r\nBcc: x@y.example"; }),
              HasSubstr("/subject: has a line break"));
  EXPECT_THAT(problem([](auto& j) { j["headers"][0]["name"] = "Bcc"; }),
              HasSubstr("/headers/0/name"));
  EXPECT_THAT(problem([](auto& j) { j["headers"][0]["value"] = "x\ny"; }),
              HasSubstr("/headers/0/value"));
  EXPECT_THAT(problem([](auto& j) { j["message_id"] = "no-brackets@x"; }),
              HasSubstr("/message_id"));
  EXPECT_THAT(problem([](auto& j) { j["version"] = 2; }), HasSubstr("newer than this transport"));
  EXPECT_THAT(problem([](auto& j) { j.erase("version"); }), HasSubstr("/version: is required"));
  EXPECT_THAT(problem([](auto& j) { j["attachments"][0]["content_base64"] = "!!"; }),
              HasSubstr("is not base64"));
  EXPECT_THAT(problem([](auto& j) { j["attachments"][0]["filename"] = "../etc/passwd"; }),
              HasSubstr("/attachments/0/filename"));
  EXPECT_THAT(problem([](auto& j) {
                j["text"] = "";
                j["html"] = "";
              }),
              HasSubstr("no body"));
  EXPECT_EQ(parse_message_payload("[1]").problem().text(), "the message is not a JSON object");
  EXPECT_FALSE(parse_message_payload(std::string(40, '[')).ok());
}

TEST(MessageContract, OnlyPlainAddrSpecsAreMailAddresses) {
  EXPECT_TRUE(is_mail_address("anna.jansen@example.com"));
  EXPECT_TRUE(is_mail_address("disputes+DSP-000001@example.com"));
  EXPECT_TRUE(is_mail_address("ops@localhost"));
  EXPECT_FALSE(is_mail_address("finance"));  // a role id, not an address
  EXPECT_FALSE(is_mail_address(""));
  EXPECT_FALSE(is_mail_address("a@"));
  EXPECT_FALSE(is_mail_address("a..b@example.com"));
  EXPECT_FALSE(is_mail_address("a@-example.com"));
  EXPECT_FALSE(is_mail_address("\"quoted\"@example.com"));
  EXPECT_FALSE(is_mail_address("jörg@example.com"));
  EXPECT_FALSE(is_mail_address("a b@example.com"));
}

}  // namespace
}  // namespace disputed::sdk::kit

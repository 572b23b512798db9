// Signed one-click links: what a link carries comes back only when this installation signed it,
// unchanged and in time; a new key put in front keeps the links in mail boxes working.

#include <gtest/gtest.h>

#include "core/messaging/links.hpp"

namespace disputed::messaging {
namespace {

const std::string kOld(32, 'o');
const std::string kNew(40, 'n');

LinkClaims claims() {
  LinkClaims c;
  c.action = LinkAction::kOutcome;
  c.dispute = "DSP-000042";
  c.task_key = "DSP-000042-1";
  c.value = "customer-right";
  c.recipient = "anna@example.com";
  c.language = "nl";
  c.expires_at = 2000000000;
  c.jti = "j1";
  return c;
}

TEST(LinkSigner, ASignedLinkVerifiesWithEveryClaimAndItsKey) {
  LinkSigner signer({{"k1", kOld}});
  auto v = signer.verify(signer.sign(claims()), 1900000000);
  ASSERT_EQ(v.problem, LinkProblem::kNone);
  ASSERT_TRUE(v.claims);
  EXPECT_EQ(v.claims->dispute, "DSP-000042");
  EXPECT_EQ(v.claims->task_key, "DSP-000042-1");
  EXPECT_EQ(v.claims->value, "customer-right");
  EXPECT_EQ(v.claims->recipient, "anna@example.com");
  EXPECT_EQ(v.claims->language, "nl");
  EXPECT_EQ(v.claims->jti, "j1");
  EXPECT_EQ(v.claims->key_id, "k1");
}

TEST(LinkSigner, AChangedByteAnywhereIsRefused) {
  LinkSigner signer({{"k1", kOld}});
  std::string token = signer.sign(claims());
  for (std::size_t i = 0; i < token.size(); ++i) {
    std::string t = token;
    t[i] = t[i] == 'A' ? 'B' : 'A';
    auto v = signer.verify(t, 1900000000);
    EXPECT_NE(v.problem, LinkProblem::kNone) << "byte " << i;
    EXPECT_FALSE(v.claims) << "byte " << i;
  }
}

TEST(LinkSigner, ALinkOfAnotherInstallationIsAnUnknownKeyOrTampered) {
  LinkSigner ours({{"k1", kOld}});
  LinkSigner theirs({{"k9", kNew}});
  EXPECT_EQ(ours.verify(theirs.sign(claims()), 1900000000).problem, LinkProblem::kUnknownKey);
  LinkSigner same_id({{"k1", kNew}});  // same key id, another secret
  EXPECT_EQ(ours.verify(same_id.sign(claims()), 1900000000).problem, LinkProblem::kTampered);
}

TEST(LinkSigner, AnExpiredLinkKeepsItsClaimsForThePage) {
  LinkSigner signer({{"k1", kOld}});
  auto v = signer.verify(signer.sign(claims()), 2000000000);
  EXPECT_EQ(v.problem, LinkProblem::kExpired);
  ASSERT_TRUE(v.claims);
  EXPECT_EQ(v.claims->language, "nl");
}

TEST(LinkSigner, ANewKeyInFrontSignsWhileLinksOfTheOldOneStillWork) {
  LinkSigner before({{"k1", kOld}});
  std::string old_link = before.sign(claims());
  LinkSigner after({{"k2", kNew}, {"k1", kOld}});
  EXPECT_EQ(after.signing_key_id(), "k2");
  EXPECT_EQ(after.verify(old_link, 1900000000).problem, LinkProblem::kNone);
  auto fresh = after.verify(after.sign(claims()), 1900000000);
  EXPECT_EQ(fresh.problem, LinkProblem::kNone);
  EXPECT_EQ(fresh.claims->key_id, "k2");
  // Retired once no link signed with it can still be valid.
  LinkSigner retired({{"k2", kNew}});
  EXPECT_EQ(retired.verify(old_link, 1900000000).problem, LinkProblem::kUnknownKey);
}

TEST(LinkSigner, TooLongOrMalformedTokensAreRefusedWithoutParsing) {
  LinkSigner signer({{"k1", kOld}});
  EXPECT_EQ(signer.verify(std::string(kMaxLinkToken + 1, 'a'), 0).problem, LinkProblem::kMalformed);
  for (const char* t : {"", ".", "abc", "a.b.c", "e30.e30", "!!!.???"})
    EXPECT_EQ(signer.verify(t, 0).problem, LinkProblem::kMalformed) << t;
}

TEST(LinkSigner, WeakOrDuplicateKeysAreRefusedAtStartUp) {
  EXPECT_THROW(LinkSigner({}), std::invalid_argument);
  EXPECT_THROW(LinkSigner({{"k1", std::string(31, 'x')}}), std::invalid_argument);
  EXPECT_THROW(LinkSigner({{"k 1", kOld}}), std::invalid_argument);
  EXPECT_THROW(LinkSigner({{"k1", kOld}, {"k1", kNew}}), std::invalid_argument);
}

TEST(LinkSigner, LinkIdsAreDerivedSoARetryCarriesTheSameLinks) {
  LinkSigner signer({{"k1", kOld}});
  EXPECT_EQ(signer.derive_jti("a"), signer.derive_jti("a"));
  EXPECT_NE(signer.derive_jti("a"), signer.derive_jti("b"));
  EXPECT_EQ(signer.derive_jti("a").size(), 22u);
}

}  // namespace
}  // namespace disputed::messaging

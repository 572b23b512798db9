// The one-click links of the engine's messages (core/messaging/links.cpp): a token arrives in a
// URL anyone can type (GET /m/<token>, then the page's POST), so LinkSigner::verify reads outside
// input. Promises checked: verify never throws; it names a problem without claims, or gives
// claims (for a good or an expired link) that sign back into a token verifying to the same
// claims; claims of any text sign into a token that verifies to exactly them (when the token is
// within the length verify reads), and a token changed anywhere no longer verifies.
//
// Input: a token, or (after a first line "claims") the claims' fields separated by lines "--".
#include <string>

#include <nlohmann/json.hpp>

#include "core/messaging/links.hpp"
#include "fuzz/fuzz_support.hpp"

using disputed::fuzz::fail;
namespace messaging = disputed::messaging;

namespace {

constexpr std::int64_t kNow = 1'800'000'000;

const messaging::LinkSigner& signer() {
  static const messaging::LinkSigner s(
      {{"k2", std::string(32, 'b') + "second key"}, {"k1", std::string(40, 'a')}});
  return s;
}

bool utf8(const std::string& s) {
  try {
    (void)nlohmann::json(s).dump();
    return true;
  } catch (const nlohmann::json::exception&) {
    return false;
  }
}

bool same(const messaging::LinkClaims& a, const messaging::LinkClaims& b) {
  return a.action == b.action && a.dispute == b.dispute && a.task_key == b.task_key &&
         a.value == b.value && a.recipient == b.recipient && a.language == b.language &&
         a.expires_at == b.expires_at && a.jti == b.jti;
}

messaging::VerifiedLink verify(std::string_view token) {
  try {
    return signer().verify(token, kNow);
  } catch (const std::exception& e) {
    fail(std::string("verify threw: ") + e.what());
  }
}

void check_verified(std::string_view token) {
  auto v = verify(token);
  bool good =
      v.problem == messaging::LinkProblem::kNone || v.problem == messaging::LinkProblem::kExpired;
  if (good != v.claims.has_value()) fail("claims without a good signature, or none with one");
  if (!good) return;
  const auto& c = *v.claims;
  if (c.dispute.empty() || c.recipient.empty() || c.jti.empty())
    fail("claims without a dispute, recipient or link id");
  if ((v.problem == messaging::LinkProblem::kExpired) != (kNow >= c.expires_at))
    fail("expired and the expiry disagree");
  auto resigned = signer().sign(c);
  auto again = verify(resigned);
  if (resigned.size() <= messaging::kMaxLinkToken && (!again.claims || !same(*again.claims, c)))
    fail("claims of a verified link do not survive signing again");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = disputed::fuzz::text_of(data, size);
  if (text.rfind("claims\n", 0) != 0) {
    check_verified(text);
    return 0;
  }
  auto parts = disputed::fuzz::split(text.substr(7), "\n--\n", 8);
  parts.resize(8);
  messaging::LinkClaims c;
  c.action = static_cast<messaging::LinkAction>(parts[0].empty() ? 0 : (parts[0][0] & 3));
  c.dispute = parts[1];
  c.task_key = parts[2];
  c.value = parts[3];
  c.recipient = parts[4];
  c.language = parts[5];
  c.jti = parts[6];
  try {
    c.expires_at = std::stoll(parts[7]);
  } catch (const std::exception&) {
    c.expires_at = kNow + 3600;
  }
  std::string token = signer().sign(c);
  bool ours = !c.dispute.empty() && !c.recipient.empty() && !c.jti.empty();
  bool text_ok = utf8(c.dispute) && utf8(c.task_key) && utf8(c.value) && utf8(c.recipient) &&
                 utf8(c.language) && utf8(c.jti);
  auto v = verify(token);
  if (token.size() > messaging::kMaxLinkToken) {
    if (v.claims) fail("a token longer than verify reads was read");
    return 0;
  }
  if (ours && !v.claims) fail("a link we signed does not verify");
  if (ours && text_ok && !same(*v.claims, c)) fail("a link we signed verifies to other claims");
  if (ours && v.claims->key_id != "k2") fail("not signed with the first key");
  // One changed character anywhere: never other claims with a good signature. (The same claims
  // may come back: a base64url character's unused low bits do not change the bytes. They are
  // the token's own claims, which are not `c` when `c` was no valid UTF-8: signing replaced its
  // bad bytes.)
  for (std::size_t i = 0; i < token.size(); i += 1 + token.size() / 16) {
    std::string changed = token;
    changed[i] = changed[i] == 'A' ? 'B' : 'A';
    auto w = verify(changed);
    if (w.claims && changed != token && w.problem == messaging::LinkProblem::kNone &&
        !(v.claims && same(*w.claims, *v.claims)))
      fail("a changed token verifies to other claims");
  }
  check_verified(token);
  return 0;
}

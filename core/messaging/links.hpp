#pragma once
// Signed one-click links (docs/messaging.md, "Links and their security"). A link carries its own
// authority and nothing more: HMAC-SHA256 over a compact payload with the key's id, bound to the
// dispute, the step (or the dispute alone for feedback), the chosen value (outcome, score), the
// recipient and an expiry, with a unique id (jti) the engine records when the link is used, so it
// acts once. Keys come from the secret store (env:/file: references), never the database; the
// first key signs, every configured key verifies, so a new key can be put in front while links
// signed with the old one are still in mail boxes.
//
// A GET never acts (link scanners follow links); the web layer verifies, shows a page, and only
// the POST from that page acts.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace disputed::messaging {

/// What a link does when its page is confirmed.
enum class LinkAction {
  kOutcome,      ///< complete the step `task_key` with the outcome `value`
  kInformation,  ///< the recipient needs more information before deciding (step stays open)
  kFeedback,     ///< the customer's score `value` ("1".."5") for the dispute
  kUnsubscribe,  ///< stop optional messages of kind `value` to the recipient (RFC 8058)
};

/// "outcome", "information", "feedback", "unsubscribe".
const char* to_string(LinkAction action) noexcept;

struct LinkClaims {
  LinkAction action = LinkAction::kOutcome;
  std::string dispute;          ///< the dispute's reference
  std::string task_key;         ///< the step's task key (outcome, information); empty otherwise
  std::string value;            ///< the outcome, the score or the message kind
  std::string recipient;        ///< the e-mail address the link was sent to
  std::string language;         ///< the reader's language, for the pages
  std::int64_t expires_at = 0;  ///< Unix seconds
  std::string jti;              ///< unique per link; the engine records it when the link is used
  std::string key_id;           ///< set by verify(): the key that signed it
};

/// Why a link is refused.
enum class LinkProblem {
  kNone,
  kMalformed,   ///< not a token of ours (wrong form, too long, not our payload)
  kTampered,    ///< the signature does not match (changed, or signed by another installation)
  kUnknownKey,  ///< signed with a key this installation does not hold (retired, or foreign)
  kExpired,     ///< valid, but past its expiry
};

/// The outcome of verify(): claims whenever the signature is good (an expired link's too, so its
/// page can name the dispute in the reader's language).
struct VerifiedLink {
  LinkProblem problem = LinkProblem::kMalformed;
  std::optional<LinkClaims> claims;
};

/// The longest token verify() reads (bytes); anything longer is malformed without parsing.
inline constexpr std::size_t kMaxLinkToken = 2048;

class LinkSigner {
 public:
  /// `keys`: (key id, secret bytes), the first signs. Throws std::invalid_argument for no key, a
  /// key id outside [A-Za-z0-9_-]{1,32}, a repeated id or a secret shorter than 32 bytes.
  explicit LinkSigner(std::vector<std::pair<std::string, std::string>> keys);

  /// The token for `claims` (signed with the first key; claims.key_id is ignored).
  std::string sign(const LinkClaims& claims) const;
  /// Checks a token from a URL at `now_unix`; constant-time signature comparison.
  VerifiedLink verify(std::string_view token, std::int64_t now_unix) const;
  /// A link id derived from what it is for, so a message composed twice (a retry) carries the
  /// same links: 22 base64url characters of HMAC(first key, `material`).
  std::string derive_jti(std::string_view material) const;
  const std::string& signing_key_id() const { return keys_.front().first; }

 private:
  std::string mac(const std::string& secret, std::string_view payload) const;
  std::vector<std::pair<std::string, std::string>> keys_;
};

/// A Message-ID derived from the idempotency key (MESSAGING-NOTES 2.1): the same on every retry,
/// without internal numbers: "<" 26 base32 characters of SHA-256("msgid/v1|" key) "." kind "@"
/// domain ">", e.g. "<x7q2mdd4vb3e6l9o0s1t2u3w4y.task-assigned@disputes.example.com>".
std::string message_id(std::string_view idempotency_key, std::string_view kind,
                       std::string_view domain);

}  // namespace disputed::messaging

#include "core/messaging/links.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>

#include <nlohmann/json.hpp>

#include "disputed/sdk/kit/codecs.hpp"

namespace disputed::messaging {

namespace {

using nlohmann::json;
namespace kit = sdk::kit;

constexpr std::string_view kDomainSeparation = "disputed/action-link/v1|";

const char* action_code(LinkAction a) {
  switch (a) {
    case LinkAction::kOutcome:
      return "o";
    case LinkAction::kInformation:
      return "i";
    case LinkAction::kFeedback:
      return "f";
    case LinkAction::kUnsubscribe:
      return "u";
  }
  return "?";
}

std::optional<LinkAction> action_of(std::string_view code) {
  if (code == "o") return LinkAction::kOutcome;
  if (code == "i") return LinkAction::kInformation;
  if (code == "f") return LinkAction::kFeedback;
  if (code == "u") return LinkAction::kUnsubscribe;
  return std::nullopt;
}

bool key_id_ok(const std::string& id) {
  if (id.empty() || id.size() > 32) return false;
  for (char c : id)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return false;
  return true;
}

std::string sha256(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("OpenSSL EVP_Digest(SHA-256) failed");
  return std::string(reinterpret_cast<const char*>(digest), length);
}

std::string base32_lower(std::string_view bytes) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 5) {
      out += kAlphabet[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += kAlphabet[(buffer << (5 - bits)) & 31];
  return out;
}

}  // namespace

const char* to_string(LinkAction action) noexcept {
  switch (action) {
    case LinkAction::kOutcome:
      return "outcome";
    case LinkAction::kInformation:
      return "information";
    case LinkAction::kFeedback:
      return "feedback";
    case LinkAction::kUnsubscribe:
      return "unsubscribe";
  }
  return "unknown";
}

LinkSigner::LinkSigner(std::vector<std::pair<std::string, std::string>> keys)
    : keys_(std::move(keys)) {
  if (keys_.empty()) throw std::invalid_argument("at least one link key is needed");
  for (std::size_t i = 0; i < keys_.size(); ++i) {
    if (!key_id_ok(keys_[i].first))
      throw std::invalid_argument("link key id '" + keys_[i].first +
                                  "' must be 1-32 letters, digits, '_' or '-'");
    if (keys_[i].second.size() < 32)
      throw std::invalid_argument("link key '" + keys_[i].first +
                                  "' is shorter than 32 bytes (256 bits)");
    for (std::size_t k = 0; k < i; ++k)
      if (keys_[k].first == keys_[i].first)
        throw std::invalid_argument("link key id '" + keys_[i].first + "' is given twice");
  }
}

std::string LinkSigner::mac(const std::string& secret, std::string_view payload) const {
  std::string data(kDomainSeparation);
  data.append(payload);
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (!HMAC(EVP_sha256(), secret.data(), int(secret.size()),
            reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &length))
    throw std::runtime_error("OpenSSL HMAC(SHA-256) failed");
  return std::string(reinterpret_cast<const char*>(out), length);
}

std::string LinkSigner::sign(const LinkClaims& c) const {
  const auto& [kid, secret] = keys_.front();
  json payload = {{"v", 1},           {"k", kid},        {"a", action_code(c.action)},
                  {"d", c.dispute},   {"t", c.task_key}, {"x", c.value},
                  {"r", c.recipient}, {"l", c.language}, {"e", c.expires_at},
                  {"j", c.jti}};
  std::string body = payload.dump(-1, ' ', false, json::error_handler_t::replace);
  return kit::base64url_encode(body) + "." + kit::base64url_encode(mac(secret, body));
}

VerifiedLink LinkSigner::verify(std::string_view token, std::int64_t now_unix) const {
  VerifiedLink out;
  if (token.empty() || token.size() > kMaxLinkToken) return out;
  auto dot = token.find('.');
  if (dot == std::string_view::npos || token.find('.', dot + 1) != std::string_view::npos)
    return out;
  auto body = kit::base64url_decode(token.substr(0, dot));
  auto signature = kit::base64url_decode(token.substr(dot + 1));
  if (!body || !signature || body->empty() || body->front() != '{') return out;
  json payload = json::parse(*body, nullptr, false);
  if (payload.is_discarded() || !payload.is_object()) return out;
  auto text = [&](const char* key) -> std::optional<std::string> {
    auto it = payload.find(key);
    if (it == payload.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  auto version = payload.find("v");
  auto expires = payload.find("e");
  auto kid = text("k");
  auto action = text("a");
  if (version == payload.end() || *version != 1 || expires == payload.end() ||
      !expires->is_number_integer() || !kid || !action || !action_of(*action))
    return out;
  const std::string* secret = nullptr;
  for (const auto& [id, value] : keys_)
    if (id == *kid) secret = &value;
  if (!secret) {
    out.problem = LinkProblem::kUnknownKey;
    return out;
  }
  std::string expected = mac(*secret, *body);
  if (signature->size() != expected.size() ||
      CRYPTO_memcmp(signature->data(), expected.data(), expected.size()) != 0) {
    out.problem = LinkProblem::kTampered;
    return out;
  }
  LinkClaims c;
  c.action = *action_of(*action);
  c.dispute = text("d").value_or("");
  c.task_key = text("t").value_or("");
  c.value = text("x").value_or("");
  c.recipient = text("r").value_or("");
  c.language = text("l").value_or("");
  c.expires_at = expires->get<std::int64_t>();
  c.jti = text("j").value_or("");
  c.key_id = *kid;
  if (c.dispute.empty() || c.recipient.empty() || c.jti.empty()) return out;  // not our payload
  out.problem = now_unix >= c.expires_at ? LinkProblem::kExpired : LinkProblem::kNone;
  out.claims = std::move(c);
  return out;
}

std::string LinkSigner::derive_jti(std::string_view material) const {
  std::string m = mac(keys_.front().second, std::string("jti|") + std::string(material));
  return kit::base64url_encode(m.substr(0, 16));
}

std::string message_id(std::string_view idempotency_key, std::string_view kind,
                       std::string_view domain) {
  std::string left =
      base32_lower(sha256(std::string("msgid/v1|") + std::string(idempotency_key))).substr(0, 26);
  std::string k(kind);
  for (char& c : k)
    if (c == '_') c = '-';
  return "<" + left + "." + k + "@" + std::string(domain) + ">";
}

}  // namespace disputed::messaging

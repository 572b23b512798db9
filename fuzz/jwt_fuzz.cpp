// OAuth2 access tokens (Authorization: Bearer <JWT>) as anyone can send them: the verifier
// (liboauth2 for the signature, our code for the claims) answers a principal, 401 or 403, never
// crashes or throws. The first byte picks what is fuzzed:
//   0  the token text itself (forged tokens: liboauth2's parsing of header and signature)
//   1  the claims, signed with the key the verifier trusts (our claim checks)
//   2  header and claims, separated by a line "--", signed (liboauth2's header handling too)
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/api/api_error.hpp"
#include "core/api/jwt_verifier.hpp"
#include "fuzz/fuzz_support.hpp"
#include "tests/support/jwt_signer.hpp"

namespace {

namespace api = disputed::api;
using disputed::fuzz::fail;

struct World {
  // 1024 bits: signing each input with the usual 2048 would make this harness ten times slower;
  // the verifier's code paths do not depend on the key size.
  disputed::testing::JwtSigner signer{"fuzz-key", 1024};
  std::filesystem::path jwks;
  std::unique_ptr<api::JwtVerifier> verifier;

  World() {
    char pattern[] = "/tmp/disputed-fuzz-jwt-XXXXXX";
    if (!mkdtemp(pattern)) fail("mkdtemp");
    jwks = std::filesystem::path(pattern) / "jwks.json";
    std::ofstream(jwks) << signer.jwks().dump();
    disputed::config::OAuth2Config c;
    c.issuer = "https://idp.example.com/realms/acme";
    c.audience = "disputed";
    c.jwks_file = jwks;
    c.role_claim = "groups";
    c.roles = {{"ar-clerks", "controller"}, {"ar-managers", "admin"}, {"auditors", "viewer"}};
    verifier = std::make_unique<api::JwtVerifier>(c);
  }
  ~World() {
    std::error_code ignored;
    std::filesystem::remove_all(jwks.parent_path(), ignored);
  }
};

World* world = nullptr;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  static World w;
  world = &w;
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0 || size > 16 * 1024) return 0;  // the listener's head limit is 16 KiB
  std::string_view rest = disputed::fuzz::text_of(data + 1, size - 1);
  std::string token;
  switch (data[0] % 3) {
    case 0:
      token = std::string(rest);
      break;
    case 1:
      token = world->signer.sign_text(R"({"alg":"RS256","typ":"JWT","kid":"fuzz-key"})",
                                      std::string(rest));
      break;
    default: {
      auto parts = disputed::fuzz::split(rest, "\n--\n", 2);
      token = world->signer.sign_text(parts[0], parts.size() > 1 ? parts[1] : "");
    }
  }
  try {
    auto verdict = world->verifier->verify(token);
    if (const auto* error = std::get_if<api::ApiError>(&verdict)) {
      if (error->status != 401 && error->status != 403)
        fail("a token answered " + std::to_string(error->status));
    } else if (std::get<api::Principal>(verdict).actor.empty()) {
      fail("a principal without an actor");
    }
  } catch (const std::exception& e) {
    fail(std::string("verify threw: ") + e.what());
  }
  return 0;
}

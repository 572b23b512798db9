// The only file of core/api that includes cpprestsdk's HTTP client.
#include "core/api/jwks_fetch.hpp"

#include <cpprest/containerstream.h>
#include <cpprest/http_client.h>

namespace disputed::api {

namespace http = web::http;

domain::Status check_jwks_uri(const std::string& uri) {
  auto starts = [&](const char* prefix) { return uri.rfind(prefix, 0) == 0; };
  if (starts("https://")) return domain::Ok{};
  if (starts("http://127.") || starts("http://localhost:") || starts("http://localhost/") ||
      starts("http://[::1]"))
    return domain::Ok{};
  return domain::Error::invalid(
      "must be an https:// URL (plain http only to this machine's loopback): keys fetched in "
      "clear text could be replaced on the way");
}

domain::Result<std::string> fetch_jwks(const std::string& uri, std::chrono::milliseconds timeout) {
  const std::string where = "JWKS " + uri;
  try {
    http::client::http_client_config config;
    config.set_timeout(timeout);
    config.set_validate_certificates(true);
    config.set_max_redirects(0);  // a redirect could lead to a host we did not choose
    http::client::http_client client(web::uri(uri), config);
    pplx::cancellation_token_source cancel;
    auto answer = client.request(http::methods::GET, "", cancel.get_token()).get();
    if (answer.status_code() != http::status_codes::OK)
      return domain::Error::internal(where + " answered " + std::to_string(answer.status_code()));
    if (answer.headers().content_length() > kMaxJwksBytes) {
      cancel.cancel();
      return domain::Error::internal(where + ": the answer is larger than " +
                                     std::to_string(kMaxJwksBytes) + " bytes");
    }
    auto stream = answer.body();
    std::string body;
    for (;;) {
      concurrency::streams::container_buffer<std::vector<unsigned char>> piece;
      const std::size_t n = stream.read(piece, 64 * 1024).get();
      if (n == 0) break;
      if (body.size() + n > kMaxJwksBytes) {
        cancel.cancel();
        return domain::Error::internal(where + ": the answer is larger than " +
                                       std::to_string(kMaxJwksBytes) + " bytes");
      }
      const auto& bytes = piece.collection();
      body.append(bytes.begin(), bytes.begin() + std::min(n, bytes.size()));
    }
    return body;
  } catch (const std::exception& e) {
    return domain::Error::internal(where + " could not be fetched: " + e.what());
  }
}

}  // namespace disputed::api

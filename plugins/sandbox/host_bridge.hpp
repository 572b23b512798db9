#pragma once
// The one bridge between the SDK's fake host (sdk::testing::FakeHost) and a sandbox: a request
// the plugin sends through the host is answered by a sandbox Server in process (Server::serve, no
// socket, no thread), or forwarded over loopback to a server or to Prism in front of one. Used by
// every plugin's tests and benches.

#include <functional>
#include <optional>
#include <string>

#include "disputed/sdk/host.hpp"
#include "plugins/sandbox/sandbox_server.hpp"

namespace disputed::sandbox {

/// The sandbox Request for an SDK request with an absolute URL, as the server would parse it
/// off the wire.
Request to_request(const sdk::HttpRequest& request);

/// Answers an SDK request in process. A dropped connection (an injected fault) answers status 0
/// with failure kConnection.
sdk::HttpResponse serve_in_process(Server& server, const sdk::HttpRequest& request);

/// Sends the request's method, path, query, headers and body to `base` (e.g. Prism's
/// "http://127.0.0.1:PORT") over loopback. No answer: status 0, failure kConnection.
sdk::HttpResponse forward(const std::string& base, const sdk::HttpRequest& request);

/// Sends the request to its own URL over loopback (a server or Prism the URL already names).
sdk::HttpResponse forward(const sdk::HttpRequest& request);

/// A token from a sandbox's OAuth2 token endpoint at `token_path` (client credentials,
/// client_secret_post, plus `extra_form` such as "&scope=..."), as the host's token source fetches
/// it: the token expires `expires_in` after `now` (30 minutes when the answer has none, like
/// Salesforce's). nullopt with `error` ("token endpoint <url> answered 401 invalid_client")
/// otherwise.
std::optional<sdk::AccessToken> fetch_token(Server& server, const std::string& token_path,
                                            const std::string& client_id,
                                            const std::string& client_secret, sdk::Instant now,
                                            std::string& error, const std::string& extra_form = "");

/// What sdk::testing::FakeHost takes as its sandbox handler.
using Handler = std::function<sdk::HttpResponse(const sdk::HttpRequest&)>;

/// A FakeHost handler answering in process from `server` (which must outlive the host).
Handler in_process(Server& server);
/// A FakeHost handler forwarding to `base` over loopback.
Handler forwarding_to(std::string base);
/// A FakeHost handler sending every request to its own URL over loopback.
Handler over_loopback();

}  // namespace disputed::sandbox

#pragma once
// API keys over REST, for the operations page and operators' scripts (admin only): list, make
// (the key is shown once, in the answer), revoke. The same records as `disputed api-key`.

#include "core/api/api.hpp"

namespace disputed::api {

/// GET /api-keys, POST /api-keys, DELETE /api-keys/{name}.
void add_api_key_routes(Api& api, engine::CommandWriter& writer, const domain::Clock& clock);

}  // namespace disputed::api

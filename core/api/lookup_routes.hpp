#pragma once
// Routes that help a person find things (the web app's register and list pages, and any
// integrator): invoice search as you type, the categories and the category a description
// suggests, and the search filters of GET /disputes.

#include <optional>

#include "core/api/api.hpp"

namespace disputed::api {

/// GET /invoices?q=, GET /categories, GET /categories/suggestion?text=.
void add_lookup_routes(Api& api, const workflow::Definitions& definitions);

/// The search filters of GET /disputes (channel, from, to, q, order) into `filter`; a 422 naming
/// the parameter when one is malformed.
std::optional<ApiError> read_search_filters(const HttpRequest& request,
                                            engine::DisputeFilter& filter);

}  // namespace disputed::api

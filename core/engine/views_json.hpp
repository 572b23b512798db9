#pragma once
// JSON forms of the engine's records and views, shared by the CLI (--json) and the REST API.
// Amounts are decimal strings, instants ISO-8601 UTC, dates YYYY-MM-DD.

#include <nlohmann/json.hpp>

#include "core/engine/dispute_service.hpp"
#include "core/engine/operations.hpp"

namespace disputed::engine {

nlohmann::json to_json(const store::DisputeRecord& d);
nlohmann::json to_json(const store::StepRecord& s);
nlohmann::json to_json(const store::HoldRecord& h);
nlohmann::json to_json(const store::DossierEntry& e);
nlohmann::json to_json(const store::CollectionEvent& e);
nlohmann::json to_json(const DisputeView& v);
nlohmann::json to_json(const InvoiceState& s);
nlohmann::json to_json(const Task& t);
nlohmann::json to_json(const ImportReport& r);
nlohmann::json to_json(const TickReport& r);
nlohmann::json to_json(const domain::Error& e);
/// GET /connectors and `disputed connectors --json`.
nlohmann::json to_json(const ConnectorState& c);
/// GET /dead-letters and `disputed dead-letters --json`.
nlohmann::json to_json(const DeadLetter& d);
/// `disputed api-key list --json` (never the key or its hash).
nlohmann::json to_json(const ApiKeyRecord& k);

}  // namespace disputed::engine

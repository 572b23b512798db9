#pragma once
/// @file The connector kit in one include: the boundary base class and the one plugin shape on
/// it, the task and message contracts, the MIME writer, the HTTP outcome policy, settings from
/// the manifest, JSON with paths, codecs and timestamps. Link disputed::sdk_kit. See
/// docs/plugin-guide.md ("The connector kit").

#include "disputed/sdk/kit/codecs.hpp"
#include "disputed/sdk/kit/connector_base.hpp"
#include "disputed/sdk/kit/expected.hpp"
#include "disputed/sdk/kit/http_policy.hpp"
#include "disputed/sdk/kit/json.hpp"
#include "disputed/sdk/kit/json_api.hpp"
#include "disputed/sdk/kit/message_contract.hpp"
#include "disputed/sdk/kit/mime.hpp"
#include "disputed/sdk/kit/settings.hpp"
#include "disputed/sdk/kit/system_connector.hpp"
#include "disputed/sdk/kit/task_contract.hpp"
#include "disputed/sdk/kit/time.hpp"

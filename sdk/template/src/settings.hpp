#pragma once
// The instance's settings, read from the manifest's config_schema with its defaults. The host
// checks the settings against the schema first (types, patterns, required and unknown keys), so
// nothing here re-checks by hand; a rule a schema cannot say well is added with problem().
// TODO(vendor): your settings (and the same keys in manifest.json's config_schema).

#include <chrono>
#include <string>

#include "disputed/sdk/kit/settings.hpp"

namespace template_connector {

struct Settings {
  std::string base_url;  ///< e.g. https://api.example.com/v1, without a trailing '/'
  std::string project;   ///< the project (queue, list, board) tasks are created in
  std::chrono::milliseconds request_timeout{30000};
};

Settings read_settings(const disputed::sdk::kit::Settings& in);

}  // namespace template_connector

#pragma once
// Loading everything configs/ defines (calendar, roles, categories, workflows, policies) and
// checking it as a whole, once, at start-up. Every problem is a config::ConfigError naming the
// file and the key path; a configuration that loads is one the engine can run.

#include <filesystem>
#include <string>
#include <vector>

#include "core/config/engine_config.hpp"
#include "core/domain/calendar.hpp"
#include "core/workflow/definition.hpp"

namespace disputed::workflow {

/// The start-up check of the promise to the customer: for each category whose workflow's
/// longest path of step deadlines (longest_deadline_path) exceeds the category's
/// max_resolution_working_days, one warning naming the category, the workflow, the path with
/// each step's deadline and the totals. Empty when every workflow fits.
std::vector<std::string> deadline_warnings(const Definitions& definitions);

/// Loads and validates every file `config` references: calendar (+ holiday files), roles,
/// connector instance names (when connectors_dir exists), every *.json in workflows_dir (in
/// name order), categories, and the dunning and notification policies in the engine config.
/// Throws config::ConfigError on the first problem.
Definitions load_definitions(const config::EngineConfig& config);

/// Loads one calendar file and the holiday files it lists (relative to its own directory).
domain::BusinessCalendar load_calendar(const std::filesystem::path& file);

/// Loads one workflow file: schema and the workflow's own consistency (WorkflowDef::from_json).
/// References to roles and connectors are checked by load_definitions.
WorkflowDef load_workflow_file(const std::filesystem::path& file);

}  // namespace disputed::workflow

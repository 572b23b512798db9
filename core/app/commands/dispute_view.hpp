#pragma once
// How the dispute commands show a dispute: a line of `dispute list`, the whole dispute of
// `dispute show`, and the answer of a command that changed one.

#include <iosfwd>
#include <string>

#include "core/app/commands/command.hpp"
#include "core/engine/dispute_service.hpp"

namespace disputed::app {

/// One row of `dispute list`.
void print_dispute_line(std::ostream& out, const engine::DisputeRecord& d);

/// The dispute with its steps, holds and timeline.
void print_view(std::ostream& out, const workflow::Definitions& defs, const engine::DisputeView& v);

/// The answer of a dispute command: the whole dispute as it now stands (JSON, or "REF VERB"
/// and the view), or the error of `r`.
int dispute_result(Context& ctx, const Engine& e, const domain::Result<engine::DisputeView>& r,
                   const std::string& verb);

}  // namespace disputed::app

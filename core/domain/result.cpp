#include "core/domain/result.hpp"

namespace disputed::domain {

const char* to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return "invalid_argument";
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kConflict:
      return "conflict";
    case ErrorCode::kInternal:
      return "internal";
  }
  return "internal";
}

Error Error::invalid(std::string message, std::string field, std::string problem) {
  Error e{ErrorCode::kInvalidArgument, std::move(message), {}};
  if (!field.empty()) e.details.push_back({std::move(field), std::move(problem)});
  return e;
}
Error Error::not_found(std::string message) {
  return {ErrorCode::kNotFound, std::move(message), {}};
}
Error Error::conflict(std::string message) {
  return {ErrorCode::kConflict, std::move(message), {}};
}
Error Error::internal(std::string message) {
  return {ErrorCode::kInternal, std::move(message), {}};
}

std::string Error::describe() const {
  std::string out = message;
  for (const auto& d : details) {
    out += "\n  ";
    out += d.field;
    if (!d.problem.empty()) {
      out += ": ";
      out += d.problem;
    }
  }
  return out;
}

}  // namespace disputed::domain

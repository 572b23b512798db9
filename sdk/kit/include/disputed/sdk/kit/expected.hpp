#pragma once
/// @file Failures as values in the connector kit: a `Problem` names where (a JSON pointer, a
/// settings key, a header) and what; `Expected<T>` holds a value or a problem. Standard library
/// only; nothing here throws except `value()` on a problem (a programming error).

#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

namespace disputed::sdk::kit {

/// What is wrong, and where: `where` is a JSON pointer ("/ticket/custom_fields/2/value"), a
/// setting ("/base_url") or empty when the whole input is meant.
struct Problem {
  std::string where;
  std::string what;
  /// "<where>: <what>", or just `what` when `where` is empty.
  std::string text() const { return where.empty() ? what : where + ": " + what; }
};

/// A value or the problem that stopped it. Cheap to test (`if (!x) return x.problem();`).
template <class T>
class Expected {
 public:
  Expected(T value) : state_(std::move(value)) {}            // NOLINT: implicit by design
  Expected(Problem problem) : state_(std::move(problem)) {}  // NOLINT: implicit by design

  bool ok() const noexcept { return std::holds_alternative<T>(state_); }
  explicit operator bool() const noexcept { return ok(); }

  /// The value; throws std::logic_error when there is none (check ok() first).
  const T& value() const& {
    if (!ok()) throw std::logic_error("kit::Expected: no value: " + problem().text());
    return std::get<T>(state_);
  }
  T& value() & {
    if (!ok()) throw std::logic_error("kit::Expected: no value: " + problem().text());
    return std::get<T>(state_);
  }
  T&& value() && {
    if (!ok()) throw std::logic_error("kit::Expected: no value: " + problem().text());
    return std::get<T>(std::move(state_));
  }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }
  /// The value, or `fallback` when there is a problem.
  T value_or(T fallback) const& { return ok() ? std::get<T>(state_) : std::move(fallback); }

  /// The problem; an empty one when there is a value.
  const Problem& problem() const noexcept {
    static const Problem none;
    return ok() ? none : std::get<Problem>(state_);
  }

 private:
  std::variant<T, Problem> state_;
};

}  // namespace disputed::sdk::kit

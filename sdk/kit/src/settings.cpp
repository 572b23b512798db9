#include "disputed/sdk/kit/settings.hpp"

#include "disputed/sdk/kit/json.hpp"

namespace disputed::sdk::kit {

struct Settings::Impl {
  Json values = Json::object();
  mutable std::vector<ConfigProblem> problems;

  // The value at a JSON pointer, or nullptr.
  const Json* at(std::string_view key) const {
    try {
      Json::json_pointer pointer{std::string(key)};
      return values.contains(pointer) ? &values.at(pointer) : nullptr;
    } catch (const std::exception&) {
      problems.push_back({std::string(key), "is not a valid settings key (a JSON pointer)"});
      return nullptr;
    }
  }
  template <class T>
  T wrong(std::string_view key, const Json& value, const char* expected) const {
    problems.push_back(
        {std::string(key), std::string("must be ") + expected + ", not " + type_words(value)});
    return T{};
  }
};

Settings::Settings() : impl_(std::make_unique<Impl>()) {}
Settings::Settings(Settings&&) noexcept = default;
Settings& Settings::operator=(Settings&&) noexcept = default;
Settings::~Settings() = default;

Expected<Settings> Settings::read(std::string_view settings_json, std::string_view manifest_json) {
  auto settings = parse_json(settings_json, {1024 * 1024, 32});
  if (!settings) return Problem{"", "settings: " + settings.problem().what};
  if (!settings->is_object()) return Problem{"", "settings must be a JSON object"};
  auto manifest = parse_json(manifest_json, {1024 * 1024, 64});
  if (!manifest) return Problem{"", "the plugin's manifest: " + manifest.problem().what};

  Settings out;
  JsonView properties = JsonView(*manifest)["config_schema"]["properties"];
  for (const auto& [key, property] : properties.members())
    if (const Json* fallback = property["default"].json()) out.impl_->values[key] = *fallback;
  for (auto it = settings->begin(); it != settings->end(); ++it)
    out.impl_->values[it.key()] = it.value();
  return out;
}

bool Settings::has(std::string_view key) const {
  const Json* v = impl_->at(key);
  return v && !v->is_null();
}

std::string Settings::text(std::string_view key) const {
  const Json* v = impl_->at(key);
  if (!v || v->is_null()) return {};
  if (!v->is_string()) return impl_->wrong<std::string>(key, *v, "a string");
  return v->get<std::string>();
}

std::string Settings::url(std::string_view key) const {
  std::string value = text(key);
  while (!value.empty() && value.back() == '/') value.pop_back();
  return value;
}

std::int64_t Settings::integer(std::string_view key) const {
  const Json* v = impl_->at(key);
  if (!v || v->is_null()) return 0;
  if (!v->is_number_integer()) return impl_->wrong<std::int64_t>(key, *v, "an integer");
  return v->get<std::int64_t>();
}

bool Settings::boolean(std::string_view key) const {
  const Json* v = impl_->at(key);
  if (!v || v->is_null()) return false;
  if (!v->is_boolean()) return impl_->wrong<bool>(key, *v, "true or false");
  return v->get<bool>();
}

std::vector<std::string> Settings::text_list(std::string_view key) const {
  std::vector<std::string> out;
  const Json* v = impl_->at(key);
  if (!v || v->is_null()) return out;
  if (!v->is_array()) return impl_->wrong<std::vector<std::string>>(key, *v, "a list of strings");
  for (std::size_t i = 0; i < v->size(); ++i) {
    if (!(*v)[i].is_string()) {
      impl_->wrong<int>(std::string(key) + "/" + std::to_string(i), (*v)[i], "a string");
      continue;
    }
    out.push_back((*v)[i].get<std::string>());
  }
  return out;
}

std::map<std::string, std::string> Settings::text_map(std::string_view key) const {
  std::map<std::string, std::string> out;
  const Json* v = impl_->at(key);
  if (!v || v->is_null()) return out;
  if (!v->is_object()) return impl_->wrong<decltype(out)>(key, *v, "an object of strings");
  for (auto it = v->begin(); it != v->end(); ++it) {
    if (!it->is_string()) {
      impl_->wrong<int>(pointer_append(std::string(key), it.key()), *it, "a string");
      continue;
    }
    out[it.key()] = it->get<std::string>();
  }
  return out;
}

std::map<std::string, std::int64_t> Settings::integer_map(std::string_view key) const {
  std::map<std::string, std::int64_t> out;
  const Json* v = impl_->at(key);
  if (!v || v->is_null()) return out;
  if (!v->is_object()) return impl_->wrong<decltype(out)>(key, *v, "an object of integers");
  for (auto it = v->begin(); it != v->end(); ++it) {
    if (!it->is_number_integer()) {
      impl_->wrong<int>(pointer_append(std::string(key), it.key()), *it, "an integer");
      continue;
    }
    out[it.key()] = it->get<std::int64_t>();
  }
  return out;
}

void Settings::problem(std::string key, std::string what) const {
  impl_->problems.push_back({std::move(key), std::move(what)});
}

const std::vector<ConfigProblem>& Settings::problems() const noexcept { return impl_->problems; }

}  // namespace disputed::sdk::kit

#include "core/host/connector_host.hpp"

#include <unistd.h>

#include <algorithm>
#include <set>
#include <sstream>

#include "core/config/config_error.hpp"
#include "core/config/json_file.hpp"
#include "core/config/json_schema.hpp"

namespace disputed::host {

namespace fs = std::filesystem;
using config::ConfigError;

std::vector<InstanceConfig> read_instance_configs(const fs::path& dir) {
  std::vector<InstanceConfig> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ".json") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    nlohmann::json doc = config::read_json_file(file);
    // Checked before the schema, whose messages quote the offending value: a literal secret
    // must never reach a log.
    if (auto secrets = doc.find("secrets"); secrets != doc.end() && secrets->is_object())
      for (const auto& [k, v] : secrets->items())
        if (!v.is_string() || !(v.get<std::string>().rfind("env:", 0) == 0 ||
                                v.get<std::string>().rfind("file:", 0) == 0))
          throw ConfigError(file.string(), "/secrets/" + k,
                            "must be a reference (env:NAME or file:PATH), not the secret itself");
    config::embedded_schema("connector-instance").validate_or_throw(doc, file.string());
    InstanceConfig c;
    c.file = file;
    c.name = doc["name"];
    c.plugin = doc["plugin"];
    c.settings = doc.value("settings", nlohmann::json::object());
    if (auto secrets = doc.find("secrets"); secrets != doc.end())
      for (const auto& [k, v] : secrets->items()) c.secrets[k] = v.get<std::string>();
    c.auth = doc.value("auth", nlohmann::json::object());
    c.allowed_hosts = doc.value("allowed_hosts", std::vector<std::string>{});
    c.allow_plain_http = doc.value("allow_plain_http", false);
    if (doc.contains("rate_per_second")) c.rate_per_second = doc["rate_per_second"].get<double>();
    if (doc.contains("burst")) c.burst = doc["burst"].get<int>();
    if (doc.contains("poll_interval_seconds"))
      c.poll_interval_seconds = doc["poll_interval_seconds"].get<int>();
    if (doc.contains("max_attempts")) c.max_attempts = doc["max_attempts"].get<int>();
    c.paused = doc.value("paused", false);
    for (const auto& other : out)
      if (other.name == c.name)
        throw ConfigError(file.string(), "/name",
                          "instance name '" + c.name + "' is also used by " + other.file.string());
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<fs::path> plugin_search_path(const std::vector<fs::path>& configured,
                                         const char* plugin_path_env) {
  std::vector<fs::path> dirs = configured;
  char exe[4096];
  ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    exe[n] = '\0';
    dirs.push_back(fs::path(exe).parent_path().parent_path() / "plugins");
  }
  if (plugin_path_env && *plugin_path_env) {
    std::stringstream ss(plugin_path_env);
    std::string item;
    while (std::getline(ss, item, ':'))
      if (!item.empty()) dirs.emplace_back(item);
  }
  // The same directory named twice (e.g. $DISPUTED_PLUGIN_PATH = the default) is searched once,
  // else its plugins would conflict with themselves.
  std::vector<fs::path> unique;
  std::set<fs::path> seen;
  for (const auto& d : dirs) {
    std::error_code ec;
    auto canonical = fs::weakly_canonical(d, ec);
    if (seen.insert(ec ? d.lexically_normal() : canonical).second) unique.push_back(d);
  }
  return unique;
}

ConnectorHost::ConnectorHost(std::vector<fs::path> plugin_dirs, const domain::Clock& clock,
                             net::LogSink log, PluginStateFactory plugin_state)
    : catalog_(plugin_dirs),
      clock_(clock),
      log_(std::move(log)),
      plugin_state_(std::move(plugin_state)) {}

ConnectorHost::~ConnectorHost() {
  // Connectors go before their host services and before the libraries (held by the deleters).
  for (auto& in : instances_) in.connector.reset();
}

ConnectorHost::Instance* ConnectorHost::find(const std::string& name) {
  for (auto& in : instances_)
    if (in.config.name == name) return &in;
  return nullptr;
}

void ConnectorHost::open(const std::vector<InstanceConfig>& configs) {
  for (const auto& c : configs) {
    std::string file = c.file.string();
    auto plugin = catalog_.load(c.plugin);
    if (!plugin) throw ConfigError(file, "/plugin", plugin.error().message);
    const PluginManifest& m = plugin.value()->manifest();

    config::JsonSchema schema(m.config_schema, m.id + " settings");
    auto problems = schema.problems(c.settings);
    if (!problems.empty())
      throw ConfigError(file, "/settings" + problems[0].field, problems[0].problem);
    for (const auto& [secret, required] : m.secrets)
      if (required && !c.secrets.count(secret))
        throw ConfigError(
            file, "/secrets/" + secret,
            "is required by plugin " + m.id + " (an env:NAME or file:PATH reference)");
    for (const auto& [secret, ref] : c.secrets)
      if (!m.secrets.count(secret))
        throw ConfigError(file, "/secrets/" + secret, "plugin " + m.id + " has no such secret");

    auto connector = plugin.value()->create();
    if (!connector) throw ConfigError(file, "/plugin", connector.error().message);
    auto plugin_problems = connector.value()->validate(c.settings.dump());
    if (!plugin_problems.empty())
      throw ConfigError(file, "/settings" + plugin_problems[0].field, plugin_problems[0].problem);

    // The instance may choose another of the kinds the manifest offers (auth.kind); the rest
    // of `auth` belongs to that kind. Secrets for the plugin itself stay out of authentication.
    std::string kind_name = m.auth_kind;
    nlohmann::json auth = c.auth;
    if (auto k = auth.find("kind"); k != auth.end()) {
      if (!k->is_string())
        throw ConfigError(file, "/auth/kind", "must be one of the plugin's auth kinds");
      kind_name = k->get<std::string>();
      bool offered = kind_name == m.auth_kind ||
                     std::find(m.auth_alternatives.begin(), m.auth_alternatives.end(), kind_name) !=
                         m.auth_alternatives.end();
      if (!offered) {
        std::string offers = m.auth_kind;
        for (const auto& a : m.auth_alternatives) offers += ", " + a;
        throw ConfigError(file, "/auth/kind",
                          "plugin " + m.id + " does not offer auth kind '" + kind_name +
                              "' (it offers: " + offers + ")");
      }
      auth.erase(k);
    }
    std::map<std::string, std::string> auth_secrets, plugin_secrets;
    for (const auto& [name, ref] : c.secrets)
      (m.plugin_secrets.count(name) ? plugin_secrets : auth_secrets)[name] = ref;
    auto kind = net::parse_auth_kind(kind_name);
    if (!kind) throw ConfigError(file, "/plugin", kind.error().message);
    auto credentials = net::parse_credential_settings(kind.value(), auth.dump(), auth_secrets);
    if (!credentials) {
      // Fields come relative to the auth object ("token_url", "extra_form.x") or as
      // "secrets.<name>".
      const auto& e = credentials.error();
      std::string field = e.details.empty() ? "" : e.details[0].field;
      std::replace(field.begin(), field.end(), '.', '/');
      std::string path = field.rfind("secrets/", 0) == 0
                             ? "/" + field
                             : (field.empty() ? "/auth" : "/auth/" + field);
      throw ConfigError(file, path, e.describe());
    }
    net::HostServicesConfig services_config;
    services_config.instance_name = c.name;
    services_config.credentials = credentials.value();
    services_config.plugin_secrets = plugin_secrets;
    services_config.http.allowed_hosts = m.allowed_hosts;
    services_config.http.allowed_hosts.insert(services_config.http.allowed_hosts.end(),
                                              c.allowed_hosts.begin(), c.allowed_hosts.end());
    services_config.http.allow_plain_http = c.allow_plain_http;
    services_config.log_sink = log_;
    services_config.shutdown = &shutdown_;
    std::unique_ptr<sdk::KeyValueStore> kv;
    if (plugin_state_) kv = plugin_state_(c.name);
    auto services = net::HostServices::create(services_config, clock_, std::move(kv));
    if (!services)
      throw ConfigError(file, "", "instance " + c.name + ": " + services.error().describe());

    Instance in;
    in.config = c;
    in.manifest = m;
    in.services = std::move(services.value());
    in.connector = connector.value();
    auto opened = in.connector->open(c.settings.dump(), *in.services);
    if (!opened.ok)
      throw ConfigError(
          file, "",
          "instance " + c.name + " (plugin " + m.id + ") did not open: " + opened.message);
    instances_.push_back(std::move(in));
  }
}

}  // namespace disputed::host

#include "core/host/plugin_catalog.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <string>

#include "core/config/config_error.hpp"

namespace disputed::host {

namespace fs = std::filesystem;

namespace {

// A library is code that runs with the engine's rights: whoever may replace it, or the
// directory it is in, owns the engine. Like sshd's StrictModes: the file, its manifest and their
// directory must belong to root or to the user running the engine, and be writable by nobody
// else (neither group nor others).
std::optional<std::string> unsafe(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return path.string() + " cannot be examined";
  if (st.st_uid != 0 && st.st_uid != ::geteuid())
    return path.string() + " belongs to uid " + std::to_string(st.st_uid) +
           ", not to root or the user running disputed (uid " + std::to_string(::geteuid()) + ")";
  if (st.st_mode & S_IWOTH) return path.string() + " is writable by every user (chmod o-w)";
  if (st.st_mode & S_IWGRP) return path.string() + " is writable by its group (chmod g-w)";
  return std::nullopt;
}

}  // namespace

PluginCatalog::PluginCatalog(const std::vector<fs::path>& directories) {
  for (const auto& dir : directories) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) continue;
    std::vector<fs::path> manifests;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
      std::string name = e.path().filename().string();
      if (name.size() > 14 && name.rfind("lib", 0) == 0 && name.ends_with(".manifest.json"))
        manifests.push_back(e.path());
    }
    std::sort(manifests.begin(), manifests.end());
    for (const auto& m : manifests) {
      std::string stem = m.filename().string();
      stem.resize(stem.size() - std::string(".manifest.json").size());
      fs::path library = m.parent_path() / (stem + ".so");
      if (!fs::exists(library))
        throw config::ConfigError(m.string(), "",
                                  "no plugin library " + library.string() + " beside it");
      PluginManifest manifest = read_manifest(m);
      auto existing = entries_.find(manifest.id);
      if (existing != entries_.end()) {
        if (existing->second.library.parent_path() == library.parent_path())
          throw config::ConfigError(m.string(), "/id",
                                    "plugin id '" + manifest.id + "' is also claimed by " +
                                        existing->second.manifest_file.string());
        continue;  // an earlier directory wins
      }
      std::string id = manifest.id;  // read before the move below
      entries_.emplace(id, CatalogEntry{library, m, std::move(manifest)});
    }
  }
}

const CatalogEntry* PluginCatalog::find(const std::string& id) const {
  auto it = entries_.find(id);
  return it == entries_.end() ? nullptr : &it->second;
}

domain::Result<std::shared_ptr<LoadedPlugin>> PluginCatalog::load(const std::string& id) {
  if (auto it = loaded_.find(id); it != loaded_.end()) return it->second;
  const CatalogEntry* entry = find(id);
  if (!entry) {
    std::string known;
    for (const auto& [k, v] : entries_) known += (known.empty() ? "" : ", ") + k;
    return domain::Error::not_found("no plugin '" + id +
                                    "' found (found: " + (known.empty() ? "none" : known) + ")");
  }
  for (const fs::path& path :
       {entry->library.parent_path(), entry->library, entry->manifest_file}) {
    if (auto why = unsafe(path))
      return domain::Error::invalid("plugin '" + id + "' not loaded: " + *why);
  }
  auto plugin = load_plugin(entry->library, entry->manifest);
  if (plugin.ok()) loaded_[id] = plugin.value();
  return plugin;
}

}  // namespace disputed::host

// Configuration files as an operator (or a careless copy) may write them: the engine config,
// roles, categories, a calendar and its holidays, a workflow, a connector instance, and a
// plugin manifest. The shipped configuration is copied to a temporary directory once; each input
// replaces one file of it (the first byte picks which) and is read by its own loader (the engine
// config, roles and categories: the whole configuration, as `disputed` loads it at start). The
// only way to refuse is config::ConfigError naming the file; any other exception, or a crash, is
// a finding.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/config/config_error.hpp"
#include "core/config/engine_config.hpp"
#include "core/host/connector_host.hpp"
#include "core/host/plugin_manifest.hpp"
#include "core/workflow/loader.hpp"
#include "fuzz/fuzz_support.hpp"

namespace {

namespace fs = std::filesystem;
using disputed::fuzz::fail;

constexpr const char* kFiles[] = {"disputed.json",
                                  "roles.json",
                                  "categories.json",
                                  "calendars/nl.json",
                                  "calendars/holidays-nl.json",
                                  "workflows/price.json",
                                  "connectors/zendesk.json"};
constexpr std::size_t kFileCount = sizeof kFiles / sizeof kFiles[0];

struct World {
  fs::path dir;
  std::string originals[kFileCount];

  World() {
    char pattern[] = "/tmp/disputed-fuzz-config-XXXXXX";
    if (!mkdtemp(pattern)) fail("mkdtemp");
    dir = pattern;
    fs::path source = DISPUTED_SOURCE_DIR "/configs";
    for (const char* sub : {"calendars", "workflows", "schemas"})
      fs::copy(source / sub, dir / sub, fs::copy_options::recursive);
    for (const char* file : {"disputed.json", "roles.json", "categories.json"})
      fs::copy(source / file, dir / file);
    fs::copy(source / "demo/connectors", dir / "connectors", fs::copy_options::recursive);
    for (std::size_t i = 0; i < kFileCount; ++i) {
      std::ifstream in(dir / kFiles[i], std::ios::binary);
      originals[i].assign(std::istreambuf_iterator<char>(in), {});
    }
    load();  // the shipped configuration loads
  }
  ~World() {
    std::error_code ignored;
    fs::remove_all(dir, ignored);
  }

  void write(std::size_t index, std::string_view text) {
    std::ofstream(dir / kFiles[index], std::ios::binary | std::ios::trunc)
        .write(text.data(), std::streamsize(text.size()));
  }

  void load_one(std::size_t index) {
    fs::path file = dir / kFiles[index];
    switch (index) {
      case 3:
      case 4:  // the holidays through the calendar that lists them
        disputed::workflow::load_calendar(dir / kFiles[3]);
        break;
      case 5:
        disputed::workflow::load_workflow_file(file);
        break;
      case 6:
        disputed::host::read_instance_configs(file.parent_path());
        break;
      default:  // the engine config, roles and categories: the whole configuration
        load();
    }
  }

  void load() {
    auto config = disputed::config::load_engine_config(dir / "disputed.json");
    disputed::workflow::load_definitions(config);
    if (auto connectors = config.raw.find("connectors_dir"); connectors != config.raw.end())
      disputed::host::read_instance_configs(config.resolve(connectors->get<std::string>()));
  }
};

World* world = nullptr;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  static World w;
  world = &w;
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view text = disputed::fuzz::text_of(data + 1, size - 1);
  std::size_t pick = data[0] % (kFileCount + 1);
  try {
    if (pick == kFileCount) {
      disputed::host::parse_manifest(std::string(text), "manifest.json");
    } else {
      world->write(pick, text);
      try {
        world->load_one(pick);
      } catch (...) {
        world->write(pick, world->originals[pick]);
        throw;
      }
      world->write(pick, world->originals[pick]);
    }
  } catch (const disputed::config::ConfigError& e) {
    if (std::string(e.what()).empty()) fail("a ConfigError without a message");
  } catch (const std::exception& e) {
    fail(std::string("a config file made the loader throw ") + typeid(e).name() + ": " + e.what());
  }
  return 0;
}

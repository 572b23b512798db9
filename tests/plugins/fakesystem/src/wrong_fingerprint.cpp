// A plugin "built with another compiler": the host must refuse it, naming both fingerprints.
#include "disputed/sdk/descriptor.hpp"
#include "disputed/sdk/plugin.hpp"

extern "C" DISPUTED_PLUGIN_EXPORT const disputed_plugin_descriptor* disputed_plugin_descriptor() {
  static const struct disputed_plugin_descriptor d = {
      sizeof(struct disputed_plugin_descriptor), DISPUTED_SDK_ABI_MAJOR, DISPUTED_SDK_ABI_MINOR,
      "clang-99.0;libc++-1;c++202002L;sdk-1.0.0", disputed_plugin_manifest_json};
  return &d;
}
extern "C" DISPUTED_PLUGIN_EXPORT disputed::sdk::Connector* disputed_plugin_create() {
  return nullptr;
}
extern "C" DISPUTED_PLUGIN_EXPORT void disputed_plugin_destroy(disputed::sdk::Connector*) {}

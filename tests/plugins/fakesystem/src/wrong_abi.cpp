// A plugin that claims another ABI major: the host must refuse it before creating anything.
#include "disputed/sdk/descriptor.hpp"
#include "disputed/sdk/plugin.hpp"

extern "C" DISPUTED_PLUGIN_EXPORT const disputed_plugin_descriptor* disputed_plugin_descriptor() {
  static const struct disputed_plugin_descriptor d = {sizeof(struct disputed_plugin_descriptor), 99,
                                                      0, DISPUTED_SDK_BUILD_FINGERPRINT,
                                                      disputed_plugin_manifest_json};
  return &d;
}
extern "C" DISPUTED_PLUGIN_EXPORT disputed::sdk::Connector* disputed_plugin_create() {
  return nullptr;
}
extern "C" DISPUTED_PLUGIN_EXPORT void disputed_plugin_destroy(disputed::sdk::Connector*) {}

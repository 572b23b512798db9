#pragma once
/// @file The one registration macro a plugin uses:
///
///   DISPUTED_CONNECTOR_PLUGIN(MyConnector)
///
/// in exactly one .cpp of the plugin, where MyConnector is default-constructible and derives
/// from disputed::sdk::Connector. The manifest text is embedded by the CMake function
/// add_connector_plugin(), which defines the symbol disputed_plugin_manifest_json.

#include <new>

#include "disputed/sdk/connector.hpp"
#include "disputed/sdk/descriptor.hpp"

/// Defined by add_connector_plugin(): the embedded manifest.json text.
extern "C" const char disputed_plugin_manifest_json[];

#if defined(_WIN32)
#define DISPUTED_PLUGIN_EXPORT __declspec(dllexport)
#else
#define DISPUTED_PLUGIN_EXPORT __attribute__((visibility("default")))
#endif

/// Exports the descriptor, a factory and a destroyer for `ConnectorType`. Construction failures
/// (std::bad_alloc or a throwing constructor) become a null pointer, never an exception.
#define DISPUTED_CONNECTOR_PLUGIN(ConnectorType)                                                   \
  extern "C" DISPUTED_PLUGIN_EXPORT const disputed_plugin_descriptor*                              \
  disputed_plugin_descriptor() {                                                                   \
    static const struct disputed_plugin_descriptor descriptor = {                                  \
        sizeof(struct disputed_plugin_descriptor), DISPUTED_SDK_ABI_MAJOR, DISPUTED_SDK_ABI_MINOR, \
        DISPUTED_SDK_BUILD_FINGERPRINT, disputed_plugin_manifest_json};                            \
    return &descriptor;                                                                            \
  }                                                                                                \
  extern "C" DISPUTED_PLUGIN_EXPORT ::disputed::sdk::Connector* disputed_plugin_create() {         \
    try {                                                                                          \
      return new ConnectorType();                                                                  \
    } catch (...) {                                                                                \
      return nullptr;                                                                              \
    }                                                                                              \
  }                                                                                                \
  extern "C" DISPUTED_PLUGIN_EXPORT void disputed_plugin_destroy(                                  \
      ::disputed::sdk::Connector* connector) {                                                     \
    delete connector;                                                                              \
  }

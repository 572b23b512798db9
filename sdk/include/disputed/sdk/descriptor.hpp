#pragma once
/// @file The C-layout descriptor every plugin exports, checked by the host before it creates
/// anything. Plain C types only: the host must be able to read it from a plugin built wrongly.

#include <cstdint>

#include "disputed/sdk/detail/fingerprint.hpp"
#include "disputed/sdk/version.hpp"

extern "C" {

/// Exported by every plugin as `disputed_plugin_descriptor` (a function returning a pointer to a
/// static instance). All strings are static, NUL-terminated, owned by the plugin.
struct disputed_plugin_descriptor {
  /// Size of this struct as the plugin saw it; lets later minors append fields.
  std::uint32_t struct_size;
  std::uint32_t abi_major;
  std::uint32_t abi_minor;
  /// Compiler, standard library, C++ level and SDK version the plugin was built with; must equal
  /// the host's (C++ types cross the boundary). See DISPUTED_SDK_BUILD_FINGERPRINT.
  const char* build_fingerprint;
  /// The plugin's manifest.json, embedded at build time; must equal the file beside the plugin.
  const char* manifest_json;
};

/// Signature of the exported descriptor function.
typedef const disputed_plugin_descriptor* (*disputed_plugin_descriptor_fn)();
}

/// The name of the exported descriptor function.
#define DISPUTED_PLUGIN_DESCRIPTOR_SYMBOL "disputed_plugin_descriptor"
/// The name of the exported factory function (see plugin.hpp).
#define DISPUTED_PLUGIN_CREATE_SYMBOL "disputed_plugin_create"
/// The name of the exported destroy function (see plugin.hpp).
#define DISPUTED_PLUGIN_DESTROY_SYMBOL "disputed_plugin_destroy"

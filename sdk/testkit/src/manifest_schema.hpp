#pragma once
// The plugin manifest's JSON Schema (configs/schemas/plugin-manifest.schema.json), compiled into
// the kit by cmake/embed_schema.cmake so the kit checks manifests by the same rules as the host
// and an installed kit needs no schema file at run time.

namespace disputed::sdk::testkit::detail {
extern const char kManifestSchema[];
}  // namespace disputed::sdk::testkit::detail

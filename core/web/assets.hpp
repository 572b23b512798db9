#pragma once
// The web app's files, compiled into the binary at build time (core/web/embed_assets.py): the
// app under /static/ and the pinned vendor files (Preact, htm, Pico CSS). Nothing is read from
// disk or downloaded at run time.

#include <span>
#include <string_view>

namespace disputed::web {

struct Asset {
  std::string_view path;          // "/static/app/main.js"
  std::string_view content_type;  // "text/javascript; charset=utf-8"
  std::string_view body;
  std::string_view etag;  // a quoted content hash
};

std::span<const Asset> assets();
/// "sha256-..." of the inline import map in index.html, for the Content-Security-Policy.
std::string_view import_map_hash();

}  // namespace disputed::web

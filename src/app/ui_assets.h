// The web UI's files (src/app/ui/), compiled into the binary by cmake/embed_ui.cmake: served
// from memory, nothing fetched from elsewhere (clusters are often air-gapped).
#pragma once

#include <span>
#include <string_view>

namespace zk::app {

struct UiAsset {
  std::string_view path;          // "/ui/index.html", "/ui/app.js", ...
  std::string_view content_type;  // by extension
  std::string_view body;
};

// Static storage: the views stay valid for the whole run.
std::span<const UiAsset> ui_assets();

}  // namespace zk::app

// Replaces a file whole or not at all: a temporary file beside it, written, synced, then
// renamed over it. Readers see the old content or the new, never a mix.
//
//   if (auto w = write_file_atomically("/etc/hosts", text); !w) die(w.error());
//   write_file_atomically(dir + "/tsig.key", key, 0600);   // exactly this mode
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include <tl/expected.hpp>

namespace zk::files {

// `mode`: the file's mode; nullopt keeps the existing file's mode and owner (0644 for a new
// file). Errors name the file and the failing step.
tl::expected<void, std::string> write_file_atomically(const std::string& path,
                                                      const std::string& text,
                                                      std::optional<mode_t> mode = std::nullopt);

// The whole file; nullopt when it does not exist.
tl::expected<std::optional<std::string>, std::string> read_file(const std::string& path);

}  // namespace zk::files

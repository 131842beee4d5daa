// The packing of JSON text kept in memory (the informer's cached objects, the status writer's
// queued bodies): common keys and constant values one byte each, and timestamps, 64-digit hex
// hashes and UUIDs in binary. pack_json gives an exactly sized string; unpack_json the text back,
// byte for byte (into `out`, replaced).
//
//   std::string p = pack_json(R"({"status":{"lastUpdated":"2026-12-07T11:19:00Z"}})");
//   std::string text; unpack_json(p, text);                   // the same text
#pragma once

#include <string>
#include <string_view>

namespace zk::kube {

std::string pack_json(std::string_view json);
void unpack_json(std::string_view packed, std::string& out);

}  // namespace zk::kube

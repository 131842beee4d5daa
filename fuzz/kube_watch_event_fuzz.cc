// libFuzzer target: the watch-stream decoder (newline-delimited JSON events), the error
// mapper that reads Status bodies and in-stream ERROR objects, and the compact Object packer.
// Any input must yield values or typed errors — never a crash, hang or sanitizer report.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "kube/error.h"
#include "kube/object.h"
#include "kube/packed_json.h"
#include "kube/watch_event.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  // Feed the stream in uneven pieces (as the network would) through a small line limit too.
  zk::kube::WatchEventDecoder decoder(size > 0 ? (size_t(data[0]) << 4) + 16 : 64);
  size_t step = size > 1 ? size_t(data[1] % 31) + 1 : 1;
  for (size_t i = 0; i < size; i += step) {
    decoder.feed(input.substr(i, step));
    while (auto ev = decoder.next()) {
      if (!*ev) continue;
      if ((*ev)->type == zk::kube::WatchEventType::Error) {
        (void)zk::kube::error_from_status((*ev)->object);
      } else {
        auto obj = zk::kube::Object::from_json((*ev)->object);
        if (obj) {
          (void)(*obj)->labels();
          (void)(*obj)->key();
          (void)(*obj)->parse();
        }
      }
    }
  }
  (void)decoder.pending_bytes();
  (void)zk::kube::decode_watch_event(input);
  (void)zk::kube::error_from_response(size > 2 ? 400 + data[2] % 200 : 500, input,
                                      input.substr(0, 4));
  // The packing gives back any text that serialized JSON could be (no raw control characters)
  // byte for byte.
  std::string text;
  for (char c : input) {
    if (static_cast<unsigned char>(c) >= 0x20) text.push_back(c);
  }
  std::string back;
  zk::kube::unpack_json(zk::kube::pack_json(text), back);
  if (back != text) std::abort();
  return 0;
}

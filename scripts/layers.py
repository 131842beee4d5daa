#!/usr/bin/python3
"""scripts/layers.py [SRC_DIR] — fail when an #include crosses a forbidden layer boundary.

The layers of src/ and the arrows each may follow (docs/architecture.md, "Layers"):

  pure      model, api, plan, sources, managed: only each other, downwards; no I/O headers (Asio,
            sockets, files, spdlog) and no telemetry
  edges     dns (wire format), http (HTTP client), files (atomic file replacement), kube
            (Kubernetes API client, over http), server (HTTP server): nothing of ours above
            them; providers: dns, files, http and model, no Kubernetes (no kube, no api)
  sequencer controller: the pure layers and providers, never a wire format (dns), the API
            client (kube) or the HTTP server
  wiring    app: anything
  ground    telemetry: used by every layer except the pure ones; includes nothing of ours

KNOWN_CROSSINGS lists the crossings that exist today and are scheduled to go (each with why);
a new one fails, and so does a listed one that no longer exists (keep the list honest).
Prints one line per violation and a summary; exit 1 on any."""
import os
import re
import sys

PURE_IO_HEADERS = re.compile(r"#include <(boost/asio|asio|sys/socket|fstream|spdlog|unistd)")
INCLUDE = re.compile(r'^\s*#\s*include\s+"(([a-z_]+)/[^"]+)"', re.M)

ALLOWED = {
    "telemetry": set(),
    "model": set(),
    "api": {"model"},
    "plan": {"model"},
    "managed": {"api", "model"},
    "sources": {"api", "model", "plan"},
    "dns": {"model", "telemetry"},
    "http": set(),
    "files": set(),
    "kube": {"http", "telemetry"},
    "server": {"telemetry"},
    "providers": {"dns", "files", "http", "model", "telemetry"},
    "controller": {"api", "managed", "model", "plan", "providers", "sources", "telemetry"},
    "app": None,  # the wiring may include anything
}
PURE = {"model", "api", "plan", "sources", "managed"}

# Single headers a layer may include although their layer is not among its arrows, with why.
VOCABULARY = {
    ("providers", "api/reasons.h"):
        "the condition reasons of docs/api.md (constants only): a provider maps its own errors "
        "to them (providers/provider.h, Failure)",
}

# (file, included layer): why it is still there.
KNOWN_CROSSINGS = {
}


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "src")
    src = os.path.normpath(src)
    root = os.path.dirname(src)
    problems, seen_known, files = [], set(), 0
    for layer in sorted(os.listdir(src)):
        layer_dir = os.path.join(src, layer)
        if not os.path.isdir(layer_dir):
            continue
        if layer not in ALLOWED:
            problems.append(f"src/{layer}: a layer this check does not know; add it to ALLOWED")
            continue
        for dirpath, _, names in os.walk(layer_dir):
            for name in sorted(names):
                if not name.endswith((".h", ".cc")):
                    continue
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, root)
                files += 1
                with open(path, encoding="utf-8") as f:
                    text = f.read()
                if layer in PURE and not name.endswith("_test.cc"):
                    for m in PURE_IO_HEADERS.finditer(text):
                        problems.append(f"{rel}: pure layer {layer} includes an I/O header ({m.group(0)})")
                allowed = ALLOWED[layer]
                if allowed is None:
                    continue
                for m in INCLUDE.finditer(text):
                    header, dep = m.group(1), m.group(2)
                    if (layer, header) in VOCABULARY:
                        continue
                    if dep == layer or dep not in ALLOWED or dep in allowed:
                        continue  # own layer, a library header ("boost/..."), or an allowed arrow
                    if (rel, dep) in KNOWN_CROSSINGS:
                        seen_known.add((rel, dep))
                        continue
                    line = text.count("\n", 0, m.start()) + 1
                    problems.append(f"{rel}:{line}: {layer} may not include {dep}/ "
                                    f"(allowed: {', '.join(sorted(allowed)) or 'nothing of ours'})")
    for (rel, dep), why in sorted(KNOWN_CROSSINGS.items()):
        if (rel, dep) not in seen_known:
            problems.append(f"{rel}: listed in KNOWN_CROSSINGS ({dep}) but no longer crosses: remove it")
    for p in problems:
        print(p)
    print(f"layers: {files} files checked, {len(KNOWN_CROSSINGS)} known crossing(s), "
          f"{len(problems)} violation(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

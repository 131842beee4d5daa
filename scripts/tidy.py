#!/usr/bin/env python3
"""clang-tidy-14 with the checked-in .clang-tidy over every C++ file of the project that the
build compiles (src/, tests/, bench/; not the CMake probes in cmake/ nor generated files).

    python3 scripts/tidy.py [--build build] [--jobs 2] [--cache DIR] [FILE...]

FILEs (paths under the checkout) narrow the run to those translation units.

Any finding fails the run (the config makes every check an error). A file that passed is
remembered under the hash of everything its compilation reads (ninja's dependency list:
the file, project and system headers), its compile command, the .clang-tidy and the
clang-tidy version (paths inside the checkout taken relative to it, so another clone shares the
cache); a later run looks again only at files whose inputs changed. Cache:
$XDG_CACHE_HOME/zonekeeper/tidy (default ~/.cache/zonekeeper/tidy).
"""
import argparse
import concurrent.futures
import hashlib
import json
import os
import shlex
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TIDY = "clang-tidy-14"
CHECKED = ("src/", "tests/", "bench/")


def object_of(entry):
    args = shlex.split(entry["command"])
    return args[args.index("-o") + 1]


def dependencies(build):
    """object path (relative to build) -> the files its compilation read, from `ninja -t deps`."""
    out = subprocess.run(["ninja", "-C", build, "-t", "deps"], check=True, capture_output=True,
                         text=True).stdout
    deps, current = {}, None
    for line in out.splitlines():
        if not line.strip():
            current = None
        elif not line.startswith(" "):
            current = line.split(":")[0]
            deps[current] = []
        elif current is not None:
            # Relative to the build directory when ccache rewrote the paths (CCACHE_BASEDIR, as
            # scripts/test.sh sets it): absolute, so that they open and hash as the same files.
            deps[current].append(os.path.normpath(os.path.join(build, line.strip())))
    return deps


class Hasher:
    def __init__(self):
        self.memo = {}

    def file(self, path):
        h = self.memo.get(path)
        if h is None:
            try:
                with open(path, "rb") as f:
                    h = hashlib.sha256(f.read()).hexdigest()
            except OSError:
                h = "missing"
            self.memo[path] = h
        return h


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--jobs", type=int, default=int(os.environ.get("ZK_JOBS", "2")))
    cache_home = os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache"))
    ap.add_argument("--cache", default=os.path.join(cache_home, "zonekeeper", "tidy"))
    ap.add_argument("files", nargs="*", help="only these files (default: all)")
    a = ap.parse_args()
    build = os.path.abspath(a.build)
    only = {os.path.abspath(f) for f in a.files}
    with open(os.path.join(build, "compile_commands.json")) as f:
        entries = [e for e in json.load(f)
                   if os.path.relpath(e["file"], ROOT).startswith(CHECKED)
                   and (not only or os.path.abspath(e["file"]) in only)]
    if only and len(entries) != len(only):
        sys.exit(f"tidy: not compiled by {build}: "
                 + " ".join(sorted(only - {os.path.abspath(e['file']) for e in entries})))
    deps = dependencies(build)
    version = subprocess.run([TIDY, "--version"], check=True, capture_output=True,
                             text=True).stdout
    with open(os.path.join(ROOT, ".clang-tidy"), "rb") as f:
        config = f.read()
    hasher = Hasher()
    os.makedirs(a.cache, exist_ok=True)

    todo = []
    for e in entries:
        obj = object_of(e)
        read = deps.get(obj)
        if read is None:
            sys.exit(f"tidy: no dependency list for {obj}: build first (ninja -C {build})")
        # Paths inside the checkout count relative to it: CI builds a fresh clone elsewhere.
        command = e["command"].replace(ROOT, "<root>")
        h = hashlib.sha256(version.encode() + config + command.encode())
        for rooted, path in sorted((p.replace(ROOT, "<root>"), p) for p in read):
            h.update(rooted.encode() + b"\0" + hasher.file(path).encode())
        stamp = os.path.join(a.cache, h.hexdigest())
        if not os.path.exists(stamp):
            todo.append((e["file"], stamp))

    print(f"tidy: {len(entries)} files, {len(entries) - len(todo)} unchanged since they passed, "
          f"{len(todo)} to check ({a.jobs} at a time)", flush=True)

    def check(item):
        path, stamp = item
        # The commands are g++-12's: clang does not know some of its warning options.
        r = subprocess.run([TIDY, "-p", build, "--quiet", "--extra-arg=-Wno-unknown-warning-option",
                            path], capture_output=True, text=True)
        if r.returncode == 0:
            with open(stamp, "w"):
                pass
        return path, r

    t0, failed = time.monotonic(), []
    with concurrent.futures.ThreadPoolExecutor(max(1, a.jobs)) as pool:
        for path, r in pool.map(check, todo):
            if r.returncode != 0:
                failed.append(path)
                # Only the findings: not clang-tidy's "N warnings generated" chatter.
                print(r.stdout, end="")
                print("\n".join(line for line in r.stderr.splitlines()
                                if "warnings generated" not in line and
                                "Suppressed" not in line and "Use -header-filter" not in line
                                and "with check filters" not in line and line.strip()))
    print(f"tidy: {len(todo) - len(failed)} passed, {len(failed)} failed in "
          f"{time.monotonic() - t0:.0f} s" + (": " + " ".join(
              os.path.relpath(p, ROOT) for p in failed) if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

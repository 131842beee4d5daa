"""The metrics catalog (docs/metrics.md) and promtool, for the tests that scrape a live /metrics.

    import metrics_catalog as mc
    mc.check_with_promtool(text)          # `promtool check metrics`: no lint problem
    mc.assert_matches_catalog(text, "C")  # the scrape declares exactly the catalog's families

promtool is built once from the Go module proxy by tools/promtool/build.sh (cached by version);
the first call here runs it (idempotent, a few seconds when cached).
"""
import os
import re
import subprocess

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
_PROMTOOL = []


def promtool():
    if not _PROMTOOL:
        out = subprocess.run(["bash", os.path.join(REPO, "tools", "promtool", "build.sh")],
                             check=True, capture_output=True, text=True).stdout
        _PROMTOOL.append(out.strip().splitlines()[-1])
    return _PROMTOOL[0]


def check_with_promtool(text):
    """`promtool check metrics` on a scrape: exit 0 and nothing said (it lints naming, HELP,
    units and the exposition syntax)."""
    assert text.strip(), "empty scrape"  # promtool accepts empty input
    p = subprocess.run([promtool(), "check", "metrics"], input=text, capture_output=True,
                       text=True, timeout=60)
    said = (p.stdout + p.stderr).strip()
    assert p.returncode == 0 and not said, f"promtool check metrics (rc {p.returncode}): {said}"


def catalog():
    """docs/metrics.md's table: family → {"type", "labels", "modes", "moves"}."""
    rows = {}
    with open(os.path.join(REPO, "docs", "metrics.md")) as f:
        for line in f:
            m = re.match(r"\|\s*`([a-z_:]+)`\s*\|\s*(\w+)\s*\|([^|]*)\|\s*([CL ]+?)\s*\|\s*(.*?)\s*\|$",
                         line.rstrip())
            if not m:
                continue
            name, mtype, labels, modes, meaning = m.groups()
            rows[name] = {"type": mtype,
                          "labels": sorted(l.strip() for l in labels.split(",") if l.strip()),
                          "modes": set(modes.split()),
                          "moves": meaning.startswith("*moves*")}
    assert len(rows) >= 20, f"docs/metrics.md: only {len(rows)} catalog rows parsed"
    return rows


def declared(text):
    """family → TYPE, from a scrape's # TYPE lines."""
    return {m.group(1): m.group(2)
            for m in re.finditer(r"^# TYPE (\S+) (\S+)$", text, re.MULTILINE)}


def label_names(text, family):
    """The label names used by the samples of a family (histogram series: without `le`)."""
    names = set()
    for m in re.finditer(r"^" + re.escape(family) + r"(?:_bucket|_sum|_count)?\{([^}]*)\}",
                         text, re.MULTILINE):
        names |= {kv.split("=", 1)[0] for kv in re.findall(r'(\w+)="', m.group(1))}
    names.discard("le")
    return names


def assert_matches_catalog(text):
    """The scrape declares exactly the catalog's families, each with its type, and its samples
    carry exactly the catalog's label names."""
    cat, have = catalog(), declared(text)
    assert set(have) == set(cat), (f"declared but not in docs/metrics.md: {sorted(set(have) - set(cat))}; "
                                   f"in docs/metrics.md but not declared: {sorted(set(cat) - set(have))}")
    for name, row in cat.items():
        assert have[name] == row["type"], f"{name}: TYPE {have[name]}, docs/metrics.md says {row['type']}"
        used = label_names(text, name)
        assert not used or sorted(used) == row["labels"], \
            f"{name}: labels {sorted(used)}, docs/metrics.md says {row['labels']}"


def totals(text):
    """family → the sum of its samples (histograms: their _count), for "did it move"."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = re.match(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)", line)
        if not m:
            continue
        name, value = m.group(1), float(m.group(3))
        if name.endswith("_bucket") or name.endswith("_sum"):
            continue
        if name.endswith("_count"):
            name = name[: -len("_count")]
        out[name] = out.get(name, 0.0) + value
    return out

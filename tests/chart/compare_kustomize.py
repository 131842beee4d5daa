#!/usr/bin/python3
"""compare_kustomize.py KUSTOMIZE.yaml CHART.yaml

deploy/ (kustomize) and charts/zonekeeper with its default values render the same objects.
"Same" means: the same set of (kind, namespace, name), and each object equal field by field
after removing what only one side has by design:
  - the Namespace object (kustomize creates zonekeeper-system; helm installs into a
    namespace it is given, `--create-namespace` or an existing one);
  - Helm's own labels (app.kubernetes.io/managed-by, app.kubernetes.io/instance, helm.sh/chart);
  - the kustomize labels transformer's app.kubernetes.io/part-of on CRDs (the chart's crds/
    are byte copies of deploy/crds, checked separately).
Prints each difference; exits 1 if there is one."""
import sys

import yaml

HELM_LABELS = {"app.kubernetes.io/managed-by", "app.kubernetes.io/instance", "helm.sh/chart"}


def objects(path):
    with open(path) as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    out = {}
    for d in docs:
        if d["kind"] == "Namespace":
            continue
        meta = d["metadata"]
        labels = {k: v for k, v in (meta.get("labels") or {}).items() if k not in HELM_LABELS}
        if d["kind"] == "CustomResourceDefinition":
            labels.pop("app.kubernetes.io/part-of", None)
        if labels:
            meta["labels"] = labels
        else:
            meta.pop("labels", None)
        key = (d["kind"], meta.get("namespace", ""), meta["name"])
        if key in out:
            raise SystemExit(f"{path}: {key} twice")
        out[key] = d
    return out


def diff(a, b, path=""):
    if type(a) is not type(b):
        return [f"{path}: {a!r} != {b!r}"]
    if isinstance(a, dict):
        out = []
        for k in sorted(set(a) | set(b), key=str):
            if k not in a:
                out.append(f"{path}.{k}: only in the chart")
            elif k not in b:
                out.append(f"{path}.{k}: only in kustomize")
            else:
                out += diff(a[k], b[k], f"{path}.{k}")
        return out
    if isinstance(a, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} items != {len(b)} items"]
        out = []
        for i, (x, y) in enumerate(zip(a, b)):
            out += diff(x, y, f"{path}[{i}]")
        return out
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]


def main():
    k, c = objects(sys.argv[1]), objects(sys.argv[2])
    problems = [f"{key}: only in kustomize" for key in sorted(set(k) - set(c))]
    problems += [f"{key}: only in the chart" for key in sorted(set(c) - set(k))]
    for key in sorted(set(k) & set(c)):
        problems += [f"{key}{d}" for d in diff(k[key], c[key])]
    for p in problems:
        print(p)
    print(f"{len(k)} objects compared, {len(problems)} differences")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()

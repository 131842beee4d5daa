"""deploy/monitoring: the alert rules pass `promtool check rules` and their unit tests
(`promtool test rules`), every alert has a firing and a silent case, the Grafana dashboard's
queries parse as PromQL, and every series a rule or a panel names is in docs/metrics.md; the
generated files (PrometheusRule, dashboard ConfigMap, the chart's copies) are up to date."""
import json
import os
import re
import subprocess
import sys

import pytest
import yaml

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MON = os.path.join(REPO, "deploy", "monitoring")
sys.path.insert(0, os.path.join(REPO, "tests", "support"))
import metrics_catalog as mc  # noqa: E402

RULES = os.path.join(MON, "alerts.rules.yaml")
TESTS = os.path.join(MON, "alerts.test.yaml")
# Series Prometheus itself makes, not zonekeeper.
PROMETHEUS_OWN = {"up"}


def promtool(*args, cwd=MON):
    p = subprocess.run([mc.promtool(), *args], capture_output=True, text=True, cwd=cwd, timeout=120)
    return p.returncode, p.stdout + p.stderr


def rules():
    with open(RULES) as f:
        return [r for g in yaml.safe_load(f)["groups"] for r in g["rules"]]


def dashboard_queries():
    with open(os.path.join(MON, "dashboard.json")) as f:
        dash = json.load(f)
    return [(p["title"], t["expr"]) for p in dash["panels"] for t in p["targets"]]


def series_named(expr):
    """The metric names an expression reads: zonekeeper_*, process_* and Prometheus' own."""
    stripped = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # label values are not names
    names = set(re.findall(r"\b(?:zonekeeper|process)_[a-z_]+\b", stripped))
    names |= {n for n in PROMETHEUS_OWN if re.search(r"\b" + n + r"\b\s*[{\[]", stripped)}
    return names


def family_of(name, catalog):
    if name in catalog or name in PROMETHEUS_OWN:
        return name
    for suffix in ("_bucket", "_sum", "_count"):
        base = name[: -len(suffix)] if name.endswith(suffix) else None
        if base and catalog.get(base, {}).get("type") == "histogram":
            return base
    return None


def test_rules_pass_promtool_check():
    rc, out = promtool("check", "rules", RULES)
    assert rc == 0, out
    assert "SUCCESS" in out and f"{len(rules())} rules found" in out, out


def test_rule_unit_tests_pass():
    rc, out = promtool("test", "rules", TESTS)
    assert rc == 0 and "SUCCESS" in out, out


def test_every_alert_has_a_firing_and_a_silent_case():
    with open(TESTS) as f:
        cases = [c for t in yaml.safe_load(f)["tests"] for c in t.get("alert_rule_test", [])]
    for r in rules():
        mine = [c for c in cases if c["alertname"] == r["alert"]]
        assert any(c.get("exp_alerts") for c in mine), f"{r['alert']}: no case where it fires"
        assert any(not c.get("exp_alerts") for c in mine), f"{r['alert']}: no case where it stays silent"


def test_alerts_have_severity_and_summary():
    for r in rules():
        assert r["labels"]["severity"] in ("critical", "warning", "info"), r["alert"]
        assert r["annotations"].get("summary") and r["annotations"].get("description"), r["alert"]


@pytest.mark.parametrize("source", ["rules", "dashboard"])
def test_every_series_named_is_in_the_catalog(source):
    catalog = mc.catalog()
    exprs = ([(r["alert"], r["expr"]) for r in rules()] if source == "rules"
             else dashboard_queries())
    assert exprs
    for what, expr in exprs:
        names = series_named(expr)
        assert names, f"{what}: names no series: {expr}"
        unknown = sorted(n for n in names if not family_of(n, catalog))
        assert not unknown, f"{what}: not in docs/metrics.md: {unknown}"


def test_dashboard_queries_parse_as_promql(tmp_path):
    # Grafana's $__rate_interval is not PromQL: the check sees what Grafana sends.
    groups = [{"name": "dashboard", "rules": [
        {"record": f"zonekeeper_dashboard:query{i}", "expr": expr.replace("$__rate_interval", "5m")}
        for i, (_, expr) in enumerate(dashboard_queries())]}]
    path = tmp_path / "dashboard.rules.yaml"
    path.write_text(yaml.safe_dump({"groups": groups}))
    rc, out = promtool("check", "rules", str(path))
    assert rc == 0, out
    assert f"{len(dashboard_queries())} rules found" in out, out


def test_dashboard_panels_have_unique_ids_and_the_datasource_variable():
    with open(os.path.join(MON, "dashboard.json")) as f:
        dash = json.load(f)
    ids = [p["id"] for p in dash["panels"]]
    assert len(ids) == len(set(ids))
    assert [v["name"] for v in dash["templating"]["list"]] == ["datasource"]
    for p in dash["panels"]:
        assert p["datasource"]["uid"] == "${datasource}", p["title"]


def test_generated_files_are_up_to_date():
    p = subprocess.run([sys.executable, os.path.join(MON, "generate.py"), "--check"],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    with open(os.path.join(MON, "prometheusrule.yaml")) as f:
        pr = yaml.safe_load(f)
    with open(RULES) as f:
        assert pr["spec"]["groups"] == yaml.safe_load(f)["groups"]
    with open(os.path.join(MON, "grafana-dashboard-configmap.yaml")) as f:
        cm = yaml.safe_load(f)
    assert cm["metadata"]["labels"]["grafana_dashboard"] == "1"
    with open(os.path.join(MON, "dashboard.json")) as f:
        assert json.loads(cm["data"]["zonekeeper.json"]) == json.load(f)

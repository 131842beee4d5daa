#!/usr/bin/env python3
"""Writes deploy/monitoring's generated files from their sources, and the chart's copies:

  dashboard.json                     the Grafana dashboard (its panels are defined below)
  prometheusrule.yaml                alerts.rules.yaml as a prometheus-operator PrometheusRule
  grafana-dashboard-configmap.yaml   dashboard.json in a ConfigMap labelled grafana_dashboard
                                     (the Grafana sidecar's default label)
  ../../charts/zonekeeper/files/{alerts.rules.yaml,dashboard.json}   byte copies for the chart

`generate.py --check` writes nothing and fails when a file differs from what it would write
(tests/monitoring runs it). Every query names series of docs/metrics.md (tests/monitoring checks
that too, and that each parses as PromQL).
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CHART_FILES = os.path.join(HERE, "..", "..", "charts", "zonekeeper", "files")
DS = {"type": "prometheus", "uid": "${datasource}"}
RATE = "$__rate_interval"


def panel(pid, title, kind, targets, x, y, w=12, h=8, unit=None, description="", options=None,
          field_config=None):
    p = {"id": pid, "type": kind, "title": title, "description": description, "datasource": DS,
         "gridPos": {"x": x, "y": y, "w": w, "h": h},
         "targets": [dict(refId=chr(ord("A") + i), datasource=DS, expr=e, legendFormat=l,
                          **({"format": "heatmap"} if kind == "heatmap" else {}))
                     for i, (e, l) in enumerate(targets)]}
    fc = {"defaults": {}, "overrides": []}
    if unit:
        fc["defaults"]["unit"] = unit
    if field_config:
        fc["defaults"].update(field_config)
    p["fieldConfig"] = fc
    if options:
        p["options"] = options
    return p


def dashboard():
    panels = [
        panel(1, "Records managed", "stat",
              [('sum(zonekeeper_records{state="Served"})', "served"),
               ('sum(zonekeeper_records{state!="Served"})', "not served")],
              0, 0, w=6, h=5, description="Record objects of every DNSZone, by Ready state."),
        panel(2, "Zones", "stat", [("max(zonekeeper_zones)", "zones")], 6, 0, w=3, h=5),
        panel(3, "Leader", "stat", [("sum(zonekeeper_leader)", "leaders")], 9, 0, w=3, h=5,
              description="Replicas holding the leader Lease: 1 is right."),
        panel(4, "Queue depth", "timeseries",
              [("max by (instance) (zonekeeper_queue_depth)", "{{instance}}")], 12, 0, w=12, h=5),
        panel(5, "DNS operation rate", "timeseries",
              [(f"sum by (server, operation) (rate(zonekeeper_dns_operations_total[{RATE}]))",
                "{{server}} {{operation}}")], 0, 5, unit="ops"),
        panel(6, "DNS operation latency p95", "timeseries",
              [("histogram_quantile(0.95, sum by (le, server, operation) "
                f"(rate(zonekeeper_dns_operation_duration_seconds_bucket[{RATE}])))",
                "{{server}} {{operation}}")], 12, 5, unit="s"),
        panel(7, "Reconcile latency", "heatmap",
              [(f"sum by (le) (rate(zonekeeper_reconcile_duration_seconds_bucket[{RATE}]))",
                "{{le}}")], 0, 13, options={"calculate": False, "yAxis": {"unit": "s"}}),
        panel(8, "Error rate", "timeseries",
              [(f'sum by (kind) (rate(zonekeeper_reconciles_total{{result="error"}}[{RATE}])) '
                f"/ sum by (kind) (rate(zonekeeper_reconciles_total[{RATE}]))", "reconcile {{kind}}"),
               (f'sum by (server) (rate(zonekeeper_dns_operations_total{{result!="success"}}[{RATE}])) '
                f"/ sum by (server) (rate(zonekeeper_dns_operations_total[{RATE}]))", "dns {{server}}")],
              12, 13, unit="percentunit"),
        panel(9, "Errors by reason", "timeseries",
              [(f"sum by (kind, reason) (rate(zonekeeper_reconcile_errors_total[{RATE}]))",
                "{{kind}} {{reason}}"),
               (f'sum by (server, result) (rate(zonekeeper_dns_operations_total{{result!="success"}}[{RATE}]))',
                "{{server}} {{result}}")], 0, 21, unit="ops"),
        panel(10, "Top namespaces by record objects", "bargauge",
              [('topk(10, sum by (namespace) (label_replace(zonekeeper_records, "namespace", "$1", '
                '"zone", "([^/]+)/.*")))', "{{namespace}}")], 12, 21,
              options={"orientation": "horizontal", "displayMode": "basic"}),
        panel(11, "Drift found", "timeseries",
              [(f"sum by (zone) (increase(zonekeeper_drift_found_total[{RATE}]))", "{{zone}}")],
              0, 29),
        panel(12, "Kubernetes API requests", "timeseries",
              [(f"sum by (verb, code) (rate(zonekeeper_kube_requests_total[{RATE}]))",
                "{{verb}} {{code}}")], 12, 29, unit="reqps"),
        panel(13, "Source endpoints", "timeseries",
              [("sum by (state) (zonekeeper_source_endpoints)", "{{state}}")], 0, 37,
              description="Endpoints of Ingress, IngressRoute, HTTPRoute and DNSEndpoint objects."),
        panel(14, "Memory (resident)", "timeseries",
              [("max by (instance) (process_resident_memory_bytes)", "{{instance}} RSS")], 12, 37,
              unit="bytes"),
        panel(15, "Change to UPDATE acknowledged", "timeseries",
              [("histogram_quantile(0.5, sum by (le) "
                f"(rate(zonekeeper_change_apply_seconds_bucket[{RATE}])))", "p50"),
               ("histogram_quantile(0.99, sum by (le) "
                f"(rate(zonekeeper_change_apply_seconds_bucket[{RATE}])))", "p99"),
               ("histogram_quantile(0.99, sum by (le, kind) "
                f"(rate(zonekeeper_queue_wait_seconds_bucket[{RATE}])))", "queue wait p99 {{kind}}")],
              0, 45, unit="s",
              description="From a DNSZone or record change reaching the controller to every "
                          "Primary acknowledging it, and how long work waited in the queue."),
    ]
    return {
        "title": "zonekeeper",
        "uid": "zonekeeper",
        "description": "zonekeeper: records served, DNS operations, reconciles, errors "
                       "(series: docs/metrics.md)",
        "tags": ["zonekeeper", "dns"],
        "schemaVersion": 39,
        "version": 1,
        "editable": True,
        "time": {"from": "now-6h", "to": "now"},
        "refresh": "30s",
        "templating": {"list": [{"name": "datasource", "type": "datasource", "query": "prometheus",
                                 "label": "Data source"}]},
        "panels": panels,
    }


def indent(text, n):
    return "".join((" " * n + line if line.strip() else line) for line in text.splitlines(True))


def outputs():
    with open(os.path.join(HERE, "alerts.rules.yaml")) as f:
        rules = f.read()
    dash = json.dumps(dashboard(), indent=2, sort_keys=False) + "\n"
    body = rules[rules.index("groups:"):]
    rule = ("# Generated by deploy/monitoring/generate.py from alerts.rules.yaml: edit that.\n"
            "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata:\n"
            "  name: zonekeeper\n  namespace: zonekeeper-system\n"
            "  labels:\n    app.kubernetes.io/name: zonekeeper\nspec:\n" + indent(body, 2))
    cm = ("# Generated by deploy/monitoring/generate.py (the dashboard is defined there).\n"
          "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: zonekeeper-dashboard\n"
          "  namespace: zonekeeper-system\n  labels:\n    app.kubernetes.io/name: zonekeeper\n"
          '    grafana_dashboard: "1"\ndata:\n  zonekeeper.json: |\n' + indent(dash, 4))
    return {
        os.path.join(HERE, "dashboard.json"): dash,
        os.path.join(HERE, "prometheusrule.yaml"): rule,
        os.path.join(HERE, "grafana-dashboard-configmap.yaml"): cm,
        os.path.join(CHART_FILES, "alerts.rules.yaml"): rules,
        os.path.join(CHART_FILES, "dashboard.json"): dash,
    }


def main():
    check = "--check" in sys.argv[1:]
    stale = []
    for path, text in outputs().items():
        have = open(path).read() if os.path.exists(path) else None
        if have == text:
            continue
        if check:
            stale.append(os.path.relpath(path, os.path.join(HERE, "..", "..")))
        else:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(text)
    if stale:
        print("stale (run deploy/monitoring/generate.py): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

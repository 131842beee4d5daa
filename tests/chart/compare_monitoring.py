"""The chart's PrometheusRule and dashboard ConfigMap (helm template with prometheusRule and
grafanaDashboard enabled, a custom rule label) carry deploy/monitoring's alerts.rules.yaml and
dashboard.json unchanged. Usage: compare_monitoring.py RENDERED.yaml DEPLOY_MONITORING_DIR"""
import json
import os
import sys

import yaml

docs = {d["kind"]: d for d in yaml.safe_load_all(open(sys.argv[1])) if d}
rules = yaml.safe_load(open(os.path.join(sys.argv[2], "alerts.rules.yaml")))
pr, cm = docs["PrometheusRule"], docs["ConfigMap"]
assert pr["spec"]["groups"] == rules["groups"], "PrometheusRule groups differ from alerts.rules.yaml"
assert pr["metadata"]["labels"]["release"] == "kps", pr["metadata"]["labels"]
assert cm["metadata"]["labels"]["grafana_dashboard"] == "1", cm["metadata"]["labels"]
want = json.load(open(os.path.join(sys.argv[2], "dashboard.json")))
assert json.loads(cm["data"]["zonekeeper.json"]) == want, "dashboard ConfigMap differs from dashboard.json"
with open(sys.argv[1].replace(".yaml", "-cm.yaml"), "w") as f:
    yaml.safe_dump(cm, f)

"""The web UI in a real browser (Debian's Chromium driven by playwright-core, tests/e2e/ui/):
the example records in the table, filtering, a kubectl apply seen live (table and event stream,
no reload), resync refused without a token (401) or without RBAC (403) and allowed to an
operator, a record created and deleted from the page changing what BIND answers. Screenshots go
to $ZK_BUILD_DIR/ui-screenshots (a CI artifact). The same access rules over plain HTTP below."""
import json
import os
import subprocess

import pytest

import zkenv

NS = "dns-example"
ZONE = "example.test"
UI_DIR = os.path.join(zkenv.REPO, "tests", "e2e", "ui")


@pytest.fixture(scope="module")
def tokens(kube):
    return {"viewer": kube.ui_token("e2e-ui-viewer", "zonekeeper-ui-viewer"),
            "operator": kube.ui_token("e2e-ui-operator", "zonekeeper-ui-operator"),
            "nobody": kube.ui_token("e2e-ui-nobody")}


def test_the_page_in_chromium(kube, examples, zk, controller, primary, tokens):
    zk.wait_cond("ARecord", "www", NS, "True", "Served")
    install = subprocess.run(["bash", os.path.join(UI_DIR, "install.sh")], capture_output=True, text=True)
    assert install.returncode == 0, install.stderr
    shots = os.path.join(zkenv.BUILD_DIR, "ui-screenshots")
    env = dict(os.environ,
               ZK_UI_URL=f"http://127.0.0.1:{controller.port}/ui",
               ZK_TOKEN_VIEWER=tokens["viewer"], ZK_TOKEN_OPERATOR=tokens["operator"],
               ZK_TOKEN_NOBODY=tokens["nobody"],
               ZK_NS=NS, ZK_ZONE=ZONE, ZK_ZONE_OBJECT=f"{NS}/example-test",
               ZK_LABELS=json.dumps({"dns.example/zone": "example.test"}),
               ZK_DNS_PORT=str(primary.port),
               ZK_KUBECTL=kube.kubectl_bin, ZK_KUBECONFIG=kube.kubeconfig, ZK_SHOTS=shots)
    try:
        p = subprocess.run(["node", os.path.join(UI_DIR, "ui_test.mjs")], env=env, capture_output=True,
                           text=True, timeout=300)
    finally:
        kube.kubectl("delete", "arecords.dns.zonekeeper.io", "live", "ui-made", "-n", NS, "--ignore-not-found")
    print(p.stdout)
    assert p.returncode == 0, f"{p.stdout}\n{p.stderr}"
    steps = [json.loads(line)["step"] for line in p.stdout.splitlines() if line.startswith("{")]
    assert steps[-1] == "only the controller was asked", steps
    for shot in ("ui-no-token.png", "ui-records.png", "ui-live.png", "ui-refused.png", "ui-created.png"):
        assert os.path.getsize(os.path.join(shots, shot)) > 10000, shot


def test_every_api_read_needs_a_token_and_the_right(controller, tokens):
    for path in ("/api/v1/status", "/api/v1/zones", "/api/v1/records", "/api/v1/export",
                 "/api/v1/test-dns?hostname=www.example.test", "/api/v1/events"):
        status, body, ctype = controller.http(path, token="")
        assert status == 401 and ctype == "application/json", (path, status, body)
        assert "bearer token is needed" in json.loads(body)["error"]
        status, body, _ = controller.http(path, token="not-a-token")
        assert status == 401, (path, status, body)
        status, body, _ = controller.http(path, token=tokens["nobody"])
        assert status == 403, (path, status, body)
        assert "e2e-ui-nobody may not list dnszones.dns.zonekeeper.io in all namespaces" in \
            json.loads(body)["error"]
        assert tokens["nobody"] not in body
    # The page's own files need nothing, and say where they may load from.
    status, body, ctype = controller.http("/ui", token="")
    assert status == 200 and ctype.startswith("text/html") and "/ui/app.js" in body


def test_records_and_zones_documents(controller, examples, zk, tokens):
    zk.wait_cond("ARecord", "www", NS, "True", "Served")
    status, body, _ = controller.http("/api/v1/records", token=tokens["viewer"])
    assert status == 200
    doc = json.loads(body)
    assert doc["count"] == len(doc["records"])
    www = [r for r in doc["records"] if r["name"] == "www.example.test." and r["type"] == "A"]
    assert www == [{"name": "www.example.test.", "type": "A", "ttl": 300,
                    "values": ["192.0.2.10", "192.0.2.11"], "zone": "example.test.",
                    "zoneSource": f"DNSZone {NS}/example-test",
                    "servers": [f"{NS}/bind-primary", f"{NS}/bind-secondary"],
                    "status": "True", "reason": "Served", "message": www[0]["message"],
                    "owner": "", "description": "",
                    "source": {"kind": "ARecord", "namespace": NS, "name": "www"}}], www
    status, body, _ = controller.http("/api/v1/zones", token=tokens["viewer"])
    zones = {f"{z['namespace']}/{z['name']}": z for z in json.loads(body)["zones"]}
    z = zones[f"{NS}/example-test"]
    assert z["recordLabels"] == {"dns.example/zone": "example.test"}
    assert z["recordTargets"] == [{"namespace": NS, "labels": {"dns.example/zone": "example.test"}}]
    assert z["ready"]["status"] == "True"


def test_actions_over_http(controller, kube, examples, tokens):
    # Resync of one zone, all zones; a zone that does not exist; a body that is not one.
    st, body, _ = controller.http("/api/v1/resync", token=tokens["operator"], method="POST",
                                  body={"zone": f"{NS}/example-test"})
    assert (st, json.loads(body)) == (202, {"queued": 1}), body
    st, body, _ = controller.http("/api/v1/resync", token=tokens["operator"], method="POST",
                                  body={"zone": f"{NS}/nothing"})
    assert st == 404 and json.loads(body)["error"] == f"no DNSZone {NS}/nothing"
    st, body, _ = controller.http("/api/v1/resync", token=tokens["operator"], method="POST", body=[1])
    assert st == 400, body
    st, _, _ = controller.http("/api/v1/resync", token=tokens["operator"])  # GET
    assert st == 405
    # A record create the caller may not do is refused before the API server is asked; one
    # it may do is made as the caller (the API server's own validation applies).
    bad = {"kind": "ARecord", "metadata": {"name": "ui-bad", "namespace": NS},
           "spec": {"name": "bad", "ipv4Addresses": ["not-an-address"]}}
    st, body, _ = controller.http("/api/v1/records", token=tokens["viewer"], method="POST", body=bad)
    assert st == 403 and "may not create arecords.dns.zonekeeper.io in namespace dns-example" in body
    st, body, _ = controller.http("/api/v1/records", token=tokens["operator"], method="POST", body=bad)
    assert st == 422, body  # the CRD's schema refused it: the API server's answer, passed on
    st, body, _ = controller.http("/api/v1/records?kind=ARecord&namespace=dns-example&name=nothing",
                                  token=tokens["operator"], method="DELETE")
    assert st == 404, body
    st, body, _ = controller.http("/api/v1/records?kind=Secret&namespace=dns-example&name=tsig",
                                  token=tokens["operator"], method="DELETE")
    assert st == 400, body

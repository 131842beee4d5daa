"""Issue 17 (seed 003 §11.1, §11.4): cert-manager Certificates. A real cert-manager controller
(tools/cert-manager: built from its Go module, with that release's CRDs) issues them on the test
bed's API server; zonekeeper — `--wildcard-certificate`, which implies `--watch-certificates` —
keeps a wildcard Certificate for a shared zone, exports every Certificate's readiness and expiry
as metrics, and says in Warning Events when one is not Ready for too long or expires soon."""
import base64
import calendar
import datetime
import os
import subprocess
import tempfile

import pytest

import zkenv
from conftest import SOURCE_SERVER_NS
from zkenv import wait_for

NS = "e2e-certs"        # --certificate-namespace: where the wildcard Certificate is kept
APPS = "e2e-certs-apps"  # users' Certificates
ZONE = "certs.test"      # a shared zone of the controller under test (conftest SHARED_ZONES)
WILDCARD = f"wildcard.{ZONE}"
OWNER = "e2e-certs"
CERTS = "certificates.cert-manager.io"
CM_NS = "cert-manager"   # the cert-manager controller's cluster resource namespace


def epoch(rfc3339):
    return calendar.timegm(datetime.datetime.strptime(rfc3339, "%Y-%m-%dT%H:%M:%SZ").timetuple())


def ready(obj):
    return bool(obj) and any(c.get("type") == "Ready" and c.get("status") == "True"
                             for c in (obj.get("status") or {}).get("conditions") or [])


def certificate(name, ns, dns_names, issuer_kind, issuer_name, **spec):
    return {"apiVersion": "cert-manager.io/v1", "kind": "Certificate",
            "metadata": {"name": name, "namespace": ns},
            "spec": {"secretName": f"{name}-tls", "dnsNames": dns_names,
                     "issuerRef": {"kind": issuer_kind, "name": issuer_name, "group": "cert-manager.io"},
                     **spec}}


@pytest.fixture(scope="module")
def cert_manager(kube, workdir):
    """cert-manager's CRDs and its controller (as the admin: it is not ours to restrict), with a
    self-signed ClusterIssuer, a CA Certificate it signs and a CA ClusterIssuer `e2e-ca` of it."""
    out = zkenv.run(["bash", os.path.join(zkenv.REPO, "tools/cert-manager/build.sh"), "--dir"],
                    timeout=1800).stdout
    cm_dir = out.strip().splitlines()[-1]
    kube.kubectl("apply", "--server-side", "--force-conflicts", "--field-manager=zk-e2e",
                 "-f", os.path.join(cm_dir, "crds.yaml"))
    kube.kubectl("wait", "--for", "condition=established", "--timeout=120s",
                 *[f"crd/{c}.cert-manager.io" for c in ("certificates", "certificaterequests", "issuers",
                                                        "clusterissuers")])
    kube.namespace(CM_NS, secret_reader=False)
    log_path = os.path.join(workdir, "cert-manager.log")
    with open(log_path, "a") as logf:
        proc = subprocess.Popen([os.path.join(cm_dir, "cert-manager-controller"), "--kubeconfig", kube.kubeconfig,
                                 "--cluster-resource-namespace", CM_NS],
                                stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                preexec_fn=zkenv._die_with_parent)
    zkenv.Controller.running_logs.append(log_path)
    try:
        kube.apply([
            {"apiVersion": "cert-manager.io/v1", "kind": "ClusterIssuer", "metadata": {"name": "e2e-selfsigned"},
             "spec": {"selfSigned": {}}},
            {"apiVersion": "cert-manager.io/v1", "kind": "Certificate", "metadata": {"name": "e2e-ca", "namespace": CM_NS},
             "spec": {"isCA": True, "commonName": "e2e-ca", "secretName": "e2e-ca",
                      "privateKey": {"algorithm": "ECDSA", "size": 256},
                      "issuerRef": {"kind": "ClusterIssuer", "name": "e2e-selfsigned", "group": "cert-manager.io"}}},
            {"apiVersion": "cert-manager.io/v1", "kind": "ClusterIssuer", "metadata": {"name": "e2e-ca"},
             "spec": {"ca": {"secretName": "e2e-ca"}}},
        ])
        wait_for(lambda: proc.poll() is None and ready(kube.get("clusterissuers.cert-manager.io", "e2e-ca")),
                 timeout=120, desc="the CA ClusterIssuer is Ready (cert-manager issued its CA)")
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        zkenv.Controller.running_logs.remove(log_path)


def bind_certificate_rbac(kube):
    """What docs/api.md "Certificates" says to bind: the reader cluster-wide, the keeper only in
    --certificate-namespace."""
    sa = [{"kind": "ServiceAccount", "name": "zonekeeper", "namespace": "zonekeeper-system"}]
    kube.apply([
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
         "metadata": {"name": "e2e-certificate-reader"}, "subjects": sa,
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                     "name": "zonekeeper-certificate-reader"}},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
         "metadata": {"name": "zonekeeper-certificate-keeper", "namespace": NS}, "subjects": sa,
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                     "name": "zonekeeper-certificate-keeper"}},
    ])


def certs_controller(kube, workdir, *flags):
    """A controller of its own (no Lease, its own zone and owner id: it never touches what the
    session controller serves)."""
    return zkenv.Controller(kube, os.path.join(workdir, "controller"), identity=OWNER, leader_election=False,
                            extra=["--zone", f"{ZONE}={SOURCE_SERVER_NS}/primary", "--domain-filter", ZONE,
                                   "--txt-owner-id", OWNER, "--sources-only", "--certificate-namespace", NS,
                                   "--certificate-expiry-warning-days", "30",
                                   "--certificate-not-ready-seconds", "3", *flags])


def series(c, family, **labels):
    """The values of the family's series with exactly these labels: [] when there is none (a
    gauge at 0 and no series at all are not the same thing here)."""
    fams = c.metrics()
    assert family in fams, f"/metrics declares no family {family}"
    return [v for lb, v in fams[family].get("samples", []) if lb == {k: str(w) for k, w in labels.items()}]


def not_after_of_secret(kube, name, ns):
    secret = kube.get("secret", name, ns)
    assert secret and secret.get("data", {}).get("tls.crt") and secret["data"].get("tls.key"), secret
    pem = base64.b64decode(secret["data"]["tls.crt"])
    with tempfile.NamedTemporaryFile(suffix=".pem") as f:
        f.write(pem)
        f.flush()
        enddate = zkenv.run(["openssl", "x509", "-noout", "-enddate", "-in", f.name]).stdout.strip()
        san = zkenv.run(["openssl", "x509", "-noout", "-ext", "subjectAltName", "-in", f.name]).stdout
    when = datetime.datetime.strptime(enddate.split("=", 1)[1], "%b %d %H:%M:%S %Y %Z")
    return calendar.timegm(when.timetuple()), san


def test_wildcard_certificate_is_kept_and_certificates_are_watched(zk, kube, cert_manager, workdir):
    zk.setup_ns(SOURCE_SERVER_NS)
    kube.namespace(NS, secret_reader=False)
    kube.namespace(APPS, secret_reader=False)
    bind_certificate_rbac(kube)
    c = certs_controller(kube, workdir, "--wildcard-certificate", f"{ZONE}=ClusterIssuer/e2e-ca")
    c.start(wait_ready=True)
    try:
        # The wildcard Certificate: made by zonekeeper, issued by the real cert-manager.
        cert = wait_for(lambda: (o := kube.get(CERTS, WILDCARD, NS)) and ready(o) and o, timeout=120,
                        desc="the wildcard Certificate exists and cert-manager made it Ready")
        assert cert["spec"]["dnsNames"] == [f"*.{ZONE}", ZONE]
        assert cert["spec"]["secretName"] == WILDCARD
        assert cert["spec"]["issuerRef"] == {"group": "cert-manager.io", "kind": "ClusterIssuer", "name": "e2e-ca"}
        assert cert["metadata"]["labels"]["dns.zonekeeper.io/wildcard-certificate"] == OWNER
        assert cert["metadata"]["annotations"]["dns.zonekeeper.io/wildcard-zone"] == ZONE
        not_after = epoch(cert["status"]["notAfter"])
        secret_not_after, san = not_after_of_secret(kube, WILDCARD, NS)
        assert secret_not_after == not_after, (secret_not_after, cert["status"])
        assert f"DNS:*.{ZONE}" in san and f"DNS:{ZONE}" in san, san
        # The metrics say what the Certificate says.
        wait_for(lambda: series(c, "zonekeeper_certificate_expiration_timestamp_seconds",
                                namespace=NS, name=WILDCARD) == [not_after],
                 desc="the expiry metric equals status.notAfter and the certificate's own notAfter")
        assert series(c, "zonekeeper_certificate_ready", namespace=NS, name=WILDCARD) == [1]
        # Its lifetime (cert-manager's default, 90 days) is outside the 30-day window: no Event.
        assert kube.events_about("Certificate", WILDCARD, NS, type="Warning") == []

        # Someone narrows it: put back.
        kube.patch(CERTS, WILDCARD, NS, {"spec": {"dnsNames": [f"only.{ZONE}"]}})
        wait_for(lambda: kube.get(CERTS, WILDCARD, NS)["spec"]["dnsNames"] == [f"*.{ZONE}", ZONE],
                 desc="a field of ours changed by someone else is put back")

        # A Certificate whose issuer does not exist stays not Ready: one Warning, and ready 0.
        kube.apply([certificate("orphan", APPS, [f"orphan.{ZONE}"], "Issuer", "missing")])
        ev = wait_for(lambda: kube.events_about("Certificate", "orphan", APPS, reason="CertificateNotReady",
                                                type="Warning"),
                      desc="Warning CertificateNotReady on a Certificate whose issuer is missing")
        assert "Certificate e2e-certs-apps/orphan is not Ready for" in ev[0]["note"], ev[0]
        assert series(c, "zonekeeper_certificate_ready", namespace=APPS, name="orphan") == [0]
        assert series(c, "zonekeeper_certificate_expiration_timestamp_seconds", namespace=APPS, name="orphan") == []
        # The issuer appears: cert-manager issues it, zonekeeper says it is well again, once.
        kube.apply([{"apiVersion": "cert-manager.io/v1", "kind": "Issuer",
                     "metadata": {"name": "missing", "namespace": APPS}, "spec": {"selfSigned": {}}}])
        wait_for(lambda: kube.events_about("Certificate", "orphan", APPS, reason="CertificateReady", type="Normal"),
                 timeout=120, desc="Normal CertificateReady once the issuer exists")
        wait_for(lambda: series(c, "zonekeeper_certificate_ready", namespace=APPS, name="orphan") == [1],
                 desc="ready 1 once issued")
        assert len(kube.events_about("Certificate", "orphan", APPS, reason="CertificateNotReady")) == 1

        # A one-hour certificate is inside the 30-day window: CertificateExpiresSoon.
        kube.apply([certificate("short", APPS, [f"short.{ZONE}"], "ClusterIssuer", "e2e-ca", duration="1h")])
        ev = wait_for(lambda: kube.events_about("Certificate", "short", APPS, reason="CertificateExpiresSoon",
                                                type="Warning"), timeout=120,
                      desc="Warning CertificateExpiresSoon on a one-hour certificate")
        short = kube.get(CERTS, "short", APPS)
        assert f"expires at {short['status']['notAfter']}" in ev[0]["note"], (ev[0], short["status"])
        assert "within the warning window of 30d" in ev[0]["note"], ev[0]

        # A deleted Certificate's series go.
        assert series(c, "zonekeeper_certificate_ready", namespace=APPS, name="short") == [1]
        kube.delete(CERTS, "short", APPS)
        wait_for(lambda: series(c, "zonekeeper_certificate_ready", namespace=APPS, name="short") == [],
                 desc="the series of a deleted Certificate go")
    finally:
        c.stop()

    # No flag names the zone any more: the Certificate goes, cert-manager's Secret stays.
    c = certs_controller(kube, workdir, "--watch-certificates")
    c.start(wait_ready=True)
    try:
        wait_for(lambda: kube.get(CERTS, WILDCARD, NS) is None,
                 desc="a wildcard Certificate no flag asks for is deleted")
        assert kube.get("secret", WILDCARD, NS) is not None
        # Someone else's Certificate of that name is never taken over.
        kube.apply([certificate(WILDCARD, NS, [f"mine.{ZONE}"], "ClusterIssuer", "e2e-ca")])
    finally:
        c.stop()
    c = certs_controller(kube, workdir, "--wildcard-certificate", f"{ZONE}=ClusterIssuer/e2e-ca")
    c.start(wait_ready=True)
    try:
        ev = wait_for(lambda: kube.events_about("Certificate", WILDCARD, NS, reason="WildcardCertificateConflict",
                                                type="Warning"), desc="Warning WildcardCertificateConflict")
        assert "is not zonekeeper's" in ev[0]["note"], ev[0]
        mine = kube.get(CERTS, WILDCARD, NS)
        assert mine["spec"]["dnsNames"] == [f"mine.{ZONE}"], mine["spec"]
        assert "dns.zonekeeper.io/wildcard-certificate" not in (mine["metadata"].get("labels") or {})
    finally:
        c.stop()
        kube.delete(CERTS, WILDCARD, NS)

"""The test environment itself, without the controller: if one of these fails, the end-to-end
results below it say nothing about zonekeeper."""
import json

import zkenv


def test_deploy_applied_and_serviceaccount_token_works(kube, workdir):
    crds = json.loads(kube.kubectl("get", "crd", "-o", "json").stdout)["items"]
    names = {c["metadata"]["name"] for c in crds}
    for kind, plural in zkenv.PLURAL.items():
        assert f"{plural}.{zkenv.GROUP}" in names, kind
    kc = kube.sa_kubeconfig(f"{workdir}/env-check.kubeconfig")
    p = zkenv.run([kube.kubectl_bin, "--kubeconfig", kc, "auth", "whoami", "-o", "json"])
    assert json.loads(p.stdout)["status"]["userInfo"]["username"] == \
        "system:serviceaccount:zonekeeper-system:zonekeeper"
    # Least privilege is real: the token cannot read Secrets cluster-wide.
    p = zkenv.run([kube.kubectl_bin, "--kubeconfig", kc, "get", "secrets", "-A"], check=False)
    assert p.returncode != 0 and "forbidden" in p.stderr


def test_named_pair_secondary_follows_only_on_notify(primary, secondary):
    zone = "quiet.test"
    assert zkenv.serial(secondary.port, zone) == zkenv.serial(primary.port, zone)
    before = zkenv.serial(secondary.port, zone)
    zkenv.nsupdate(primary.port, zone, primary.key, adds=[("envcheck.quiet.test.", 60, "A", "192.0.2.200")])
    zkenv.wait_answer(primary.port, "envcheck.quiet.test.", "A", ["192.0.2.200"])
    # No NOTIFY from the primary itself (notify explicit, no list) and no refresh timer soon.
    assert zkenv.query(secondary.port, "envcheck.quiet.test.", "A").rcode == "NXDOMAIN"
    assert zkenv.serial(secondary.port, zone) == before
    zkenv.notify(secondary.port, zone)
    zkenv.wait_answer(secondary.port, "envcheck.quiet.test.", "A", ["192.0.2.200"])
    zkenv.nsupdate(primary.port, zone, primary.key, deletes=[("envcheck.quiet.test.", "A")])
    zkenv.notify(secondary.port, zone)
    zkenv.wait_rcode(secondary.port, "envcheck.quiet.test.", "A", "NXDOMAIN")


def test_primary_refuses_mx_without_address(primary):
    """The fact test_bad_input's UpdateRefused case rests on."""
    try:
        zkenv.nsupdate(primary.port, "quiet.test", primary.key,
                       adds=[("quiet.test.", 60, "MX", "10 nomail.quiet.test.")])
    except AssertionError as e:
        assert "REFUSED" in str(e)
    else:
        raise AssertionError("named accepted an MX whose in-zone target has no address")


def test_aux_restarts_on_the_same_port(aux):
    port = aux.port
    aux.restart()
    assert aux.port == port
    assert zkenv.serial(aux.port, "fault.test") >= 1


def test_examples_rewritten_to_loopback(primary, secondary):
    objs = zkenv.example_objects(primary, secondary)
    servers = {o["metadata"]["name"]: o for o in objs if o["kind"] == "DNSServer"}
    assert servers["bind-primary"]["spec"]["external"] == {"address": "127.0.0.1", "port": primary.port}
    assert servers["bind-secondary"]["spec"]["external"] == {"address": "127.0.0.1", "port": secondary.port}
    assert sum(o["kind"] in zkenv.RECORD_KINDS for o in objs) == 10

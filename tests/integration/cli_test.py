"""The zonekeeper CLI as a user runs it: export/import against a real BIND 9 named, checked with
dig (an independent client); bad flags and files give one clear line, exit 2, and send nothing."""
import os
import subprocess
import tempfile

import pytest

ZK = os.environ["ZK_BIN"]
REPO = os.environ["ZK_REPO"]


def env_of(path):
    out = {}
    with open(path) as f:
        for line in f:
            if "=" in line:
                k, v = line.strip().split("=", 1)
                out[k] = v
    return out


@pytest.fixture(scope="module")
def named():
    d = tempfile.mkdtemp(prefix="zk-cli-")
    subprocess.run(["bash", f"{REPO}/tools/named/start-named.sh", d, "example.test"], check=True,
                   stdout=subprocess.DEVNULL)
    env = env_of(f"{d}/env")
    try:
        yield env
    finally:
        subprocess.run(["bash", f"{REPO}/tools/named/stop-named.sh", d], check=False)


def zk(*args, check=True):
    p = subprocess.run([ZK, *args], capture_output=True, text=True, timeout=60)
    if check and p.returncode != 0:
        raise AssertionError(f"zonekeeper {args} failed ({p.returncode}): {p.stderr}")
    return p


def dig(named, name, rtype):
    host, port = named["ZK_DNS_SERVER"].split(":")
    out = subprocess.run(["dig", f"@{host}", "-p", port, "+short", "+tcp", name, rtype],
                         capture_output=True, text=True, check=True).stdout
    return sorted(l for l in out.splitlines() if l)


def server_args(named):
    return ["--server", named["ZK_DNS_SERVER"], "--zone", "example.test",
            "--tsig-key-file", named["ZK_TSIG_KEY_FILE"]]


def serial(named):
    return int(dig(named, "example.test", "SOA")[0].split()[2])


def write(tmp_path, text):
    p = tmp_path / "zone.yaml"
    p.write_text(text)
    return str(p)


def test_import_dry_run_then_apply_then_export(named, tmp_path):
    doc = write(tmp_path, """
records:
  - {name: www, type: A, ttl: 120, values: [192.0.2.1, 192.0.2.2]}
  - {name: mail, type: A, values: [192.0.2.25]}
  - {name: "@", type: MX, values: ["10 mail"]}
  - {name: txt, type: TXT, values: ["héllo \\"world\\""]}
""")
    before = serial(named)
    p = zk("import", doc, *server_args(named), "--dry-run")
    assert "+ www.example.test. 120 IN A 192.0.2.1" in p.stdout
    assert "dry run" in p.stderr
    assert serial(named) == before
    assert dig(named, "www.example.test", "A") == []

    p = zk("import", doc, *server_args(named))
    assert "applied 4 change(s) in 1 UPDATE message(s)" in p.stderr
    assert dig(named, "www.example.test", "A") == ["192.0.2.1", "192.0.2.2"]
    assert dig(named, "example.test", "MX") == ["10 mail.example.test."]
    assert dig(named, "txt.example.test", "TXT") == ['"h\\195\\169llo \\"world\\""']

    # Idempotent: a second import changes nothing.
    s = serial(named)
    p = zk("import", doc, *server_args(named))
    assert "nothing to change" in p.stderr
    assert serial(named) == s

    out = tmp_path / "export.yaml"
    zk("export", *server_args(named), "-o", str(out))
    text = out.read_text()
    assert "name: www" in text and "192.0.2.2" in text and "ttl: 120" in text
    # The export re-imports as a no-op.
    p = zk("import", str(out), *server_args(named))
    assert "nothing to change" in p.stderr


def test_import_replaces_only_names_in_the_file(named, tmp_path):
    zk("import", write(tmp_path, "records: [{name: keep, type: A, values: [192.0.2.7]}]"), *server_args(named))
    zk("import", write(tmp_path, """
records:
  - {name: change, type: A, values: [192.0.2.8]}
  - {name: change, type: TXT, values: [x]}
"""), *server_args(named))
    p = zk("import", write(tmp_path, "records: [{name: change, type: A, values: [192.0.2.9]}]"),
           *server_args(named))
    assert "- change.example.test. 300 IN TXT \"x\"" in p.stdout
    assert dig(named, "change.example.test", "A") == ["192.0.2.9"]
    assert dig(named, "change.example.test", "TXT") == []
    assert dig(named, "keep.example.test", "A") == ["192.0.2.7"]


EVERY_TYPE = r"""
records:
  - {name: rt, type: A, values: [192.0.2.1]}
  - {name: rt, type: AAAA, values: ["2001:db8::1"]}
  - {name: rt-alias, type: CNAME, values: [rt]}
  - {name: rt-old, type: DNAME, values: [new.example.org.]}
  - {name: rt-ptr, type: PTR, values: [rt]}
  - {name: rt, type: MX, values: ["10 rt"]}
  - {name: rt, type: TXT, values: ["v=spf1 -all", [two, strings]]}
  - {name: _sip._tcp.rt, type: SRV, values: ["0 5 5060 rt"]}
  - {name: rt, type: CAA, values: ['0 issue "letsencrypt.org"']}
  - {name: rt, type: SSHFP, values: ["4 2 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"]}
  - {name: _443._tcp.rt, type: TLSA, values: ["3 1 1 0102030405"]}
  - {name: rt-enum, type: NAPTR, values: ['100 10 "U" "E2U+sip" "!^.*$!sip:x@example.test!" .']}
  - {name: rt-svc, type: SVCB, values: ["1 svc.example.net. alpn=h2,h3 port=8443"]}
  - {name: rt, type: HTTPS, values: ["1 . alpn=h2 ipv4hint=192.0.2.1"]}
  - {name: rt-hw, type: TYPE13, values: ['\# 10 03783836054c696e7578']}
  - {name: _ftp._tcp.rt, type: TYPE256, values: ['\# 23 000a00016674703a2f2f6578616d706c652e746573742f']}
"""


def test_every_type_round_trips_through_export_and_import(named, tmp_path):
    """Every type zonekeeper knows, and two it does not (HINFO, URI) in the RFC 3597 form, go to
    BIND by import, come back by export (AXFR) and re-import as "nothing to change"."""
    p = zk("import", write(tmp_path, EVERY_TYPE), *server_args(named))
    assert "applied 16 change(s)" in p.stderr, p.stderr
    assert dig(named, "rt-hw.example.test", "HINFO") == ['"x86" "Linux"']
    assert dig(named, "_ftp._tcp.rt.example.test", "URI") == ['10 1 "ftp://example.test/"']
    assert dig(named, "rt.example.test", "HTTPS") == ["1 . alpn=\"h2\" ipv4hint=192.0.2.1"]
    assert dig(named, "rt-enum.example.test", "NAPTR") == ['100 10 "U" "E2U+sip" "!^.*$!sip:x@example.test!" .']
    out = tmp_path / "export.yaml"
    zk("export", *server_args(named), "-o", str(out))
    text = out.read_text()
    for t in ("DNAME", "SSHFP", "TLSA", "NAPTR", "SVCB", "HTTPS", "TYPE13", "TYPE256"):
        assert f"type: {t}\n" in text, (t, text)
    p = zk("import", str(out), *server_args(named))
    assert "nothing to change" in p.stderr, p.stderr + p.stdout


def test_meta_types_are_refused(named, tmp_path):
    before = serial(named)
    p = zk("import", write(tmp_path, "records: [{name: a, type: TYPE255, values: ['\\# 0']}]"),
           *server_args(named), check=False)
    assert p.returncode == 2 and "query or meta type" in p.stderr, p.stderr
    assert serial(named) == before


@pytest.mark.parametrize("args,needle", [
    (["export"], "--server is required"),
    (["export", "--server", "127.0.0.1:70000", "--zone", "x"], "port must be 1..65535"),
    (["export", "--server", "127.0.0.1:5353", "--zone", "a..b"], "--zone"),
    (["export", "--server", "127.0.0.1:5353", "--zone", "x", "--tsig-key-file", "/nonexistent"],
     "cannot read TSIG key file"),
    (["bogus"], "bogus"),
    (["bind9-config"], "--tsig-key-name is required"),
    (["bind9-config", "--tsig-key-name", "k", "--role", "secondary"], "--primary: required"),
    (["bind9-agent", "--directory", "/tmp/zk-cli-no-agent"], "--tsig-key-file and --rndc-key-file"),
    (["bind9-agent", "--directory", "/tmp/zk-cli-no-agent", "--tsig-key-file", "/nonexistent",
      "--rndc-key-file", "/nonexistent"], "--tsig-key-file"),
    (["bind9-agent"], "--directory is required"),
    (["bind9-agent", "--probe"], "--probe needs --rndc-key-file"),
    (["bind9-agent", "--probe", "--control", "127.0.0.1:99999", "--rndc-key-file", "/x"], "--control"),
    (["bind9-agent", "--probe", "--rndc-key-file", "/nonexistent"], "cannot read --rndc-key-file"),
    # cert-manager (issue 17): every bad --wildcard-certificate says why, before anything runs.
    (["controller", "--wildcard-certificate", "x.test=ClusterIssuer/ca"],
     "x.test is not a shared zone of this controller (a --zone)"),
    (["controller", "--zone", "x.test=a/b", "--wildcard-certificate", "x.test=Issuer"],
     "the issuer must be KIND/NAME"),
    (["controller", "--zone", "x.test=a/b", "--wildcard-certificate", "x.test=Secret/ca"],
     'cert-manager.io has no issuer kind "Secret"'),
    (["controller", "--zone", "x.test=a/b", "--wildcard-certificate", "*.x.test=Issuer/ca"],
     "is not a zone name a certificate can cover"),
    (["controller", "--zone", "x.test=a/b", "--txt-owner-id", "a b", "--wildcard-certificate",
      "x.test=Issuer/ca"], "must be a label value"),
    (["controller", "--watch-certificates", "--dry-run"], "not with --dry-run"),
    (["controller", "--zone", "x.test=a/b", "--wildcard-certificate", "x.test=Issuer/ca",
      "--certificate-namespace", "Bad"], "--certificate-namespace Bad: not a namespace name"),
    (["controller", "--certificate-expiry-warning-days", "0"], "--certificate-expiry-warning-days"),
])
def test_bad_flags_one_line_exit_2(args, needle):
    p = zk(*args, check=False)
    assert p.returncode == 2, p.stderr
    assert needle in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1, p.stderr


def test_bad_file_is_reported_with_line_and_nothing_is_sent(named, tmp_path):
    before = serial(named)
    doc = write(tmp_path, "records:\n  - {name: ok, type: A, values: [192.0.2.1]}\n"
                          "  - {name: bad, type: A, values: [192.0.2.300]}\n")
    p = zk("import", doc, *server_args(named), check=False)
    assert p.returncode == 2
    assert f"{doc}:3:" in p.stderr and "not an IPv4 address" in p.stderr
    assert serial(named) == before
    assert dig(named, "ok.example.test", "A") == []


def test_wrong_key_fails_and_changes_nothing(named, tmp_path):
    key = tmp_path / "wrong.key"
    key.write_text('key "zk-key" { algorithm hmac-sha256; secret "d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldC13cm9uZw=="; };\n')
    before = serial(named)
    p = zk("export", "--server", named["ZK_DNS_SERVER"], "--zone", "example.test",
           "--tsig-key-file", str(key), check=False)
    assert p.returncode == 1
    assert "BadSig" in p.stderr
    assert "d3Jvbmc" not in p.stderr  # the secret never reaches output
    assert serial(named) == before


@pytest.mark.parametrize("role", ["primary", "secondary"])
def test_bind9_config_is_what_named_checkconf_accepts(role, tmp_path):
    """The named.conf of a managed server (src/managed/named_config), with its key files."""
    for name, f in (("zk-dns", "tsig.conf"), ("rndc-key", "rndc.conf")):
        key = subprocess.run(["tsig-keygen", "-a", "hmac-sha256", name], capture_output=True,
                             text=True, check=True).stdout
        (tmp_path / f).write_text(key)
    args = ["bind9-config", "--role", role, "--tsig-key-name", "zk-dns", "--directory",
            str(tmp_path), "--tsig-key-file", str(tmp_path / "tsig.conf"), "--rndc-key-file",
            str(tmp_path / "rndc.conf"), "--allow-query", "10.0.0.0/8", "--allow-query", "localhost",
            "--responses-per-second", "50", "--log-queries"]
    if role == "secondary":
        args += ["--primary", "10.0.0.5", "--primary-port", "5353"]
    conf = zk(*args).stdout
    (tmp_path / "named.conf").write_text(conf)
    if role == "primary":
        # A Primary's named.conf includes the agent's DNSSEC policies file, which the Pod's
        # init container (`bind9-agent --seed-only`) creates before named starts.
        assert f'include "{tmp_path}/dnssec-policies.conf";' in conf
        zk("bind9-agent", "--seed-only", "--directory", str(tmp_path), "--log-format", "text")
        assert (tmp_path / "dnssec-policies.conf").exists()
    check = subprocess.run(["named-checkconf", str(tmp_path / "named.conf")], capture_output=True,
                           text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "allow-query { 10.0.0.0/8; localhost; };" in conf
    assert "rate-limit { responses-per-second 50; };" in conf
    assert ("catalog-zones" in conf) == (role == "secondary")
    assert "secret" not in conf  # keys only by include


WRONG_RNDC = 'key "zk-rndc-key-2" { algorithm hmac-sha256; secret "d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldC13cm9uZw=="; };\n'


def test_the_agents_probe_answers_with_the_first_key_named_takes(named, tmp_path):
    """`bind9-agent --probe`, the readiness probe of a managed Primary's agent: exit 0 when named's
    control channel answers `status` to a key of the file (tried in order, as during a key
    rotation, when the file's first key is not yet named's), 1 with why otherwise; never a secret."""
    control = f"127.0.0.1:{named['ZK_NAMED_CONTROL_PORT']}"
    good = open(named["ZK_RNDC_KEY_FILE"]).read()
    rotating = tmp_path / "rotating.conf"
    rotating.write_text(WRONG_RNDC + good)
    p = zk("bind9-agent", "--probe", "--control", control, "--rndc-key-file", str(rotating))
    assert p.stdout.startswith(f"named's control channel at {control} answers to rndc key zk-rndc-key: "), p.stdout
    assert "running" in p.stdout or "version" in p.stdout, p.stdout

    wrong = tmp_path / "wrong.conf"
    wrong.write_text(WRONG_RNDC)
    p = zk("bind9-agent", "--probe", "--control", control, "--rndc-key-file", str(wrong), check=False)
    assert p.returncode == 1, p.stdout + p.stderr
    assert p.stdout == ""
    assert f"named's control channel at {control}: ControlAuthFailed" in p.stderr, p.stderr
    assert "d3Jvbmc" not in p.stderr

    from socket import socket
    with socket() as s:  # a loopback port nothing listens on
        s.bind(("127.0.0.1", 0))
        closed = f"127.0.0.1:{s.getsockname()[1]}"
    p = zk("bind9-agent", "--probe", "--control", closed, "--rndc-key-file", str(rotating),
           "--timeout-ms", "2000", check=False)
    assert p.returncode == 1
    assert f"named's control channel at {closed}: " in p.stderr, p.stderr
    assert "ControlAuthFailed" not in p.stderr

    garbage = tmp_path / "garbage.conf"
    garbage.write_text("not a key\n")
    p = zk("bind9-agent", "--probe", "--control", control, "--rndc-key-file", str(garbage), check=False)
    assert p.returncode == 2 and f"--rndc-key-file: {garbage}: " in p.stderr, p.stderr

"""pytest fixtures for the end-to-end suite: one control plane (deploy/ and the upstream Traefik and
Gateway API CRDs applied), one named primary + secondary pair (plus an auxiliary primary that fault
tests may stop and wipe) and one controller for the whole session (with the issue 6 shared zones
ext.test and ext2.test); tests are isolated by namespace and zone. On failure the controller's and nameds' log
tails are attached to the report."""
import os
import sys
import tempfile

import pytest

sys.path.insert(0, os.path.dirname(__file__))
import zkenv  # noqa: E402
from zkenv import condition, is_current, wait_for  # noqa: E402

# The shared zones of the session's controller (issue 6: `--zone NAME=zk-src/primary`). The
# namespace zk-src and its DNSServer `primary` do not exist when the controller starts: test_13
# creates them (Env.setup_ns), which is part of what it tests.
SOURCE_SERVER_NS = "zk-src"
SOURCE_ZONES = ("ext.test", "ext2.test")
SECOND_CONTROLLER_ZONES = ("upsert.test", "create.test", "dry.test", "filter.test", "certs.test")
# Names under this domain are refused by the session controller's --exclude-domains.
EXCLUDED_DOMAIN = "excluded.ext.test"
SOURCE_FLAGS = [a for z in SOURCE_ZONES for a in ("--zone", f"{z}={SOURCE_SERVER_NS}/primary")] + \
    [a for z in SOURCE_ZONES for a in ("--domain-filter", z)] + ["--exclude-domains", EXCLUDED_DOMAIN] + \
    ["--traefik-legacy-group"]

# Zones on the shared pair (every one of them also on the secondary).
SHARED_ZONES = ["example.test", "upd.test", "move1.test", "move2.test", "bad.test", "badother.test",
                "keep.test", "restart.test", "drift.test", "report.test", "unmanaged.test", "leader.test",
                "quiet.test", "multi.test", "prop.test", "metrics.test", "cross.test", "kinds.test",
                # Issue 6's shared zones (--zone, written by the Ingress/IngressRoute/HTTPRoute/
                # DNSEndpoint sources through the DNSServer zk-src/primary): ext.test and
                # ext2.test for the shared controller; upsert.test, create.test, dry.test and
                # filter.test for the second controllers of test_13 (policies, --dry-run,
                # --namespace/--label-filter/--annotation-filter); certs.test for test_28's
                # (--wildcard-certificate).
                ] + list(SOURCE_ZONES) + list(SECOND_CONTROLLER_ZONES)
# Zones on the auxiliary primary, which tests stop, break and wipe. multi.test is on both
# primaries (test_11).
AUX_ZONES = ["fault.test", "replay.test", "multi.test"]


@pytest.fixture(scope="session")
def workdir():
    d = tempfile.mkdtemp(prefix="zk-e2e-")
    yield d
    if os.environ.get("ZK_E2E_KEEP") != "1":
        zkenv.rmtree(d)
    else:
        print(f"kept {d}")


@pytest.fixture(scope="session")
def kube(workdir):
    cp = zkenv.ControlPlane(env_path=os.environ.get("ZK_KUBE_ENV"), workdir=workdir)
    try:
        cp.apply_deploy()
        # Before the controller starts: it discovers at start which source kinds are served.
        cp.apply_upstream_crds(os.path.join(workdir, "upstream-crds"))
        yield cp
    finally:
        cp.stop()


@pytest.fixture(scope="session")
def named_pair(workdir):
    primary = zkenv.Named(os.path.join(workdir, "named-primary"), SHARED_ZONES)
    secondary = zkenv.Named(os.path.join(workdir, "named-secondary"), SHARED_ZONES, primary=primary)
    try:
        primary.start()
        secondary.start()
        _NAMEDS.extend([primary, secondary])
        yield primary, secondary
    finally:
        secondary.stop()
        primary.stop()


@pytest.fixture(scope="session")
def primary(named_pair):
    return named_pair[0]


@pytest.fixture(scope="session")
def secondary(named_pair):
    return named_pair[1]


@pytest.fixture(scope="session")
def aux(workdir):
    n = zkenv.Named(os.path.join(workdir, "named-aux"), AUX_ZONES)
    try:
        n.start()
        _NAMEDS.append(n)
        yield n
    finally:
        n.stop()


def _controller_available():
    if not os.access(zkenv.ZK_BIN, os.X_OK):
        return f"{zkenv.ZK_BIN} does not exist (ZK_BUILD_DIR={zkenv.BUILD_DIR})"
    p = zkenv.run([zkenv.ZK_BIN, "controller", "--help"], check=False)
    if p.returncode != 0:
        return f"`{zkenv.ZK_BIN} controller --help` fails: {p.stderr.strip()[:300]}"
    return None


@pytest.fixture(scope="session")
def controller(kube, named_pair, aux, workdir):
    """The controller every test talks to: leader election on (default Lease), identity e2e-a,
    drift interval 2 s. Tests that stop it start it again before they end."""
    why = _controller_available()
    if why:
        pytest.fail(f"the controller is not built: {why}")
    # The issue 6 source flags only when this build has them (so the rest of the suite still
    # runs against an older binary; test_13 fails then, saying so).
    extra = SOURCE_FLAGS if "--zone" in zkenv.controller_flags() else []
    c = zkenv.Controller(kube, os.path.join(workdir, "controller"), identity="e2e-a", extra=extra)
    c.api_token = kube.ui_token("e2e-ui-viewer", "zonekeeper-ui-viewer")
    c.start(wait_ready=True, wait_leader=True)
    _CONTROLLERS.append(c)
    yield c
    c.stop()


@pytest.fixture
def zk(kube, primary, secondary, aux, controller):
    """A helper bound to this session's environment (see Env)."""
    return Env(kube, primary, secondary, aux, controller)


class Env:
    """What a test needs: namespaces with the shared servers, object builders, status waits."""

    def __init__(self, kube, primary, secondary, aux, controller):
        self.kube, self.primary, self.secondary, self.aux, self.controller = kube, primary, secondary, aux, controller

    def setup_ns(self, ns, with_aux=False, secret_reader=True):
        """Namespace + Secret-reader RoleBinding + Secret `tsig` + DNSServers `primary` and
        `secondary` (the shared pair); with_aux adds Secret `tsig-aux` and DNSServer `aux`."""
        self.kube.namespace(ns, secret_reader=secret_reader)
        objs = [zkenv.tsig_secret("tsig", ns, self.primary.key),
                zkenv.dns_server("primary", ns, self.primary.port, secret="tsig"),
                zkenv.dns_server("secondary", ns, self.secondary.port, role="Secondary", secret="tsig",
                                 primary="primary")]
        if with_aux:
            objs += [zkenv.tsig_secret("tsig-aux", ns, self.aux.key),
                     zkenv.dns_server("aux", ns, self.aux.port, secret="tsig-aux")]
        self.kube.apply(objs)
        return ns

    def get(self, kind, name, ns):
        return self.kube.get(kind, name, ns)

    def wait_cond(self, kind, name, ns, status="True", reason=None, ctype="Ready", timeout=zkenv.TIMEOUT,
                  current=True):
        """Waits until the object's condition `ctype` has `status` (and `reason`), and (current)
        its status describes its current generation. Returns the object."""
        last = {}

        def ok():
            o = self.kube.get(kind, name, ns)
            last["obj"] = o and {"generation": o["metadata"].get("generation"), "status": o.get("status")}
            if o is None:
                return None
            st, rs, _ = condition(o, ctype)
            if st != status or (reason is not None and rs != reason):
                return None
            if current and not is_current(o):
                return None
            return o
        try:
            return wait_for(ok, timeout, interval=0.25, desc=f"{kind} {ns}/{name} {ctype}={status}/{reason}")
        except zkenv.WaitTimeout as e:
            raise zkenv.WaitTimeout(f"{e}\nlast object: {last.get('obj')}") from None


_CONTROLLERS = []
_NAMEDS = []


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.when == "call" and rep.failed:
        for path in list(zkenv.Controller.running_logs) + [c.log_path for c in _CONTROLLERS
                                                         if c.log_path not in zkenv.Controller.running_logs]:
            try:
                with open(path, errors="replace") as f:
                    tail = "".join(f.readlines()[-80:])
            except OSError:
                continue
            rep.sections.append((f"controller log {os.path.basename(path)} (last 80 lines)", tail))
        for n in _NAMEDS:
            rep.sections.append((f"named log {n.dir} (last 30 lines)", n.log_tail(30)))


@pytest.fixture(scope="session")
def examples(kube, primary, secondary, controller):
    """examples/cluster applied for real (servers rewritten to the loopback pair, the real key);
    returns the applied objects. Convergence is what test_02 checks."""
    objs = zkenv.example_objects(primary, secondary)
    kube.apply(objs)
    return objs

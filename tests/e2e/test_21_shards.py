"""Sharding (issue 16): three replicas with `--shards 9` divide 30 DNSZones among them (each at
least 20 %), every zone and every record's status written by one replica; a replica killed
(SIGKILL: nothing released) has its zones taken over by the others once its Leases expire, a
change made meanwhile is served, and no zone's history of UPDATEs shows two writers
interleaved. The replicas run on their own loopback named; the session's controller (a classic
leader, which would write every zone too) is stopped meanwhile and started again."""
import collections
import os
import signal
import time

import zkenv
from zkenv import record

NS = "e2e-shards"
ZONES = [f"s{i}.shard.test" for i in range(30)]
# Zones are hashed to shards, so at 30 zones each replica's count is binomial (std ≈ 2.6 around
# 10): these names give 10/10/10 with 9 shards (6/10/14 with 6). Fixed names, fixed hash: the
# same split every run.
SHARDS = 9
LEASE_SECONDS = 15  # the controller's lease duration


def address(i, gen):
    return f"192.0.2.{i + 1 + 40 * gen}"  # gen 0, 1, 2


def apply_generation(kube, gen):
    kube.apply([record("ARecord", f"a{i}", NS, "www", [address(i, gen)], {"zone": f"z{i}"})
                for i in range(len(ZONES))])


def wait_served(named, gen, zones=range(len(ZONES)), timeout=zkenv.TIMEOUT):
    for i in zones:
        zkenv.wait_answer(named.port, f"www.{ZONES[i]}.", "A", [address(i, gen)], timeout=timeout)


def writers(replicas, since):
    """{zone index: [(time, identity)]}: the UPDATEs each replica logged ("changes applied") after
    the log line counts in `since`."""
    out = collections.defaultdict(list)
    for ident, c in replicas.items():
        for line in c.log_records()[since.get(ident, 0):]:
            obj = line.get("object", "")
            if line.get("msg") == "changes applied" and obj.startswith(f"DNSZone/{NS}/z"):
                out[int(obj.rsplit("/z", 1)[1])].append((line["time"], ident))
    return out


def status_writers(replicas, since):
    """{record name: {identity}}: who logged a status change of the ARecords after `since`."""
    out = collections.defaultdict(set)
    for ident, c in replicas.items():
        for line in c.log_records()[since.get(ident, 0):]:
            obj = line.get("object", "")
            if obj.startswith(f"ARecord/{NS}/") and "zone" in line and "reason" in line:
                out[obj.rsplit("/", 1)[1]].add(ident)
    return out


def marks(replicas):
    return {ident: len(c.log_records()) for ident, c in replicas.items()}


def one_writer_at_a_time(history):
    """Per zone, ordered by time, each writer's UPDATEs form one run: A A B B is a handover,
    A B A would be two writers interleaved."""
    for zone, events in history.items():
        runs = [w for k, (_, w) in enumerate(sorted(events)) if k == 0 or sorted(events)[k - 1][1] != w]
        assert len(runs) == len(set(runs)), f"zone {ZONES[zone]}: writers interleaved: {runs}"


def test_three_replicas_share_the_zones_and_take_over_a_killed_ones(kube, controller, workdir):
    named = zkenv.Named(os.path.join(workdir, "named-shards"), ZONES).start()
    controller.stop()
    replicas = {}
    try:
        # Opt-in RBAC (not in deploy/'s kustomization): the member and shard Leases.
        kube.kubectl("apply", "-k", os.path.join(zkenv.REPO, "deploy/sharding"))
        kube.namespace(NS)
        kube.apply([zkenv.tsig_secret("tsig", NS, named.key),
                    zkenv.dns_server("primary", NS, named.port, secret="tsig")] +
                   [zkenv.dns_zone(f"z{i}", NS, z, ["primary"], {"zone": f"z{i}"}) for i, z in enumerate(ZONES)])
        apply_generation(kube, 0)
        for ident in ("e2e-s0", "e2e-s1", "e2e-s2"):
            replicas[ident] = zkenv.Controller(kube, os.path.join(workdir, "controller"), identity=ident,
                                               extra=["--shards", str(SHARDS)])
        for c in replicas.values():  # together, as a Deployment's Pods start
            c.start(wait_ready=False)
        for c in replicas.values():
            zkenv.wait_for(lambda c=c: c.alive_or_raise() and c.http("/readyz")[0] == 200, desc=f"{c.identity} ready")
        wait_served(named, 0)

        # Balanced: every replica holds its share of the shards, the Leases say the same.
        def held():
            h = {ident: c.metric("zonekeeper_shards_held") for ident, c in replicas.items()}
            return h if all(v == SHARDS // 3 for v in h.values()) else None
        zkenv.wait_for(held, desc="three shards held by each replica")
        leases = {i: kube.get("lease", f"zonekeeper-controller-shard-{i}", "zonekeeper-system") for i in range(SHARDS)}
        holders = collections.Counter(lease["spec"].get("holderIdentity") for lease in leases.values())
        assert holders == {ident: SHARDS // 3 for ident in replicas}, holders

        # A change to every zone: each zone written by exactly one replica, each replica ≥ 20 %.
        since = marks(replicas)
        apply_generation(kube, 1)
        wait_served(named, 1)
        for i in range(len(ZONES)):
            zkenv.wait_for(lambda i=i: zkenv.condition(kube.get("ARecord", f"a{i}", NS), "Ready")[0] == "True"
                           and zkenv.is_current(kube.get("ARecord", f"a{i}", NS)), desc=f"a{i} Ready, current")
        history = writers(replicas, since)
        assert sorted(history) == list(range(len(ZONES))), f"zones never written: {set(range(30)) - set(history)}"
        owner = {}
        for zone, events in history.items():
            who = {w for _, w in events}
            assert len(who) == 1, f"zone {ZONES[zone]} written by {who}"
            owner[zone] = who.pop()
        share = collections.Counter(owner.values())
        zkenv.log(f"zones per replica: {dict(share)}")
        assert all(share[ident] >= len(ZONES) // 5 for ident in replicas), share
        for name, who in status_writers(replicas, since).items():
            assert len(who) == 1, f"ARecord {name}'s status written by {who}"
        start_mark = marks(replicas)

        # Kill one (nothing released) and change every zone at once: its zones wait for its
        # Leases to expire, then the others take them over and serve the change.
        victim = max(share, key=lambda ident: share[ident])
        lost = sorted(z for z, w in owner.items() if w == victim)
        killed_at = time.monotonic()
        replicas[victim].proc.send_signal(signal.SIGKILL)
        replicas[victim].proc.wait()
        apply_generation(kube, 2)
        wait_served(named, 2, zones=[z for z in owner if owner[z] != victim])
        wait_served(named, 2, zones=lost, timeout=3 * LEASE_SECONDS)
        zkenv.log(f"{victim}'s {len(lost)} zones served by the others {time.monotonic() - killed_at:.1f} s "
                  f"after it was killed (lease duration {LEASE_SECONDS} s)")
        survivors = {ident: c for ident, c in replicas.items() if ident != victim}
        zkenv.wait_for(lambda: sum(c.metric("zonekeeper_shards_held") for c in survivors.values()) == SHARDS,
                       desc="every shard held by the two left")
        for z in lost:
            zkenv.wait_for(lambda z=z: zkenv.is_current(kube.get("ARecord", f"a{z}", NS)) and
                           zkenv.condition(kube.get("ARecord", f"a{z}", NS), "Ready")[0] == "True",
                           desc=f"a{z} Ready for its new generation")
        after = writers(survivors, {ident: start_mark[ident] for ident in survivors})
        for z in lost:
            assert after.get(z), f"zone {ZONES[z]} of {victim} written by nobody since"
        one_writer_at_a_time(writers(replicas, {}))
    finally:
        for c in replicas.values():
            if c.alive():
                c.stop()
        # Its zones' named goes: the session's controller must not keep retrying them.
        kube.kubectl("delete", "dnszones", "--all", "-n", NS, "--wait=false", check=False)
        named.stop()
        controller.start(wait_ready=True)

#!/usr/bin/env python3
"""Writes zonekeeper's CustomResourceDefinitions (deploy/crds/*.yaml).

The fifteen record kinds share their metadata, status, printer columns and name rules, so the
CRDs are generated from this one file instead of being copied by hand. The YAML files are
checked in; tests/deploy/apply_test.sh fails when they differ from what this script writes.

    deploy/crds/generate.py            # rewrite the YAML files next to this script
    deploy/crds/generate.py --check    # exit 1 (and list the files) if any is out of date
    deploy/crds/generate.py --out DIR  # write into DIR instead

Field meanings, defaults and rules are documented in docs/api.md; keep the two in step.
Needs python3-yaml (Debian), installed by scripts/install-deps.sh.
"""

import argparse
import copy
import os
import sys

import yaml

GROUP = "dns.zonekeeper.io"
VERSION = "v1alpha1"
CATEGORIES = ["zonekeeper", "dns"]
ZONE_ANNOTATION = GROUP + "/zone"

# ---------------------------------------------------------------------------- name rules
# A label of a domain name: 1..63 characters, letters, digits, hyphen (not first or last)
# and underscore (for _service._proto, _dmarc, DKIM selectors ...).
LABEL = r"[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?"
# A label of a host name (RFC 952/1123): no underscore. BIND's default `check-names primary
# fail` refuses underscores in A/AAAA owners and in MX/NS targets, so the schema does too.
HLABEL = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"

# Names are relative to the zone unless they end with a dot (zone-file convention, as in the
# zone document); "@" is the zone apex. 254 = 253 characters plus the trailing dot.
NAME_MAX = 254
OWNER_NAME = rf"^(@|(\*|{LABEL})(\.{LABEL})*\.?)$"  # record names (wildcard first label)
HOST_OWNER_NAME = rf"^(@|(\*|{HLABEL})(\.{HLABEL})*\.?)$"  # A/AAAA record names
SRV_OWNER_NAME = rf"^_{HLABEL}\._{HLABEL}(\.{LABEL})*\.?$"  # _service._proto[.name], TLSA _port._proto
DOMAIN_NAME = rf"^(@|{LABEL}(\.{LABEL})*\.?)$"  # CNAME/PTR targets
HOST_NAME = rf"^(@|{HLABEL}(\.{HLABEL})*\.?)$"  # NS targets
HOST_NAME_OR_ROOT = rf"^(\.|@|{HLABEL}(\.{HLABEL})*\.?)$"  # MX exchange, SRV target
NS_HOST_NAME = rf"^{HLABEL}(\.{HLABEL})*\.?$"  # zone name servers, SOA MNAME
ZONE_NAME = rf"^{LABEL}(\.{LABEL})*\.?$"
ABS_HOST_NAME = rf"^{HLABEL}(\.{HLABEL})*\.?$"  # DNSServer address when not an IP
# An e-mail address, written into the SOA RNAME (dots in the local part are escaped there).
EMAIL_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
EMAIL = rf"^{EMAIL_LOCAL}@{HLABEL}(\.{HLABEL})*\.?$"
CAA_TAG = r"^[A-Za-z0-9]{1,15}$"
HEX = r"^[0-9A-Fa-f ]+$"  # SSHFP fingerprints, TLSA data
IPV4_NO_LEADING_ZEROS = r"^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*)){3}$"
K8S_NAME = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"  # RFC 1123 subdomain

INT32_MAX = 2147483647
# A namespace name: an RFC 1123 label (63 characters at most, by maxLength).
NAMESPACE_NAME = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
LIFETIME = r"^(unlimited|P([0-9]+Y)?([0-9]+M)?([0-9]+W)?([0-9]+D)?(T([0-9]+H)?([0-9]+M)?([0-9]+S)?)?)$"  # DNSSEC key lifetimes


def s(desc, **kw):
    return {"type": "string", "description": desc, **kw}


def i32(desc, lo, hi, **kw):
    return {"type": "integer", "format": "int32", "minimum": lo, "maximum": hi,
            "description": desc, **kw}


def i64(desc, **kw):
    return {"type": "integer", "format": "int64", "description": desc, **kw}


def obj(desc, props, required=None, **kw):
    o = {"type": "object", "description": desc}
    if required:
        o["required"] = required
    o["properties"] = props
    o.update(kw)
    return o


def arr(desc, items, **kw):
    return {"type": "array", "description": desc, "items": items, **kw}


def ipv4(desc):
    # format ipv4 is checked by the apiserver, but it accepts leading zeros ("192.0.2.01"),
    # which some parsers read as octal: the pattern refuses them (a pattern, not a CEL rule,
    # so that a list of addresses needs no maxItems to fit the CEL cost budget).
    return s(desc, format="ipv4", maxLength=15, pattern=IPV4_NO_LEADING_ZEROS)


def ttl(desc):
    return i32(desc, 0, INT32_MAX)


def namespace_name(desc, **kw):
    return s(desc, minLength=1, maxLength=63, pattern=NAMESPACE_NAME, **kw)


def object_ref(desc):
    return obj(desc, {"name": s("Name of the object in the same namespace.", minLength=1,
                                maxLength=253, pattern=K8S_NAME)}, required=["name"],
               **{"x-kubernetes-map-type": "atomic"})


def label_selector(desc):
    return obj(desc, {
        "matchLabels": {
            "type": "object", "additionalProperties": {"type": "string", "maxLength": 63},
            "description": "Labels that must all be present with these values (ANDed with "
                           "matchExpressions).",
        },
        "matchExpressions": arr(
            "Label requirements, all of which must hold.",
            obj("A label requirement.", {
                "key": s("The label key.", minLength=1, maxLength=317),
                "operator": s("How the key relates to values.",
                              enum=["In", "NotIn", "Exists", "DoesNotExist"]),
                "values": arr("Values for In and NotIn; empty for Exists and DoesNotExist.",
                              {"type": "string", "maxLength": 63}, maxItems=64,
                              **{"x-kubernetes-list-type": "atomic"}),
            }, required=["key", "operator"], **{"x-kubernetes-validations": [{
                "rule": "self.operator in ['In', 'NotIn'] ? (has(self.values) && "
                        "size(self.values) > 0) : (!has(self.values) || size(self.values) == 0)",
                "message": "values must be non-empty for In and NotIn, and empty for Exists "
                           "and DoesNotExist",
            }]}),
            maxItems=32, **{"x-kubernetes-list-type": "atomic"}),
    }, **{"x-kubernetes-map-type": "atomic"})


CONDITIONS = arr(
    "Conditions in the Kubernetes convention (metav1.Condition). Types and reasons: "
    "docs/api.md.",
    obj("One aspect of the object's current state.", {
        "type": s("Condition type in CamelCase (Ready, Propagated).", maxLength=316,
                  pattern=r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
                          r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$"),
        "status": s("True, False or Unknown.", enum=["True", "False", "Unknown"]),
        "reason": s("Machine-readable CamelCase reason for the last transition.", minLength=1,
                    maxLength=1024, pattern=r"^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$"),
        "message": s("Human-readable details.", maxLength=32768),
        "observedGeneration": i64("metadata.generation the condition was computed from.",
                                  minimum=0),
        "lastTransitionTime": s("When status last changed.", format="date-time"),
    }, required=["type", "status", "reason", "message", "lastTransitionTime"]),
    maxItems=8, **{"x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["type"]})

OBSERVED_GENERATION = i64("The metadata.generation the controller last acted on.", minimum=0)


def ready_columns():
    return [
        {"name": "Ready", "type": "string",
         "jsonPath": '.status.conditions[?(@.type=="Ready")].status',
         "description": "Ready condition status."},
        {"name": "Reason", "type": "string",
         "jsonPath": '.status.conditions[?(@.type=="Ready")].reason',
         "description": "Ready condition reason."},
    ]


AGE = {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}


def crd(kind, plural, short, description, spec, status, columns, root_rules=None,
        scope="Namespaced"):
    schema = obj(description, {
        "apiVersion": {"type": "string"},
        "kind": {"type": "string"},
        "metadata": {"type": "object"},
        "spec": spec,
        "status": status,
    }, required=["spec"])
    if root_rules:
        schema["x-kubernetes-validations"] = root_rules
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {
            "name": f"{plural}.{GROUP}",
            "labels": {"app.kubernetes.io/name": "zonekeeper",
                       "app.kubernetes.io/component": "crd"},
        },
        "spec": {
            "group": GROUP,
            "scope": scope,
            "names": {
                "kind": kind,
                "listKind": kind + "List",
                "plural": plural,
                "singular": kind.lower(),
                "shortNames": short,
                "categories": CATEGORIES,
            },
            "versions": [{
                "name": VERSION,
                "served": True,
                "storage": True,
                "subresources": {"status": {}},
                "additionalPrinterColumns": columns,
                "schema": {"openAPIV3Schema": schema},
            }],
        },
    }


# ---------------------------------------------------------------------------- DNSZone

def dnszone():
    zone_abs = "(self.zoneName.endsWith('.') ? self.zoneName : self.zoneName + '.').lowerAscii()"
    spec = obj(
        "The zone zonekeeper makes its servers serve.",
        {
            "zoneName": s("The zone's name, e.g. example.test (a trailing dot is allowed). "
                          "Immutable.", minLength=1, maxLength=NAME_MAX, pattern=ZONE_NAME,
                          **{"x-kubernetes-validations": [{
                              "rule": "self == oldSelf",
                              "message": "zoneName is immutable; create another DNSZone to "
                                         "serve another zone"}]}),
            "ttl": ttl("TTL in seconds for records that set none. Default 300."),
            "soaRecord": obj(
                "SOA fields zonekeeper writes (MNAME, RNAME and the timers). The serial is "
                "the server's and is never set. Without soaRecord the server's SOA is left "
                "as it is.",
                {
                    "primaryNs": s("SOA MNAME: the primary name server's host name "
                                   "(relative to the zone unless it ends with a dot).",
                                   minLength=1, maxLength=NAME_MAX, pattern=NS_HOST_NAME),
                    "adminEmail": s("SOA RNAME as an e-mail address, e.g. "
                                    "hostmaster@example.test.", minLength=3,
                                    maxLength=NAME_MAX, pattern=EMAIL),
                    "refresh": i32("Seconds between a secondary's SOA checks.", 1, INT32_MAX,
                                   default=3600),
                    "retry": i32("Seconds before a secondary retries a failed refresh.", 1,
                                 INT32_MAX, default=600),
                    "expire": i32("Seconds after which a secondary that cannot refresh stops "
                                  "answering for the zone.", 1, INT32_MAX, default=604800),
                    "negativeTtl": ttl("SOA MINIMUM: TTL of negative answers (RFC 2308). "
                                       "Default 300."),
                },
                required=["primaryNs", "adminEmail"]),
            "nameServers": arr(
                "The zone's apex NS records. Without nameServers the server's apex NS set "
                "is left as it is.",
                obj("One name server of the zone.", {
                    "name": s("Host name of the name server (relative to the zone unless it "
                              "ends with a dot).", minLength=1, maxLength=NAME_MAX,
                              pattern=NS_HOST_NAME),
                    "ipv4Address": ipv4("Glue A record, only for a name inside the zone."),
                    "ipv6Address": s("Glue AAAA record, only for a name inside the zone.",
                                     format="ipv6", maxLength=45),
                }, required=["name"]),
                minItems=1, maxItems=32,
                **{"x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"]}),
            "recordsFrom": arr(
                "Which record objects (of all fifteen record kinds) belong to the zone: in this "
                "DNSZone's namespace, or with namespaceSelector in the namespaces it matches. A "
                "record matching any entry is selected.",
                obj("A record source.", {
                    "selector": label_selector(
                        "Label selector over record objects; {} selects every record in "
                        "the namespace(s)."),
                    "namespaceSelector": label_selector(
                        "Label selector over Namespaces: records are taken from the namespaces "
                        "it matches ({} matches all) instead of this DNSZone's own. Records "
                        "of another namespace are served only when this DNSZone's Namespace "
                        "lists it in the annotation dns.zonekeeper.io/allow-records-from; "
                        "else they are NamespaceNotAdmitted."),
                }, required=["selector"]),
                maxItems=32, **{"x-kubernetes-list-type": "atomic"}),
            "servers": obj(
                "Which DNSServer objects serve the zone: the union of refs and the servers "
                "matching selector, in this namespace or in namespace.",
                {
                    "refs": arr("DNSServer objects by name.", object_ref("A DNSServer."),
                                maxItems=64,
                                **{"x-kubernetes-list-type": "map",
                                   "x-kubernetes-list-map-keys": ["name"]}),
                    "selector": label_selector("Label selector over DNSServer objects."),
                    "namespace": namespace_name(
                        "The namespace of the DNSServers that refs and selector pick (default: "
                        "this DNSZone's). A server of another namespace serves the zone only "
                        "if its allowedNamespaces matches this DNSZone's Namespace; else the "
                        "zone is NamespaceNotAllowed."),
                },
                **{"x-kubernetes-validations": [{
                    "rule": "has(self.refs) || has(self.selector)",
                    "message": "servers needs refs or selector (or both)"}]}),
            "driftPolicy": s("What happens to records on the server that no object "
                             "declares: Remediate deletes them, Report only reports them.",
                             enum=["Remediate", "Report"], default="Remediate"),
            "dnssec": obj(
                "Sign the zone (DNSSEC) on its managed Primaries with BIND's dnssec-policy: "
                "named makes and rolls the keys and signs every change; the DS records for the "
                "parent appear in status.dnssec.ds. Only for DNSServers with a catalogZone "
                "(Bind9Instance, Bind9Cluster); any other Primary makes the zone Ready=False "
                "DNSSECNotSupported. Removing it makes named unsign the zone (dnssec-policy "
                "insecure): remove the DS at the parent first.", {
                    "algorithm": s("The DNSSEC algorithm of every key.",
                                   enum=["RSASHA256", "ECDSAP256SHA256", "ECDSAP384SHA384",
                                         "ED25519", "ED448"], default="ECDSAP256SHA256"),
                    "kskLifetime": s("How long a key-signing key is used before named rolls "
                                     "it: unlimited, or an ISO 8601 duration of at least 30 "
                                     "days (P1Y, P90D). Both lifetimes unlimited: one combined "
                                     "signing key (CSK).",
                                     pattern=LIFETIME, default="unlimited"),
                    "zskLifetime": s("How long a zone-signing key is used before named rolls "
                                     "it: unlimited, or an ISO 8601 duration of at least 30 "
                                     "days.", pattern=LIFETIME, default="unlimited"),
                    "denial": s("Authenticated denial of existence: NSEC, or NSEC3 (RFC 9276: "
                                "no extra iterations, no salt, no opt-out).",
                                enum=["NSEC", "NSEC3"], default="NSEC"),
                    "dsConfigMap": s("Also keep the DS records in this ConfigMap of the "
                                     "DNSZone's namespace, for whatever updates the parent "
                                     "zone: data `zone` and `ds` (one DS record per line in "
                                     "zone-file form; empty until the zone is signed). Owned "
                                     "by the DNSZone; deleted when this field or spec.dnssec "
                                     "goes, or names another ConfigMap. Needs create, patch "
                                     "and delete on ConfigMaps there (the "
                                     "zonekeeper-bind9-deployer binding).",
                                     maxLength=253, pattern=K8S_NAME),
                }),
        },
        required=["zoneName"],
        **{"x-kubernetes-validations": [{
            "rule": "!has(self.nameServers) || self.nameServers.all(ns, "
                    "(!has(ns.ipv4Address) && !has(ns.ipv6Address)) || "
                    "!ns.name.endsWith('.') || "
                    f"ns.name.lowerAscii() == {zone_abs} || "
                    f"ns.name.lowerAscii().endsWith('.' + {zone_abs}))",
            "message": "nameServers: ipv4Address/ipv6Address are glue and are allowed only for "
                       "a name inside zoneName",
            "fieldPath": ".nameServers",
        }]})
    spec["properties"]["ttl"]["default"] = 300
    spec["properties"]["soaRecord"]["properties"]["negativeTtl"]["default"] = 300

    status = obj("What the controller observed and did.", {
        "conditions": CONDITIONS,
        "observedGeneration": OBSERVED_GENERATION,
        "records": arr(
            "The selected records that are served.",
            obj("A record object.", {
                "apiVersion": s("e.g. dns.zonekeeper.io/v1alpha1"),
                "kind": s("e.g. ARecord"),
                "name": s("Object name."),
                "namespace": s("Object namespace."),
                "fqdn": s("The owner name it is served at, absolute (trailing dot)."),
            }, required=["apiVersion", "kind", "name", "namespace", "fqdn"]),
            **{"x-kubernetes-list-type": "atomic"}),
        "recordCount": i32("Number of entries in records.", 0, INT32_MAX),
        "servers": arr(
            "Per serving DNSServer: its role and the zone's serial it serves.",
            obj("A serving DNSServer.", {
                "name": s("DNSServer name."),
                "role": s("Primary or Secondary.", enum=["Primary", "Secondary"]),
                "serial": i64("The zone's SOA serial as last read from this server.",
                              minimum=0, maximum=4294967295),
                "ready": {"type": "boolean",
                          "description": "Primary: holds every selected record. Secondary: "
                                         "its serial caught up with its primary's."},
            }, required=["name"]),
            **{"x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"]}),
        "lastSyncTime": s("When the primaries last acknowledged the zone's desired state.",
                          format="date-time"),
        "dnssec": obj("With spec.dnssec: what the Primary serves.", {
            "signed": {"type": "boolean",
                       "description": "The Primary serves a DNSKEY with the SEP flag (257) for "
                                      "the zone: it is signed and ds is what the parent needs."},
            "ds": arr(
                "The DS records of the zone's key-signing keys (SHA-256), for the parent zone.",
                obj("A DS record.", {
                    "keyTag": i32("The key's tag.", 0, 65535),
                    "algorithm": i32("DNSSEC algorithm number (13: ECDSAP256SHA256).", 0, 255),
                    "digestType": i32("2: SHA-256.", 0, 255),
                    "digest": s("The digest, upper-case hex."),
                    "record": s("The DS record in zone-file form, ready for the parent."),
                }, required=["keyTag", "algorithm", "digestType", "digest"]),
                **{"x-kubernetes-list-type": "atomic"}),
        }),
    })
    columns = [
        {"name": "Zone", "type": "string", "jsonPath": ".spec.zoneName",
         "description": "The zone's name."},
        {"name": "Records", "type": "integer", "jsonPath": ".status.recordCount",
         "description": "Selected records that are served."},
        *ready_columns(),
        {"name": "Propagated", "type": "string", "priority": 1,
         "jsonPath": '.status.conditions[?(@.type=="Propagated")].status',
         "description": "Secondaries serve the primary's serial."},
        {"name": "Drift", "type": "string", "priority": 1, "jsonPath": ".spec.driftPolicy",
         "description": "Remediate or Report."},
        AGE,
    ]
    return crd("DNSZone", "dnszones", ["dnsz"],
               "DNSZone declares a DNS zone, the record objects that belong to it and the "
               "DNSServer objects that serve it.", spec, status, columns)


# ---------------------------------------------------------------------------- records

RECORD_STATUS = obj("What the controller observed and did.", {
    "conditions": CONDITIONS,
    "observedGeneration": OBSERVED_GENERATION,
    "zone": s("Name of the DNS zone the record belongs to (absolute, trailing dot); empty "
              "when no zone selects it."),
    "fqdn": s("The owner name the record is served at (absolute, trailing dot)."),
    "recordHash": s("Hash of the record's DNS data as last applied; unchanged data is not "
                    "sent again."),
    "lastUpdated": s("When a primary last acknowledged this record's data.",
                     format="date-time"),
})


def record(kind, plural, short, what, name_pattern, data_props, data_required,
           data_columns, spec_rules=None):
    props = {
        "name": s("Owner name relative to the zone, \"@\" for the apex, or absolute with a "
                  "trailing dot (must then lie inside the zone).", minLength=1,
                  maxLength=NAME_MAX, pattern=name_pattern),
        "ttl": ttl("TTL in seconds; default: the zone's spec.ttl."),
    }
    props.update(data_props)
    spec = obj(f"The {what}.", props, required=["name"] + data_required)
    if spec_rules:
        spec["x-kubernetes-validations"] = spec_rules
    columns = [
        {"name": "FQDN", "type": "string", "jsonPath": ".status.fqdn",
         "description": "Owner name served."},
        *data_columns,
        *ready_columns(),
        {"name": "Zone", "type": "string", "priority": 1, "jsonPath": ".status.zone",
         "description": "The zone it belongs to."},
        {"name": "Name", "type": "string", "priority": 1, "jsonPath": ".spec.name",
         "description": "spec.name."},
        {"name": "Owner", "type": "string", "priority": 1,
         "jsonPath": ".metadata.annotations.dns\\.zonekeeper\\.io/owner",
         "description": "The dns.zonekeeper.io/owner annotation."},
        AGE,
    ]
    return crd(kind, plural, short,
               f"{kind} declares the {what} at one name. Selected by a DNSZone's recordsFrom.",
               spec, copy.deepcopy(RECORD_STATUS), columns)


def set_of(desc, item, min_items=1):
    return arr(desc, item, minItems=min_items, **{"x-kubernetes-list-type": "set"})


def records():
    out = []
    out.append(record(
        "ARecord", "arecords", ["arec"], "A RRset (IPv4 addresses)", HOST_OWNER_NAME,
        {"ipv4Addresses": set_of("IPv4 addresses; each is one A record.",
                                 ipv4("An IPv4 address, e.g. 192.0.2.1."))},
        ["ipv4Addresses"],
        [{"name": "Addresses", "type": "string", "jsonPath": ".spec.ipv4Addresses",
          "description": "IPv4 addresses."}]))
    out.append(record(
        "AAAARecord", "aaaarecords", ["aaaarec"], "AAAA RRset (IPv6 addresses)",
        HOST_OWNER_NAME,
        {"ipv6Addresses": set_of("IPv6 addresses; each is one AAAA record.",
                                 s("An IPv6 address, e.g. 2001:db8::1.", format="ipv6",
                                   maxLength=45))},
        ["ipv6Addresses"],
        [{"name": "Addresses", "type": "string", "jsonPath": ".spec.ipv6Addresses",
          "description": "IPv6 addresses."}]))
    out.append(record(
        "CNAMERecord", "cnamerecords", ["cnamerec"], "CNAME record (an alias)", OWNER_NAME,
        {"target": s("The canonical name (relative to the zone unless it ends with a dot; "
                     "\"@\" is the apex).", minLength=1, maxLength=NAME_MAX,
                     pattern=DOMAIN_NAME)},
        ["target"],
        [{"name": "Target", "type": "string", "jsonPath": ".spec.target",
          "description": "Canonical name."}],
        spec_rules=[{"rule": "self.name != '@'",
                     "message": "a CNAME cannot be at the zone apex (\"@\"), which has SOA and "
                                "NS records",
                     "fieldPath": ".name"}]))
    out.append(record(
        "TXTRecord", "txtrecords", ["txtrec"], "TXT RRset", OWNER_NAME,
        {"texts": set_of("Texts; each is one TXT record. A text longer than 255 octets is "
                         "split into 255-octet character-strings of that one record.",
                         s("UTF-8 text.", maxLength=65000))},
        ["texts"],
        [{"name": "Texts", "type": "string", "priority": 1, "jsonPath": ".spec.texts",
          "description": "Texts."}]))
    out.append(record(
        "MXRecord", "mxrecords", ["mxrec"], "MX RRset (mail exchangers)", OWNER_NAME,
        {"mailExchangers": arr(
            "Mail exchangers; each is one MX record.",
            obj("One MX record.", {
                "preference": i32("Lower is preferred.", 0, 65535),
                "exchange": s("Host name of the mail server (relative to the zone unless it "
                              "ends with a dot); \".\" alone is a null MX (RFC 7505).",
                              minLength=1, maxLength=NAME_MAX, pattern=HOST_NAME_OR_ROOT),
            }, required=["preference", "exchange"]),
            minItems=1, maxItems=100, **{"x-kubernetes-list-type": "atomic",
                                         "x-kubernetes-validations": [{
                                             "rule": "!self.exists(m, m.exchange == '.') || "
                                                     "(size(self) == 1 && "
                                                     "self[0].preference == 0)",
                                             "message": "a null MX (exchange \".\") must be "
                                                        "the only mail exchanger and have "
                                                        "preference 0 (RFC 7505)"}]})},
        ["mailExchangers"],
        [{"name": "Mail Exchangers", "type": "string", "jsonPath": ".spec.mailExchangers",
          "description": "Preferences and mail servers."}]))
    out.append(record(
        "NSRecord", "nsrecords", ["nsrec"], "NS RRset (a delegation)", OWNER_NAME,
        {"nameServers": set_of("Host names of the delegated zone's name servers (relative to "
                               "the zone unless they end with a dot); each is one NS record.",
                               s("A host name.", minLength=1, maxLength=NAME_MAX,
                                 pattern=HOST_NAME))},
        ["nameServers"],
        [{"name": "Name Servers", "type": "string", "jsonPath": ".spec.nameServers",
          "description": "Delegated name servers."}],
        spec_rules=[{"rule": "self.name != '@'",
                     "message": "the apex NS records come from the DNSZone's spec.nameServers; "
                                "NSRecord is for delegations below the apex",
                     "fieldPath": ".name"}]))
    out.append(record(
        "SRVRecord", "srvrecords", ["srvrec"], "SRV RRset (RFC 2782 service locations)",
        SRV_OWNER_NAME,
        {"services": arr(
            "Service locations; each is one SRV record.",
            obj("One SRV record.", {
                "priority": i32("Lower is tried first.", 0, 65535),
                "weight": i32("Relative weight among equal priorities.", 0, 65535),
                "port": i32("TCP or UDP port of the service.", 0, 65535),
                "target": s("Host name providing the service (relative to the zone unless it "
                            "ends with a dot); \".\" means the service is not available.",
                            minLength=1, maxLength=NAME_MAX, pattern=HOST_NAME_OR_ROOT),
            }, required=["priority", "weight", "port", "target"]),
            minItems=1, **{"x-kubernetes-list-type": "atomic"})},
        ["services"],
        [{"name": "Services", "type": "string", "jsonPath": ".spec.services",
          "description": "Priority, weight, port and target of each SRV record."}]))
    out.append(record(
        "CAARecord", "caarecords", ["caarec"], "CAA RRset (RFC 8659 certification authority "
        "authorization)", OWNER_NAME,
        {"entries": arr(
            "CAA properties; each is one CAA record.",
            obj("One CAA record.", {
                "flags": i32("Flags octet; 128 is the issuer-critical flag.", 0, 255,
                             default=0),
                "tag": s("Property tag, e.g. issue, issuewild, iodef.", pattern=CAA_TAG),
                "value": s("Property value, e.g. letsencrypt.org.", maxLength=4096),
            }, required=["tag", "value"]),
            minItems=1, **{"x-kubernetes-list-type": "atomic"})},
        ["entries"],
        [{"name": "Entries", "type": "string", "jsonPath": ".spec.entries",
          "description": "Flags, tag and value of each CAA record."}]))
    out.append(record(
        "PTRRecord", "ptrrecords", ["ptrrec"], "PTR RRset (reverse mapping or DNS-SD "
        "service instance)", OWNER_NAME,
        {"targets": set_of("Domain names pointed to (relative to the zone unless they end "
                           "with a dot); each is one PTR record.",
                           s("A domain name.", minLength=1, maxLength=NAME_MAX,
                             pattern=DOMAIN_NAME))},
        ["targets"],
        [{"name": "Targets", "type": "string", "jsonPath": ".spec.targets",
          "description": "Domain names."}]))
    out.append(record(
        "NAPTRRecord", "naptrrecords", ["naptrrec"], "NAPTR RRset (RFC 3403 rewrite rules: "
        "ENUM, SIP service discovery)", OWNER_NAME,
        {"rules": arr(
            "Rewrite rules; each is one NAPTR record.",
            obj("One NAPTR record.", {
                "order": i32("Rules are processed in this order, lowest first.", 0, 65535),
                "preference": i32("Among rules of equal order, lower is preferred.", 0, 65535),
                "flags": s("Letters and digits, e.g. S (an SRV lookup follows), A, U (the "
                           "result is a URI), P.", maxLength=255, pattern=r"^[A-Za-z0-9]*$",
                           default=""),
                "services": s("Service parameters, e.g. SIP+D2U or E2U+sip.", maxLength=255,
                              default=""),
                "regexp": s("Substitution expression applied to the client's string, e.g. "
                            "!^.*$!sip:info@example.com!; excludes replacement.",
                            maxLength=255, default=""),
                "replacement": s("The next domain name to look up (relative to the zone "
                                 "unless it ends with a dot); \".\" (the default) when "
                                 "regexp is used.", minLength=1, maxLength=NAME_MAX,
                                 pattern=rf"^(\.|@|{LABEL}(\.{LABEL})*\.?)$", default="."),
            }, required=["order", "preference"],
                **{"x-kubernetes-validations": [{
                    "rule": "!has(self.regexp) || self.regexp == '' || "
                            "!has(self.replacement) || self.replacement == '.'",
                    "message": "regexp and replacement exclude each other (RFC 3403)"}]}),
            minItems=1, maxItems=100, **{"x-kubernetes-list-type": "atomic"})},
        ["rules"],
        [{"name": "Rules", "type": "string", "priority": 1, "jsonPath": ".spec.rules",
          "description": "Order, preference, flags, services, regexp, replacement."}]))
    out.append(record(
        "DNAMERecord", "dnamerecords", ["dnamerec"], "DNAME record (RFC 6672: the names below "
        "it are aliases of the names below the target)", OWNER_NAME,
        {"target": s("The target domain (relative to the zone unless it ends with a dot).",
                     minLength=1, maxLength=NAME_MAX, pattern=DOMAIN_NAME)},
        ["target"],
        [{"name": "Target", "type": "string", "jsonPath": ".spec.target",
          "description": "Target domain."}]))
    out.append(record(
        "SSHFPRecord", "sshfprecords", ["sshfprec"], "SSHFP RRset (RFC 4255 SSH host key "
        "fingerprints)", HOST_OWNER_NAME,
        {"fingerprints": arr(
            "Host key fingerprints; each is one SSHFP record.",
            obj("One SSHFP record.", {
                "algorithm": i32("Key algorithm: 1 RSA, 2 DSA, 3 ECDSA, 4 Ed25519, 6 Ed448.",
                                 0, 255),
                "type": i32("Fingerprint type: 1 SHA-1 (20 octets), 2 SHA-256 (32 octets).",
                            0, 255),
                "fingerprint": s("The fingerprint in hex (spaces allowed), as `ssh-keygen -r` "
                                 "prints it.", minLength=2, maxLength=1024, pattern=HEX),
            }, required=["algorithm", "type", "fingerprint"]),
            minItems=1, maxItems=100, **{"x-kubernetes-list-type": "atomic"})},
        ["fingerprints"],
        [{"name": "Fingerprints", "type": "string", "priority": 1,
          "jsonPath": ".spec.fingerprints", "description": "Algorithm, type, fingerprint."}]))
    out.append(record(
        "TLSARecord", "tlsarecords", ["tlsarec"], "TLSA RRset (RFC 6698 DANE certificate "
        "associations)", SRV_OWNER_NAME,
        {"associations": arr(
            "Certificate associations; each is one TLSA record.",
            obj("One TLSA record.", {
                "usage": i32("Certificate usage: 0 PKIX-TA, 1 PKIX-EE, 2 DANE-TA, 3 DANE-EE.",
                             0, 255),
                "selector": i32("0 the full certificate, 1 its SubjectPublicKeyInfo.", 0, 255),
                "matchingType": i32("0 exact, 1 SHA-256 (32 octets), 2 SHA-512 (64 octets).",
                                    0, 255),
                "data": s("Certificate association data in hex (spaces allowed).",
                          minLength=2, maxLength=8192, pattern=HEX),
            }, required=["usage", "selector", "matchingType", "data"]),
            minItems=1, maxItems=100, **{"x-kubernetes-list-type": "atomic"})},
        ["associations"],
        [{"name": "Associations", "type": "string", "priority": 1,
          "jsonPath": ".spec.associations",
          "description": "Usage, selector, matching type, data."}]))
    for kind, plural, short, what in (
            ("SVCBRecord", "svcbrecords", "svcbrec", "SVCB RRset (RFC 9460 service bindings)"),
            ("HTTPSRecord", "httpsrecords", "httpsrec", "HTTPS RRset (RFC 9460 service "
             "bindings for HTTPS)")):
        out.append(record(
            kind, plural, [short], what, OWNER_NAME,
            {"bindings": arr(
                "Service bindings; each is one record.",
                obj("One service binding.", {
                    "priority": i32("0: AliasMode (target names the service's real name, no "
                                    "params); 1 or more: ServiceMode, lower preferred.",
                                    0, 65535),
                    "target": s("TargetName (relative to the zone unless it ends with a "
                                "dot); \".\" is the owner itself in ServiceMode.",
                                minLength=1, maxLength=NAME_MAX, pattern=HOST_NAME_OR_ROOT),
                    "params": s("SvcParams in RFC 9460 presentation form, e.g. "
                                "`alpn=h2,h3 port=8443 ipv4hint=192.0.2.1` (keys: mandatory, "
                                "alpn, no-default-alpn, port, ipv4hint, ech, ipv6hint, "
                                "dohpath, ohttp, keyNNNNN).", maxLength=65000, default=""),
                }, required=["priority", "target"]),
                minItems=1, maxItems=100, **{"x-kubernetes-list-type": "atomic"})},
            ["bindings"],
            [{"name": "Bindings", "type": "string", "priority": 1,
              "jsonPath": ".spec.bindings", "description": "Priority, target, params."}]))
    return out


# ---------------------------------------------------------------------------- DNSServer

def dnsserver():
    spec = obj(
        "A BIND 9 server that zonekeeper updates (Primary) or watches (Secondary), or a "
        "Technitium DNS Server it writes through its API (Primary).",
        {
            "role": s("Primary servers receive RFC 2136 UPDATEs; Secondary servers transfer "
                      "the zone from their primary and are only checked (SOA serial).",
                      enum=["Primary", "Secondary"]),
            "external": obj(
                "A server that already runs, in or outside the cluster. (A later `managed` "
                "alternative will describe servers zonekeeper deploys itself.)",
                {
                    "address": s("IP address or host name of the server.", minLength=1,
                                 maxLength=253,
                                 **{"x-kubernetes-validations": [{
                                     "rule": "isIP(self) || (self.matches('" +
                                             ABS_HOST_NAME.replace("\\", "\\\\") + "') && "
                                             "!self.matches('(^|\\\\.)[0-9]+\\\\.?$'))",
                                     "message": "address must be an IPv4 or IPv6 address or a "
                                                "host name"}]}),
                    "port": i32("DNS port (UDP and TCP).", 1, 65535, default=53),
                    "technitium": obj(
                        "The server is a Technitium DNS Server, written through its HTTP API "
                        "instead of RFC 2136; address and port stay its DNS endpoint (one SOA "
                        "query detects change). Primary only.",
                        {
                            "url": s("Base URL of the API, http(s)://host[:port][/path] (port "
                                     "5380 by default in Technitium).", minLength=8,
                                     maxLength=2048, pattern="^https?://[^@/?#\\s]+(/[^?#\\s]*)?$"),
                            "credentialsSecretRef": object_ref(
                                "Secret in this namespace with data key `token` (an API "
                                "token), or `username` and `password` (a session token is "
                                "minted and renewed)."),
                            "caBundle": s("PEM certificates that verify an https URL (default: "
                                          "the system roots).", maxLength=65536),
                            "insecureSkipTLSVerify": {
                                "type": "boolean", "default": False,
                                "description": "Do not verify the server's certificate (tests "
                                               "only: the token could be read by anyone in "
                                               "the middle)."},
                            "requestsPerSecond": i32("Rate limit on API calls; 0: none.", 0,
                                                     1000, default=10),
                            "createZones": {
                                "type": "boolean", "default": False,
                                "description": "Create a Primary zone (zones/create) that a "
                                               "DNSZone names and the server lacks; else "
                                               "ZoneNotFound."},
                        },
                        required=["url", "credentialsSecretRef"]),
                },
                required=["address"]),
            "tsigKeySecretRef": object_ref(
                "Secret in this namespace holding the TSIG key: data keys `name`, "
                "`algorithm` (hmac-sha1, hmac-sha224, hmac-sha256, hmac-sha384, "
                "hmac-sha512) and `secret` (base64, as tsig-keygen prints it). Required for "
                "a Primary."),
            "primaryServerRef": object_ref(
                "For a Secondary: the DNSServer (same namespace) it transfers from."),
            "timeoutSeconds": i32("Timeout of one DNS operation against this server.", 1, 300,
                                  default=5),
            "catalogZone": s("A catalog zone (RFC 9432) on this Primary in which zonekeeper "
                             "keeps the zones it serves there as members, so that the "
                             "server's catalog consumers (its Secondaries' catalog-zones, the "
                             "agent of a server zonekeeper runs) create and delete them. A "
                             "DNSZone alone then creates its zone; deleting it deletes the "
                             "zone. Set by Bind9Instance for the servers it runs.",
                             minLength=1, maxLength=200, pattern=ZONE_NAME),
            "allowedNamespaces": label_selector(
                "Label selector over Namespaces: DNSZones of the namespaces it matches ({} "
                "matches all) may use this server (their spec.servers.namespace names this "
                "one), and write any zone name on it. Absent: only DNSZones of this namespace. "
                "The TSIG Secret stays here and is never copied."),
        },
        required=["role"],
        **{"x-kubernetes-validations": [
            {"rule": "(has(self.external) ? 1 : 0) == 1",
             "message": "exactly one of external or managed must be set (v1alpha1 has only "
                        "external)"},
            {"rule": "self.role != 'Secondary' || has(self.primaryServerRef)",
             "message": "primaryServerRef is required when role is Secondary",
             "fieldPath": ".primaryServerRef"},
            {"rule": "self.role != 'Primary' || !has(self.primaryServerRef)",
             "message": "primaryServerRef is only allowed when role is Secondary",
             "fieldPath": ".primaryServerRef"},
            {"rule": "self.role != 'Primary' || has(self.tsigKeySecretRef) || "
                     "has(self.external.technitium)",
             "message": "tsigKeySecretRef is required when role is Primary (zonekeeper sends "
                        "only TSIG-signed UPDATEs)",
             "fieldPath": ".tsigKeySecretRef"},
            {"rule": "!has(self.external.technitium) || self.role == 'Primary'",
             "message": "a Technitium server is a Primary (zonekeeper writes it through its API)",
             "fieldPath": ".role"},
            {"rule": "!has(self.catalogZone) || (self.role == 'Primary' && "
                     "!has(self.external.technitium))",
             "message": "catalogZone is only for a Primary written with RFC 2136",
             "fieldPath": ".catalogZone"},
            {"rule": "!has(self.external.technitium) || !has(self.tsigKeySecretRef)",
             "message": "tsigKeySecretRef is not used with external.technitium (the API "
                        "credentials are in external.technitium.credentialsSecretRef)",
             "fieldPath": ".tsigKeySecretRef"},
        ]})
    status = obj("What the controller observed.", {
        "conditions": CONDITIONS,
        "observedGeneration": OBSERVED_GENERATION,
        "zones": arr("Zones (absolute names) this server serves for DNSZone objects.",
                     {"type": "string"}, **{"x-kubernetes-list-type": "set"}),
        "lastContactTime": s("When the server last answered.", format="date-time"),
    })
    columns = [
        {"name": "Role", "type": "string", "jsonPath": ".spec.role",
         "description": "Primary or Secondary."},
        {"name": "Address", "type": "string", "jsonPath": ".spec.external.address",
         "description": "Server address."},
        {"name": "Port", "type": "integer", "jsonPath": ".spec.external.port",
         "description": "Server port."},
        *ready_columns(),
        {"name": "Primary", "type": "string", "priority": 1,
         "jsonPath": ".spec.primaryServerRef.name",
         "description": "A Secondary's primary."},
        AGE,
    ]
    root_rules = [{
        "rule": "!has(self.spec.primaryServerRef) || "
                "self.spec.primaryServerRef.name != self.metadata.name",
        "message": "a Secondary cannot be its own primary",
        "fieldPath": ".spec.primaryServerRef.name",
    }]
    return crd("DNSServer", "dnsservers", ["dnssrv"],
               "DNSServer is a BIND 9 (or Technitium) server that serves DNSZone objects.",
               spec, status,
               columns, root_rules)


# ---------------------------------------------------------------------------- Bind9Instance

# spec.storage.size: bytes, a decimal number with an optional suffix (no milli-units).
STORAGE_QUANTITY = r"^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$"
# spec.resources: the same, plus milli-units (cpu: 100m).
RESOURCE_QUANTITY = r"^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?$"
# A resource name (a Kubernetes qualified name): [prefix/]name.
RESOURCE_NAME = (r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
                 r"[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
# An instance's name names its StatefulSet and Services (RFC 1035 labels) and, with "-" and
# a 10-character revision hash, its Pods' controller-revision-hash label (63 at most).
INSTANCE_NAME = r"^[a-z]([-a-z0-9]*[a-z0-9])?$"


def quantities(desc):
    return {
        "type": "object", "description": desc, "maxProperties": 16,
        "additionalProperties": {
            "x-kubernetes-int-or-string": True, "pattern": RESOURCE_QUANTITY, "minimum": 0,
            "description": "A quantity: an integer, or a decimal number with an optional "
                           "suffix (m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei)."},
        "x-kubernetes-validations": [{
            "rule": "self.all(k, size(k) <= 317 && k.matches('" +
                    RESOURCE_NAME.replace("\\", "\\\\") + "'))",
            "message": "keys must be resource names (cpu, memory, ephemeral-storage, "
                       "example.com/device)"}],
    }


# The forbidden DNS ports: what the Pod uses itself (src/api/bind9_instance.h).
RESERVED_PORTS = [
    (953, "port 953 is named's control channel inside the Pod (rndc)"),
    (5300, "port 5300 is the agent's NOTIFY listener inside the Pod"),
]


def bind9_server_settings():
    """The server settings of a Bind9Instance's spec, which a Bind9Cluster's spec shares."""
    # One allowQuery element, without its "!": a keyword, an address or a CIDR whose bits
    # beyond the prefix are zero (named refuses "10.0.0.1/8").
    e = "(self.startsWith('!') ? self.substring(1) : self)"
    return {
        "image": s("The BIND 9 image (default: the controller's --bind9-image).",
                   minLength=1, maxLength=512, pattern=r"^\S+$"),
        "imagePullPolicy": s("When the kubelet pulls the image.",
                             enum=["Always", "IfNotPresent", "Never"],
                             default="IfNotPresent"),
        "port": i32("DNS port (UDP and TCP) of the Pods and of the Service; not 953 or 5300 "
                    "(the Pod's own).", 1, 65535, default=53,
                    **{"x-kubernetes-validations": [
                        {"rule": f"self != {port}", "message": message}
                        for port, message in RESERVED_PORTS]}),
        "allowQuery": arr(
            "Who may query (named's allow-query, first match wins): any, none, localhost, "
            "localnets, an IP address or address/prefix, each optionally after \"!\" "
            "(negation).",
            s("An address match list element.", minLength=1, maxLength=64,
              **{"x-kubernetes-validations": [{
                  "rule": f"{e} in ['any', 'none', 'localhost', 'localnets'] || "
                          f"isIP({e}) || (isCIDR({e}) && cidr({e}).masked() == cidr({e}))",
                  "message": "must be any, none, localhost, localnets, an IP address or "
                             "address/prefix with no bit set beyond the prefix, "
                             "optionally after one \"!\""}]}),
            minItems=1, maxItems=32, default=["any"], **{"x-kubernetes-list-type": "atomic"}),
        "rateLimit": obj(
            "Response rate limiting (named's rate-limit).",
            {"responsesPerSecond": i32("Identical responses per second to one client "
                                       "network; absent: no limit.", 1, 10000)}),
        "logQueries": {"type": "boolean", "default": False,
                       "description": "Log every query (named's querylog)."},
        "allowedNamespaces": label_selector(
            "Label selector over Namespaces, given to the DNSServers zonekeeper creates: "
            "DNSZones of the namespaces it matches ({} matches all) may use them with "
            "spec.servers.namespace. Absent: only DNSZones of this namespace."),
    }


def bind9_storage(desc, delete_desc, remedy):
    """Each Pod's volume; size and storageClassName immutable (`remedy` says what to do)."""
    return obj(desc, {
        "size": s("Requested size, a quantity of bytes (512Mi, 1Gi, 10G).",
                  maxLength=64, pattern=STORAGE_QUANTITY, default="1Gi",
                  **{"x-kubernetes-validations": [{
                      "rule": "self.matches('[1-9]')",
                      "message": "size must be more than zero"}]}),
        "storageClassName": s("StorageClass of the claims (default: the cluster's "
                              "default class; \"\": no class, pre-provisioned "
                              "volumes only).", maxLength=253,
                              pattern=r"^(" + K8S_NAME[1:-1] + r")?$"),
        "deleteOnRemove": {"type": "boolean", "default": False, "description": delete_desc},
    }, default={}, **{"x-kubernetes-validations": [{
        "rule": "has(self.size) == has(oldSelf.size) && (!has(self.size) || "
                "self.size == oldSelf.size) && has(self.storageClassName) == "
                "has(oldSelf.storageClassName) && (!has(self.storageClassName) || "
                "self.storageClassName == oldSelf.storageClassName)",
        "message": "storage.size and storage.storageClassName are immutable (a "
                   "StatefulSet's volumeClaimTemplates cannot change): " + remedy}]})


def bind9_resources():
    return obj(
        "Compute resources of the named container.",
        {
            "requests": quantities("Quantities requested, by resource name."),
            "limits": quantities("Quantities allowed at most, by resource name."),
        })


def bind9_status(conditions_desc, type_desc, fields):
    """Status of a Bind9Instance or Bind9Cluster: Ready and one condition per Pod or instance
    (24 at most), observedGeneration, then `fields`."""
    conditions = copy.deepcopy(CONDITIONS)
    conditions["maxItems"] = 24
    conditions["description"] = conditions_desc
    conditions["items"]["properties"]["type"]["description"] = type_desc
    return obj("What the controller observed.", {
        "conditions": conditions,
        "observedGeneration": OBSERVED_GENERATION,
        **fields,
    })


def dns_label_name_rule(most, why):
    return {"rule": f"size(self.metadata.name) <= {most} && self.metadata.name.matches('" +
                    INSTANCE_NAME + "')",
            "message": f"the name must be a DNS label of at most {most} characters that starts "
                       f"with a letter ({why})"}


def bind9instance():
    spec = obj(
        "A BIND 9 server set that zonekeeper deploys and runs: a Primary (one Pod) or "
        "Secondaries (N Pods transferring from a Primary instance), each Pod with its own "
        "volume, served to DNSZones through DNSServer objects the instance owns.",
        {
            "role": s("Primary: one Pod that zonekeeper writes with RFC 2136 UPDATEs. "
                      "Secondary: Pods that transfer every zone of primaryRef (catalog "
                      "zone consumers). Immutable.", enum=["Primary", "Secondary"],
                      **{"x-kubernetes-validations": [{
                          "rule": "self == oldSelf",
                          "message": "role is immutable: create another instance"}]}),
            "replicas": i32("Number of Pods; a Primary has exactly one.", 1, 16, default=1),
            "primaryRef": object_ref(
                "For a Secondary: the Primary Bind9Instance (same namespace) it transfers "
                "from. Forbidden for a Primary."),
            **bind9_server_settings(),
            "storage": bind9_storage(
                "Each Pod's volume (a PersistentVolumeClaim from the StatefulSet's "
                "volumeClaimTemplates): zones, journals and the catalog survive a restart.",
                "Delete the claims (and so, usually, the zones' data) when the instance is "
                "deleted; else they are kept (persistentVolumeClaimRetentionPolicy).",
                "create another instance"),
            "resources": bind9_resources(),
        },
        required=["role"],
        **{"x-kubernetes-validations": [
            {"rule": "self.role != 'Primary' || !has(self.replicas) || self.replicas == 1",
             "message": "a Primary is one Pod (RFC 2136 needs one writer); scale reads with a "
                        "Secondary instance",
             "fieldPath": ".replicas"},
            {"rule": "self.role != 'Secondary' || has(self.primaryRef)",
             "message": "primaryRef is required when role is Secondary",
             "fieldPath": ".primaryRef"},
            {"rule": "self.role != 'Primary' || !has(self.primaryRef)",
             "message": "primaryRef is only allowed when role is Secondary",
             "fieldPath": ".primaryRef"},
        ]})
    status = bind9_status(
        "Conditions in the Kubernetes convention (metav1.Condition): Ready, and Pod-0, Pod-1, "
        "... one per Pod. Types and reasons: docs/api.md.",
        "Condition type: Ready or Pod-N.", {
            "replicas": i32("Pods the StatefulSet has.", 0, INT32_MAX),
            "readyReplicas": i32("Pods that are ready.", 0, INT32_MAX),
            "serviceAddress": s("The cluster IP of the instance's Service."),
            "dnsServers": arr("The DNSServer objects the instance created.", {"type": "string"},
                              **{"x-kubernetes-list-type": "set"}),
            "keys": obj("A Primary's keys (docs/api.md \"Key rotation\"); no secret is here.", {
                "names": arr("The TSIG keys its servers accept, the one that signs first; its "
                             "Secondaries follow this list.", {"type": "string"}),
                "rotation": s("The dns.zonekeeper.io/rotate-keys value acted on last."),
                "phase": s("Where that rotation is.",
                           enum=["Done", "Adding", "Switching", "Dropping"]),
                "waitingFor": s("While a rotation waits: for what."),
            }),
        })
    columns = [
        {"name": "Role", "type": "string", "jsonPath": ".spec.role",
         "description": "Primary or Secondary."},
        {"name": "Replicas", "type": "integer", "jsonPath": ".spec.replicas",
         "description": "Pods wanted."},
        {"name": "Ready-Pods", "type": "integer", "jsonPath": ".status.readyReplicas",
         "description": "Pods that are ready."},
        {"name": "Address", "type": "string", "jsonPath": ".status.serviceAddress",
         "description": "The Service's cluster IP."},
        *ready_columns(),
        AGE,
    ]
    root_rules = [
        {"rule": "!has(self.spec.primaryRef) || "
                 "self.spec.primaryRef.name != self.metadata.name",
         "message": "a Secondary cannot be its own primary",
         "fieldPath": ".spec.primaryRef.name"},
        dns_label_name_rule(52, "it names the StatefulSet, its Services and Pods"),
    ]
    return crd("Bind9Instance", "bind9instances", ["b9i"],
               "Bind9Instance is a BIND 9 server set (a Primary, or Secondaries of one) that "
               "zonekeeper deploys and serves DNSZones with.", spec, status, columns,
               root_rules)


# ---------------------------------------------------------------------------- Bind9Cluster

def bind9cluster_parts(what):
    """The spec properties, status and printer columns a Bind9Cluster and a Bind9GlobalCluster
    share (`what`: "cluster" or "global cluster", in the messages)."""
    def role(desc, storage_desc, delete_desc, extra=None):
        return obj(desc, {
            **(extra or {}),
            "storage": bind9_storage(storage_desc, delete_desc,
                                     f"create another {what}"),
            "resources": bind9_resources(),
        }, default={})

    props = {
        **bind9_server_settings(),
        "primary": role(
            "The Primary instance <name>-primary (one Pod).",
            "The Primary's volume: zones, journals and the catalog survive a restart.",
            f"Delete the Primary's claim when the {what} is deleted; else it is kept."),
        "secondaries": role(
            "The Secondary instances <name>-secondary-0, -1, ...",
            "Each Secondary Pod's volume.",
            f"Delete a Secondary instance's claims when it is removed (the {what} deleted "
            "or secondaries.instances lowered); else they are kept.",
            {
                "instances": i32("Number of Secondary Bind9Instances.", 0, 16, default=1),
                "replicas": i32("Pods of each Secondary Bind9Instance.", 1, 16, default=1),
            }),
    }
    status = bind9_status(
        "Conditions in the Kubernetes convention (metav1.Condition): Ready, and Bind9Instance-0 "
        "(the Primary), Bind9Instance-1, ... (the Secondaries in order). Types and reasons: "
        "docs/api.md.",
        "Condition type: Ready or Bind9Instance-N.", {
            "instanceCount": i32(f"Bind9Instances the {what} has.", 0, INT32_MAX),
            "readyInstances": i32("Bind9Instances that are ready.", 0, INT32_MAX),
            "instances": arr(f"The Bind9Instance objects the {what} created.",
                             {"type": "string"}, **{"x-kubernetes-list-type": "set"}),
        })
    columns = [
        {"name": "Secondaries", "type": "integer", "jsonPath": ".spec.secondaries.instances",
         "description": "Secondary Bind9Instances wanted."},
        {"name": "Instances", "type": "integer", "jsonPath": ".status.instanceCount",
         "description": f"Bind9Instances the {what} has."},
        {"name": "Ready-Instances", "type": "integer", "jsonPath": ".status.readyInstances",
         "description": "Bind9Instances that are ready."},
        *ready_columns(),
        AGE,
    ]
    root_rules = [dns_label_name_rule(
        39, "its Bind9Instances are <name>-secondary-<i>, at most 52")]
    return props, status, columns, root_rules


def bind9cluster():
    props, status, columns, root_rules = bind9cluster_parts("cluster")
    spec = obj(
        "A Primary Bind9Instance <name>-primary and Secondary Bind9Instances "
        "<name>-secondary-<i> transferring from it, which zonekeeper creates and owns, with "
        "one set of server settings.", props)
    return crd("Bind9Cluster", "bind9clusters", ["b9c"],
               "Bind9Cluster is a Primary Bind9Instance and Secondary Bind9Instances of it that "
               "zonekeeper creates, owns and serves DNSZones with.", spec, status, columns,
               root_rules)


# ---------------------------------------------------------------------------- Bind9GlobalCluster

def bind9globalcluster():
    props, status, columns, root_rules = bind9cluster_parts("global cluster")
    allowed = copy.deepcopy(props.pop("allowedNamespaces"))
    allowed["description"] = (
        "Label selector over Namespaces, given to the DNSServers of its instances: DNSZones of "
        "the namespaces it matches ({} matches all) may use them with spec.servers.namespace "
        "set to namespace. Required.")
    spec = obj(
        "A Bind9Cluster that is not in a namespace: its Bind9Instances <name>-primary and "
        "<name>-secondary-<i> are made in namespace, and DNSZones of the namespaces "
        "allowedNamespaces matches use their DNSServers.",
        {
            "namespace": namespace_name(
                "The namespace its Bind9Instances (and their servers, keys and DNSServers) are "
                "made in. Immutable.",
                **{"x-kubernetes-validations": [{
                    "rule": "self == oldSelf",
                    "message": "namespace is immutable: create another global cluster"}]}),
            "allowedNamespaces": allowed,
            **props,
        },
        required=["namespace", "allowedNamespaces"])
    columns = [
        {"name": "Namespace", "type": "string", "jsonPath": ".spec.namespace",
         "description": "Where its Bind9Instances are."},
        *columns,
    ]
    return crd("Bind9GlobalCluster", "bind9globalclusters", ["b9gc"],
               "Bind9GlobalCluster is a cluster-scoped Bind9Cluster: its Bind9Instances live in "
               "spec.namespace and serve DNSZones of the namespaces spec.allowedNamespaces "
               "matches.", spec, status, columns, root_rules, scope="Cluster")


# ---------------------------------------------------------------------------- output

def all_crds():
    return [dnszone(), *records(), dnsserver(), bind9instance(), bind9cluster(),
            bind9globalcluster()]


class Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data):  # shared sub-schemas are written out in full
        return True


def _str(dumper, value):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


Dumper.add_representer(str, _str)


def render(c):
    header = (f"# {c['spec']['names']['kind']} ({c['spec']['group']}/{VERSION}). "
              "Generated by deploy/crds/generate.py; edit that, not this file.\n"
              "# Reference: docs/api.md.\n")
    return header + yaml.dump(c, Dumper=Dumper, sort_keys=False, width=4096,
                              default_flow_style=False)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    stale = []
    for c in all_crds():
        path = os.path.join(args.out, c["spec"]["names"]["plural"] + ".yaml")
        text = render(c)
        if args.check:
            try:
                with open(path, encoding="utf-8") as f:
                    if f.read() != text:
                        stale.append(path)
            except FileNotFoundError:
                stale.append(path)
        else:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
    if stale:
        print("out of date (run deploy/crds/generate.py):", *stale, sep="\n  ", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

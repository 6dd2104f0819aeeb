# ruff: noqa: E501  (a table of exact inputs and messages reads best one per line)
"""Bad specs: each case asserts every problem exactly (line, column, spec path, message).

Cases are small inline specs named for what is wrong. ``T`` is a minimal valid head (tenant on one
line), ``BASE`` adds a declared domain, ``SA`` an application service account without credential.
"""

from __future__ import annotations

import pytest

from o365relay.errors import SpecError
from o365relay.spec.loader import load_text

BASE = """version: 1
tenant:
  id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a
  initialDomain: contoso.onmicrosoft.com
domains:
  contoso.com: {}
"""
T = "version: 1\ntenant: {id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a, initialDomain: contoso.onmicrosoft.com}\n"
SA = BASE + "serviceAccounts:\n  app:\n    kind: application\n    mailbox: app@contoso.com\n"
CREDENTIAL = "    credential: {type: secret}\n"


def connector(ips: str) -> str:
    return BASE + f"connectors:\n  dc1:\n    senderIPs: [{ips}]\n"


def alias_bomb(levels: int = 9) -> str:
    """The billion-laughs shape: each level is nine aliases of the one before."""
    lines = ["l0: &l0 [" + ", ".join(["lol"] * 9) + "]"]
    lines += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, levels)]
    return T + "\n".join(lines) + "\n"


CASES = {
    'version-as-string': (
        'version: "1"\ntenant: {id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a, initialDomain: contoso.onmicrosoft.com}\n',
        [
            (1, 10, 'spec.version', "expected an integer, got the string '1'"),
        ],
    ),
    'version-unsupported': (
        'version: 2\ntenant: {id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a, initialDomain: contoso.onmicrosoft.com}\n',
        [
            (1, 10, 'spec.version', '2 is not supported; write 1'),
        ],
    ),
    'tenant-missing': (
        'version: 1\ndomains: {}\n',
        [
            (1, 1, 'spec', "missing required key 'tenant': The Microsoft 365 tenant the relay lives in, and its org-wide mail settings"),
        ],
    ),
    'tenant-id-not-guid': (
        'version: 1\ntenant:\n  id: contoso\n  initialDomain: contoso.onmicrosoft.com\n',
        [
            (3, 7, 'spec.tenant.id', "'contoso' must be a tenant GUID, for example 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a"),
        ],
    ),
    'top-level-key-typo': (
        'version: 1\ntenant: {id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a, initialDomain: contoso.onmicrosoft.com}\nconnector: {}\n',
        [
            (3, 1, 'spec.connector', "unknown key 'connector'; did you mean 'connectors'?"),
        ],
    ),
    'tenant-unknown-key': (
        'version: 1\ntenant: {id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a, initialDomain: contoso.onmicrosoft.com, region: eu}\n',
        [
            (2, 92, 'spec.tenant.region', "unknown key 'region'; allowed here: connectionFilter, defaultAuthenticationPolicy, evidence, id, initialDomain, rejectDirectSend, smtpAuth"),
        ],
    ),
    'smtp-auth-unquoted-off': (
        'version: 1\ntenant: {id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a, initialDomain: contoso.onmicrosoft.com, smtpAuth: off}\n',
        [
            (2, 102, 'spec.tenant.smtpAuth', "expected 'enabled' or 'disabled', or a mapping (key: value lines), got the boolean false (YAML reads unquoted yes/no/on/off as true/false; quote the value)"),
        ],
    ),
    'reject-direct-send-string': (
        'version: 1\ntenant: {id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a, initialDomain: contoso.onmicrosoft.com, rejectDirectSend: always}\n',
        [
            (2, 110, 'spec.tenant.rejectDirectSend', "expected true or false, or a mapping (key: value lines), got the string 'always'"),
        ],
    ),
    'duplicate-top-level-key': (
        'version: 1\ntenant: {id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a, initialDomain: contoso.onmicrosoft.com}\nversion: 1\n',
        [
            (3, 1, 'spec.version', "duplicate key 'version' (first at line 1); each key may appear once"),
        ],
    ),
    'duplicate-connector-name': (
        'version: 1\ntenant:\n  id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a\n  initialDomain: contoso.onmicrosoft.com\ndomains:\n  contoso.com: {}\nconnectors:\n  dc1:\n    senderIPs: [203.0.113.1]\n  dc1:\n    senderIPs: [203.0.113.2]\n',
        [
            (10, 3, 'spec.connectors.dc1', "duplicate key 'dc1' (first at line 8); each key may appear once"),
        ],
    ),
    'domains-as-list': (
        'version: 1\ntenant: {id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a, initialDomain: contoso.onmicrosoft.com}\ndomains: [contoso.com]\n',
        [
            (3, 10, 'spec.domains', 'expected a mapping (key: value lines), got a list'),
        ],
    ),
    'domain-upper-case': (
        'version: 1\ntenant: {id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a, initialDomain: contoso.onmicrosoft.com}\ndomains:\n  Contoso.com: {}\n',
        [
            (4, 3, 'spec.domains.Contoso.com', "'Contoso.com' has upper-case letters; write domain names in lower case: contoso.com"),
        ],
    ),
    'domain-without-dot': (
        'version: 1\ntenant: {id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a, initialDomain: contoso.onmicrosoft.com}\ndomains:\n  contoso: {}\n',
        [
            (4, 3, 'spec.domains.contoso', "'contoso' has no dot; write the fully qualified domain, e.g. contoso.com"),
        ],
    ),
    'dkim-key-size': (
        'version: 1\ntenant: {id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a, initialDomain: contoso.onmicrosoft.com}\ndomains:\n  contoso.com:\n    dkim: {keySize: 4096}\n',
        [
            (5, 21, 'spec.domains.contoso.com.dkim.keySize', '4096 is not allowed; use one of: 1024, 2048'),
        ],
    ),
    'dmarc-policy-missing': (
        'version: 1\ntenant: {id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a, initialDomain: contoso.onmicrosoft.com}\ndomains:\n  contoso.com:\n    dmarc: {pct: 50}\n',
        [
            (5, 12, 'spec.domains.contoso.com.dmarc', "missing required key 'policy': What receivers do with mail that fails DMARC: none, quarantine or reject"),
        ],
    ),
    'dmarc-policy-unknown': (
        'version: 1\ntenant: {id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a, initialDomain: contoso.onmicrosoft.com}\ndomains:\n  contoso.com:\n    dmarc: {policy: block}\n',
        [
            (5, 21, 'spec.domains.contoso.com.dmarc.policy', "'block' is not allowed; use one of: 'none', 'quarantine', 'reject'"),
        ],
    ),
    'dmarc-pct-out-of-range': (
        'version: 1\ntenant: {id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a, initialDomain: contoso.onmicrosoft.com}\ndomains:\n  contoso.com:\n    dmarc: {policy: reject, pct: 120}\n',
        [
            (5, 34, 'spec.domains.contoso.com.dmarc.pct', '120 is out of range; use a value from 0 to 100'),
        ],
    ),
    'dmarc-rua-not-mailto': (
        'version: 1\ntenant: {id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a, initialDomain: contoso.onmicrosoft.com}\ndomains:\n  contoso.com:\n    dmarc: {policy: reject, rua: [dmarc@contoso.com]}\n',
        [
            (5, 35, 'spec.domains.contoso.com.dmarc.rua[0]', "'dmarc@contoso.com' must be a mailto: URI, for example mailto:dmarc-reports@contoso.com"),
        ],
    ),
    'spf-all-pass': (
        'version: 1\ntenant: {id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a, initialDomain: contoso.onmicrosoft.com}\ndomains:\n  contoso.com:\n    spf: {all: +all}\n',
        [
            (5, 16, 'spec.domains.contoso.com.spf.all', "'+all' is not allowed; use one of: '-all', '~all'"),
        ],
    ),
    'spf-ip4-malformed': (
        'version: 1\ntenant: {id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a, initialDomain: contoso.onmicrosoft.com}\ndomains:\n  contoso.com:\n    spf: {ip4: [300.1.2.3]}\n',
        [
            (5, 17, 'spec.domains.contoso.com.spf.ip4[0]', "'300.1.2.3' must be an IPv4 address or CIDR range, for example 198.51.100.7"),
        ],
    ),
    'dns-azure-without-resource-group': (
        'version: 1\ntenant: {id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a, initialDomain: contoso.onmicrosoft.com}\ndomains:\n  contoso.com:\n    dns: {backend: azure}\n',
        [
            (5, 10, 'spec.domains.contoso.com.dns', "backend azure needs 'resourceGroup': the resource group of the DNS zone"),
        ],
    ),
    'dns-zone-not-parent': (
        'version: 1\ntenant: {id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a, initialDomain: contoso.onmicrosoft.com}\ndomains:\n  contoso.com:\n    dns: {backend: azure, resourceGroup: rg-dns, zone: fabrikam.com}\n',
        [
            (5, 56, 'spec.domains.contoso.com.dns.zone', "zone 'fabrikam.com' cannot hold records of contoso.com; use contoso.com or one of its parent domains"),
        ],
    ),
    'dns-resource-group-without-azure': (
        'version: 1\ntenant: {id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a, initialDomain: contoso.onmicrosoft.com}\ndomains:\n  contoso.com:\n    dns: {resourceGroup: rg-dns}\n',
        [
            (5, 11, 'spec.domains.contoso.com.dns.resourceGroup', "'resourceGroup' applies only with backend: azure; remove it or set backend: azure"),
        ],
    ),
    'sender-ip-rfc1918-10': (
        'version: 1\ntenant:\n  id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a\n  initialDomain: contoso.onmicrosoft.com\ndomains:\n  contoso.com: {}\nconnectors:\n  dc1:\n    senderIPs: [10.20.0.0/24]\n',
        [
            (9, 17, 'spec.connectors.dc1.senderIPs[0]', '10.20.0.0/24 is in private address space (RFC 1918, 10.0.0.0/8); a connector matches the public IPv4 address the mail leaves your network from (after NAT): use that address'),
        ],
    ),
    'sender-ip-rfc1918-192-168': (
        'version: 1\ntenant:\n  id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a\n  initialDomain: contoso.onmicrosoft.com\ndomains:\n  contoso.com: {}\nconnectors:\n  dc1:\n    senderIPs: [192.168.1.25]\n',
        [
            (9, 17, 'spec.connectors.dc1.senderIPs[0]', '192.168.1.25 is in private address space (RFC 1918, 192.168.0.0/16); a connector matches the public IPv4 address the mail leaves your network from (after NAT): use that address'),
        ],
    ),
    'sender-ip-loopback': (
        'version: 1\ntenant:\n  id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a\n  initialDomain: contoso.onmicrosoft.com\ndomains:\n  contoso.com: {}\nconnectors:\n  dc1:\n    senderIPs: [127.0.0.1]\n',
        [
            (9, 17, 'spec.connectors.dc1.senderIPs[0]', '127.0.0.1 is in loopback space (127.0.0.0/8); a connector matches the public IPv4 address the mail leaves your network from (after NAT): use that address'),
        ],
    ),
    'sender-ip-link-local': (
        'version: 1\ntenant:\n  id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a\n  initialDomain: contoso.onmicrosoft.com\ndomains:\n  contoso.com: {}\nconnectors:\n  dc1:\n    senderIPs: [169.254.10.1]\n',
        [
            (9, 17, 'spec.connectors.dc1.senderIPs[0]', '169.254.10.1 is in link-local space (169.254.0.0/16); a connector matches the public IPv4 address the mail leaves your network from (after NAT): use that address'),
        ],
    ),
    'sender-ip-cgnat': (
        'version: 1\ntenant:\n  id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a\n  initialDomain: contoso.onmicrosoft.com\ndomains:\n  contoso.com: {}\nconnectors:\n  dc1:\n    senderIPs: [100.64.12.1]\n',
        [
            (9, 17, 'spec.connectors.dc1.senderIPs[0]', '100.64.12.1 is in carrier-grade NAT space (RFC 6598, 100.64.0.0/10); a connector matches the public IPv4 address the mail leaves your network from (after NAT): use that address'),
        ],
    ),
    'sender-ip-multicast': (
        'version: 1\ntenant:\n  id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a\n  initialDomain: contoso.onmicrosoft.com\ndomains:\n  contoso.com: {}\nconnectors:\n  dc1:\n    senderIPs: [224.0.0.5]\n',
        [
            (9, 17, 'spec.connectors.dc1.senderIPs[0]', '224.0.0.5 is in multicast space (224.0.0.0/4); a connector matches the public IPv4 address the mail leaves your network from (after NAT): use that address'),
        ],
    ),
    'sender-ip-reserved': (
        'version: 1\ntenant:\n  id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a\n  initialDomain: contoso.onmicrosoft.com\ndomains:\n  contoso.com: {}\nconnectors:\n  dc1:\n    senderIPs: [240.0.0.1]\n',
        [
            (9, 17, 'spec.connectors.dc1.senderIPs[0]', '240.0.0.1 is in reserved space (RFC 1112, 240.0.0.0/4); a connector matches the public IPv4 address the mail leaves your network from (after NAT): use that address'),
        ],
    ),
    'sender-ip-ipv6': (
        'version: 1\ntenant:\n  id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a\n  initialDomain: contoso.onmicrosoft.com\ndomains:\n  contoso.com: {}\nconnectors:\n  dc1:\n    senderIPs: [2001:db8::25]\n',
        [
            (9, 17, 'spec.connectors.dc1.senderIPs[0]', "'2001:db8::25' is IPv6; Exchange connectors accept IPv4 sender addresses only"),
        ],
    ),
    'sender-ip-too-wide': (
        'version: 1\ntenant:\n  id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a\n  initialDomain: contoso.onmicrosoft.com\ndomains:\n  contoso.com: {}\nconnectors:\n  dc1:\n    senderIPs: [198.51.100.0/22]\n',
        [
            (9, 17, 'spec.connectors.dc1.senderIPs[0]', "'198.51.100.0/22' is a /22; Exchange accepts sender ranges from /24 to /32, so split it into /24s or list the addresses that send"),
        ],
    ),
    'sender-ip-host-bits': (
        'version: 1\ntenant:\n  id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a\n  initialDomain: contoso.onmicrosoft.com\ndomains:\n  contoso.com: {}\nconnectors:\n  dc1:\n    senderIPs: [203.0.113.9/29]\n',
        [
            (9, 17, 'spec.connectors.dc1.senderIPs[0]', "'203.0.113.9/29' has host bits set; write the network as 203.0.113.8/29"),
        ],
    ),
    'sender-ip-not-an-address': (
        'version: 1\ntenant:\n  id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a\n  initialDomain: contoso.onmicrosoft.com\ndomains:\n  contoso.com: {}\nconnectors:\n  dc1:\n    senderIPs: [printer-floor3]\n',
        [
            (9, 17, 'spec.connectors.dc1.senderIPs[0]', "'printer-floor3' is not an IPv4 address or CIDR range; write e.g. 203.0.113.25 or 203.0.113.0/28"),
        ],
    ),
    'sender-ip-overlap-between-connectors': (
        'version: 1\ntenant:\n  id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a\n  initialDomain: contoso.onmicrosoft.com\ndomains:\n  contoso.com: {}\nconnectors:\n  dc1:\n    senderIPs: [203.0.113.0/28]\n  dc2:\n    senderIPs: [203.0.113.7]\n',
        [
            (11, 17, 'spec.connectors.dc2.senderIPs[0]', '203.0.113.7 overlaps connectors.dc1.senderIPs[0]; Exchange could not tell which connector the mail belongs to'),
        ],
    ),
    'connector-without-ips-or-certificate': (
        'version: 1\ntenant:\n  id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a\n  initialDomain: contoso.onmicrosoft.com\ndomains:\n  contoso.com: {}\nconnectors:\n  dc1: {comment: printers}\n',
        [
            (8, 8, 'spec.connectors.dc1', "a connector needs 'senderIPs' or 'certificateName' to recognise the devices that relay through it"),
        ],
    ),
    'connector-sends-for-undeclared-domain': (
        'version: 1\ntenant:\n  id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a\n  initialDomain: contoso.onmicrosoft.com\ndomains:\n  contoso.com: {}\nconnectors:\n  dc1: {senderIPs: [203.0.113.1], sendsFor: [contoso.org]}\n',
        [
            (8, 46, 'spec.connectors.dc1.sendsFor[0]', "'contoso.org' is not a declared domain; did you mean 'contoso.com'?"),
        ],
    ),
    'connector-name-invalid': (
        'version: 1\ntenant:\n  id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a\n  initialDomain: contoso.onmicrosoft.com\ndomains:\n  contoso.com: {}\nconnectors:\n  DC_1: {senderIPs: [203.0.113.1]}\n',
        [
            (8, 3, 'spec.connectors.DC_1', "'DC_1' must be a name of lower-case letters, digits and hyphens (at most 64), for example dc1-relay"),
        ],
    ),
    'send-as-trustee-with-no-accounts-declared': (
        BASE + "sendAs:\n  - {trustee: app, mailbox: shared@contoso.com}\n",
        [
            (8, 15, 'spec.sendAs[0].trustee', "'app' is not a declared service account; none are declared"),
        ],
    ),
    'waiver-targets-name-nothing': (
        BASE + "connectors:\n  dc1:\n    senderIPs: [203.0.113.10]\nauthenticationPolicies:\n  Relay SMTP: {}\nwaivers:\n"
        + "".join(f"  - {{rule: no-basic-smtp-auth, target: {t}, reason: vendor firmware, expires: 2027-03-31}}\n"
                  for t in ("domains.fabrikam.com", "connectors.dc9", "authenticationPolicies.Relay basic SMTP")),
        [
            (13, 40, 'spec.waivers[0].target', "'domains.fabrikam.com' names nothing in the spec; declared: domains.contoso.com"),
            (14, 40, 'spec.waivers[1].target', "'connectors.dc9' names nothing in the spec; did you mean 'connectors.dc1'?"),
            (15, 40, 'spec.waivers[2].target', "'authenticationPolicies.Relay basic SMTP' names nothing in the spec; did you mean 'authenticationPolicies.Relay SMTP'?"),
        ],
    ),
    'credential-unknown-key-reported-once': (
        SA + "    credential: {type: secret, foo: 1}\n",
        [
            (11, 32, 'spec.serviceAccounts.app.credential.foo', "unknown key 'foo'; allowed here: audiences, certificateFile, expiresInDays, issuer, subject, type"),
        ],
    ),
    'credential-key-of-another-type': (
        SA + "    credential: {type: federated, issuer: https://token.actions.githubusercontent.com, subject: 'repo:contoso/erp:environment:prod', certificateFile: a.pem}\n",
        [
            (11, 134, 'spec.serviceAccounts.app.credential.certificateFile', "'certificateFile' does not apply to a federated credential; remove it (a federated credential takes: audiences, issuer, subject)"),
        ],
    ),
    'send-as-mailbox-with-no-domain-at-all': (
        "version: 1\ntenant: {id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a}\nsendAs:\n  - {trustee: app, mailbox: shared@contoso.com}\n",
        [
            (2, 9, 'spec.tenant', "missing required key 'initialDomain': The tenant's initial domain (<name>.onmicrosoft.com)"),
            (4, 15, 'spec.sendAs[0].trustee', "'app' is not a declared service account; none are declared"),
            (4, 29, 'spec.sendAs[0].mailbox', "'shared@contoso.com' is not in a declared domain; use an address in a domain declared under domains or declare contoso.com"),
        ],
    ),
    'send-as-unknown-trustee': (
        'version: 1\ntenant:\n  id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a\n  initialDomain: contoso.onmicrosoft.com\ndomains:\n  contoso.com: {}\nserviceAccounts:\n  app:\n    kind: application\n    mailbox: app@contoso.com\n    credential: {type: secret}\nsendAs:\n  - {trustee: ap, mailbox: shared@contoso.com}\n',
        [
            (13, 15, 'spec.sendAs[0].trustee', "'ap' is not a declared service account; did you mean 'app'?"),
        ],
    ),
    'send-as-undeclared-domain': (
        'version: 1\ntenant:\n  id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a\n  initialDomain: contoso.onmicrosoft.com\ndomains:\n  contoso.com: {}\nserviceAccounts:\n  app:\n    kind: application\n    mailbox: app@contoso.com\n    credential: {type: secret}\nsendAs:\n  - {trustee: app, mailbox: shared@fabrikam.com}\n',
        [
            (13, 29, 'spec.sendAs[0].mailbox', "'shared@fabrikam.com' is not in a declared domain; use an address in contoso.com, contoso.onmicrosoft.com or declare fabrikam.com"),
        ],
    ),
    'send-as-malformed-address': (
        'version: 1\ntenant:\n  id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a\n  initialDomain: contoso.onmicrosoft.com\ndomains:\n  contoso.com: {}\nserviceAccounts:\n  app:\n    kind: application\n    mailbox: app@contoso.com\n    credential: {type: secret}\nsendAs:\n  - {trustee: app, mailbox: shared.contoso.com}\n',
        [
            (13, 29, 'spec.sendAs[0].mailbox', "'shared.contoso.com' must be an email address, for example erp@contoso.com"),
        ],
    ),
    'send-as-duplicate-grant': (
        'version: 1\ntenant:\n  id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a\n  initialDomain: contoso.onmicrosoft.com\ndomains:\n  contoso.com: {}\nserviceAccounts:\n  app:\n    kind: application\n    mailbox: app@contoso.com\n    credential: {type: secret}\nsendAs:\n  - {trustee: app, mailbox: shared@contoso.com}\n  - {trustee: app, mailbox: Shared@contoso.com}\n',
        [
            (14, 5, 'spec.sendAs[1]', 'repeats the grant of sendAs[0]; list each grant once'),
        ],
    ),
    'send-as-missing-mailbox': (
        'version: 1\ntenant:\n  id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a\n  initialDomain: contoso.onmicrosoft.com\ndomains:\n  contoso.com: {}\nserviceAccounts:\n  app:\n    kind: application\n    mailbox: app@contoso.com\n    credential: {type: secret}\nsendAs:\n  - {trustee: app}\n',
        [
            (13, 5, 'spec.sendAs[0]', "missing required key 'mailbox': The mailbox it may send as; it must be in a declared domain or the tenant's initial domain"),
        ],
    ),
    'account-mailbox-undeclared-domain': (
        'version: 1\ntenant:\n  id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a\n  initialDomain: contoso.onmicrosoft.com\ndomains:\n  contoso.com: {}\nserviceAccounts:\n  app:\n    kind: application\n    mailbox: app@fabrikam.com\n    credential: {type: secret}\n',
        [
            (10, 14, 'spec.serviceAccounts.app.mailbox', "'app@fabrikam.com' is not in a declared domain; use an address in contoso.com, contoso.onmicrosoft.com or declare fabrikam.com"),
        ],
    ),
    'application-without-credential': (
        'version: 1\ntenant:\n  id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a\n  initialDomain: contoso.onmicrosoft.com\ndomains:\n  contoso.com: {}\nserviceAccounts:\n  app:\n    kind: application\n    mailbox: app@contoso.com\n',
        [
            (8, 3, 'spec.serviceAccounts.app', "missing required key 'credential': How the application authenticates to Entra ID"),
        ],
    ),
    'application-with-create': (
        'version: 1\ntenant:\n  id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a\n  initialDomain: contoso.onmicrosoft.com\ndomains:\n  contoso.com: {}\nserviceAccounts:\n  app:\n    kind: application\n    mailbox: app@contoso.com\n    credential: {type: secret}\n    create: {license: EXCHANGESTANDARD, usageLocation: US}\n',
        [
            (12, 5, 'spec.serviceAccounts.app.create', "'create' applies to mailbox senders only; an application sends as an existing mailbox"),
        ],
    ),
    'mailbox-with-credential': (
        'version: 1\ntenant:\n  id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a\n  initialDomain: contoso.onmicrosoft.com\ndomains:\n  contoso.com: {}\nserviceAccounts:\n  app:\n    kind: mailbox\n    mailbox: app@contoso.com\n    credential: {type: secret}\n',
        [
            (11, 5, 'spec.serviceAccounts.app.credential', "'credential' applies to kind: application only; a mailbox sender signs in to SMTP AUTH with the mailbox's own password: remove it, or use kind: application"),
        ],
    ),
    'federated-without-subject': (
        'version: 1\ntenant:\n  id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a\n  initialDomain: contoso.onmicrosoft.com\ndomains:\n  contoso.com: {}\nserviceAccounts:\n  app:\n    kind: application\n    mailbox: app@contoso.com\n    credential:\n      type: federated\n      issuer: https://token.actions.githubusercontent.com\n',
        [
            (11, 5, 'spec.serviceAccounts.app.credential', "a federated credential needs 'subject'"),
        ],
    ),
    'secret-with-certificate-file': (
        'version: 1\ntenant:\n  id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a\n  initialDomain: contoso.onmicrosoft.com\ndomains:\n  contoso.com: {}\nserviceAccounts:\n  app:\n    kind: application\n    mailbox: app@contoso.com\n    credential:\n      type: secret\n      certificateFile: app.pem\n',
        [
            (13, 7, 'spec.serviceAccounts.app.credential.certificateFile', "'certificateFile' does not apply to a secret credential; remove it (a secret credential takes: expiresInDays)"),
        ],
    ),
    'credential-type-unknown': (
        'version: 1\ntenant:\n  id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a\n  initialDomain: contoso.onmicrosoft.com\ndomains:\n  contoso.com: {}\nserviceAccounts:\n  app:\n    kind: application\n    mailbox: app@contoso.com\n    credential: {type: password}\n',
        [
            (11, 24, 'spec.serviceAccounts.app.credential.type', "'password' is not allowed; use one of: 'federated', 'certificate', 'secret'"),
        ],
    ),
    'account-kind-unknown': (
        'version: 1\ntenant:\n  id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a\n  initialDomain: contoso.onmicrosoft.com\ndomains:\n  contoso.com: {}\nserviceAccounts:\n  app:\n    kind: user\n    mailbox: app@contoso.com\n',
        [
            (9, 11, 'spec.serviceAccounts.app.kind', "'user' is not allowed; use one of: 'application', 'mailbox'"),
        ],
    ),
    'create-usage-location-lower-case': (
        'version: 1\ntenant:\n  id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a\n  initialDomain: contoso.onmicrosoft.com\ndomains:\n  contoso.com: {}\nserviceAccounts:\n  app:\n    kind: mailbox\n    mailbox: app@contoso.com\n    create: {license: EXCHANGESTANDARD, usageLocation: us}\n',
        [
            (11, 56, 'spec.serviceAccounts.app.create.usageLocation', "'us' must be a two-letter country code in upper case, for example US"),
        ],
    ),
    'waiver-expiry-not-iso': (
        'version: 1\ntenant: {id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a, initialDomain: contoso.onmicrosoft.com}\nwaivers:\n  - {rule: no-basic-smtp-auth, target: tenant, reason: r, expires: 31/12/2027}\n',
        [
            (4, 68, 'spec.waivers[0].expires', "'31/12/2027' must be an ISO date (YYYY-MM-DD), for example 2027-03-31"),
        ],
    ),
    'waiver-expiry-impossible-date': (
        'version: 1\ntenant: {id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a, initialDomain: contoso.onmicrosoft.com}\nwaivers:\n  - {rule: no-basic-smtp-auth, target: tenant, reason: r, expires: 2027-02-30}\n',
        [
            (4, 68, 'spec.waivers[0].expires', "'2027-02-30' is not a real date (day is out of range for month); write YYYY-MM-DD, e.g. 2027-03-31"),
        ],
    ),
    'waiver-expiry-missing': (
        'version: 1\ntenant: {id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a, initialDomain: contoso.onmicrosoft.com}\nwaivers:\n  - {rule: no-basic-smtp-auth, target: tenant, reason: r}\n',
        [
            (4, 5, 'spec.waivers[0]', "missing required key 'expires': The date the waiver lapses (YYYY-MM-DD); after it, the rule applies again"),
        ],
    ),
    'waiver-target-dangling': (
        'version: 1\ntenant:\n  id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a\n  initialDomain: contoso.onmicrosoft.com\ndomains:\n  contoso.com: {}\nserviceAccounts:\n  app:\n    kind: application\n    mailbox: app@contoso.com\n    credential: {type: secret}\nwaivers:\n  - {rule: no-basic-smtp-auth, target: serviceAccounts.ap, reason: r, expires: 2027-03-31}\n',
        [
            (13, 40, 'spec.waivers[0].target', "'serviceAccounts.ap' names nothing in the spec; did you mean 'serviceAccounts.app'?"),
        ],
    ),
    'waiver-target-unknown-section': (
        'version: 1\ntenant: {id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a, initialDomain: contoso.onmicrosoft.com}\nwaivers:\n  - {rule: no-basic-smtp-auth, target: mailboxes.scanner, reason: r, expires: 2027-03-31}\n',
        [
            (4, 40, 'spec.waivers[0].target', "'mailboxes.scanner' must be tenant (or a path under it), domains.<domain>, serviceAccounts.<name>, connectors.<name> or authenticationPolicies.<name>, for example serviceAccounts.scanner-floor3"),
        ],
    ),
    'yaml-alias-bomb': (
        alias_bomb(),
        [
            (6, 5, 'spec.l4[5]', "aliases expand to more than 50,000 nodes (a 'billion laughs' file?); write the values out instead"),
        ],
    ),
    'yaml-recursive-alias': (
        'version: 1\ntenant: {id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a, initialDomain: contoso.onmicrosoft.com}\ndomains: &d\n  contoso.com: *d\n',
        [
            (3, 10, 'spec', 'an alias refers to a node that contains it (a recursive structure); write the values out instead'),
        ],
    ),
    'yaml-too-deep': (
        T + "x: " + "[" * 40 + "]" * 40 + "\n",
        [
            (3, 35, 'spec.x[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]', 'nesting is deeper than 32 levels; a spec needs at most a handful'),
        ],
    ),
    'yaml-syntax-error': (
        'version: 1\ntenant: {id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a, initialDomain: contoso.onmicrosoft.com}\ndomains:\n  contoso.com: {spf: [a, b}\n',
        [
            (4, 27, 'spec', "not valid YAML: while parsing a flow sequence, did not find expected ',' or ']'"),
        ],
    ),
    'yaml-tab-indent': (
        'version: 1\ntenant:\n\tid: x\n',
        [
            (3, 1, 'spec', 'not valid YAML: while scanning for the next token, found character that cannot start any token (a tab); indent with spaces'),
        ],
    ),
    'yaml-python-tag': (
        'version: 1\ntenant: {id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a, initialDomain: contoso.onmicrosoft.com}\ncomment: !!python/object/apply:os.system [id]\n',
        [
            (3, 1, 'spec.comment', "unknown key 'comment'; allowed here: authenticationPolicies, connectors, domains, sendAs, serviceAccounts, tenant, version, waivers"),
            (3, 10, 'spec.comment', 'unsupported YAML tag !!python/object/apply:os.system; remove the tag (a spec holds only strings, numbers, booleans, lists and mappings)'),
        ],
    ),
    'yaml-top-level-list': (
        '- version: 1\n',
        [
            (1, 1, 'spec', 'the top level is a list; a spec is a mapping with keys version, tenant, domains, serviceAccounts, connectors, sendAs, authenticationPolicies, waivers'),
        ],
    ),
    'yaml-top-level-scalar': (
        'just some text\n',
        [
            (1, 1, 'spec', "the top level is the scalar 'just some text'; a spec is a mapping with keys version, tenant, domains, serviceAccounts, connectors, sendAs, authenticationPolicies, waivers"),
        ],
    ),
    'yaml-two-documents': (
        'version: 1\ntenant: {id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a, initialDomain: contoso.onmicrosoft.com}\n---\nversion: 1\ntenant: {id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a, initialDomain: contoso.onmicrosoft.com}\n',
        [
            (3, 1, 'spec', 'not valid YAML: expected a single document in the stream, but found another document'),
        ],
    ),
    'empty-file': (
        '',
        [
            (1, 1, 'spec', "the file is empty; a spec starts with 'version: 1' and a 'tenant' section"),
        ],
    ),
    'comments-only-file': (
        '# nothing here\n',
        [
            (1, 1, 'spec', "the file is empty; a spec starts with 'version: 1' and a 'tenant' section"),
        ],
    ),
    'duplicate-key-in-account': (
        'version: 1\ntenant:\n  id: 7a3f6c1e-52b4-4d0e-9c8a-1f2e3d4c5b6a\n  initialDomain: contoso.onmicrosoft.com\ndomains:\n  contoso.com: {}\nserviceAccounts:\n  app:\n    kind: application\n    mailbox: app@contoso.com\n    kind: mailbox\n    credential: {type: secret}\n',
        [
            (11, 5, 'spec.serviceAccounts.app.kind', "duplicate key 'kind' (first at line 9); each key may appear once"),
        ],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_spec_reports_every_problem_exactly(case: str) -> None:
    text, expected = CASES[case]
    with pytest.raises(SpecError) as caught:
        load_text(text, "case.yaml")
    got = [(p.line, p.column, p.path, p.message) for p in caught.value.problems]
    assert got == expected
    assert all(p.file == "case.yaml" for p in caught.value.problems)

"""o365relay:dns:MailDomain: SPF, DKIM and DMARC for one sending domain.

Order matters and is expressed as dependencies: the DKIM config exists first (created disabled),
its two selector CNAMEs are published with the targets the tenant reports, and only then is
signing switched on (``depends_on`` the CNAME records; Exchange refuses earlier).
"""

from __future__ import annotations

import pulumi

from components.dns_backends import fqdn, sink_for
from components.providers.dkim import DkimSigningConfig
from o365relay import records as mail_records
from o365relay.spec.model import Domain, RelaySpec


class MailDomain(pulumi.ComponentResource):
    """The mail-authentication records and DKIM signing of ``domain``."""

    records: pulumi.Output[list[dict[str, str]]]
    zone_snippet: pulumi.Output[str]
    spf: pulumi.Output[str]

    def __init__(self, name: str, spec: RelaySpec, domain: Domain,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("o365relay:dns:MailDomain", name, {}, opts)
        child = pulumi.ResourceOptions(parent=self)
        publish = sink_for(domain)

        static = mail_records.static_records(spec, domain)
        for record in static:
            publish(f"{name}-{_slug(record.name)}-{record.type.lower()}", record.name, record.type,
                    record.value, child)

        config = DkimSigningConfig(f"{name}-dkim", {"domain": domain.name, "key_size": domain.dkim.key_size},
                                   child)
        cnames = pulumi.Output.all(config.selector1_cname, config.selector2_cname).apply(
            lambda targets: mail_records.dkim_records(targets[0], targets[1]))
        cname_records = [publish(f"{name}-selector{i}-cname", f"selector{i}._domainkey", "CNAME",
                                 getattr(config, f"selector{i}_cname"), child) for i in (1, 2)]
        DkimSigningConfig(f"{name}-dkim-signing",
                          {"domain": domain.name, "key_size": domain.dkim.key_size, "enabled": domain.dkim.enabled},
                          pulumi.ResourceOptions(parent=self, depends_on=[r for r in cname_records if r is not None]))

        all_records = cnames.apply(lambda dkim: [*static, *dkim])
        self.spf = pulumi.Output.from_input(static[0].value)
        self.records = all_records.apply(
            lambda rs: [{"name": r.name, "fqdn": fqdn(domain.name, r.name), "type": r.type, "value": r.value}
                        for r in rs])
        self.zone_snippet = all_records.apply(lambda rs: mail_records.zone_snippet(domain.name, rs))
        self.register_outputs({"records": self.records, "zone_snippet": self.zone_snippet, "spf": self.spf})


def _slug(record_name: str) -> str:
    named = {"@": "spf", "_dmarc": "dmarc", "_mta-sts": "mta-sts", "_smtp._tls": "tls-rpt"}
    return named.get(record_name, record_name.replace(".", "-").strip("_"))

"""One home per Exchange object kind: what each kind is called in Exchange and in the spec, and how
its values compare (see docs/adding-a-kind.md).

Every module that speaks about a kind's properties (the dynamic providers, the audit, the export, the
policy pack) reads them from the kind's descriptor here; none of them names a cmdlet parameter itself.
The sandbox does not read these: it stands for Microsoft and keeps its own model of the service.
This package imports no Pulumi.
"""

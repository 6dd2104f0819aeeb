"""Leaving Basic SMTP AUTH: evidence from the tenant's logs (``gather``), judged against the spec
(``judge``), stanzas for what the spec lacks (``propose``), the report (``render``)."""

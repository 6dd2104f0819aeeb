"""``relayctl export``: write a spec from an existing tenant so a team can adopt the tool.

The tenant is read in bulk (the audit's reader, whose tenant-wide lists hold every Send As grant, plus
per-mailbox FullAccess batches, which Exchange cannot list tenant-wide, and the senders' application
credentials); :mod:`builder` turns what was read into a :class:`RelaySpec`, naming every
object the way the Pulumi program would (so an audit of the export against the same tenant is in
sync) and warning about what a spec cannot say as is (names to rename, grants to people).
"""

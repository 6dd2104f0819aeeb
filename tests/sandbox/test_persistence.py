"""A restart in the middle of a sequence loses nothing: same state dir, same CA, same credentials."""

from __future__ import annotations

from o365relay.sandbox.seed import SEEDS_DIR


def test_restart_mid_sequence_keeps_every_change(sandbox_factory, exo_for, tmp_path) -> None:
    state = tmp_path / "tenant"
    first = sandbox_factory(state_dir=state)
    exo = exo_for(first)
    exo.ok(
        "New-InboundConnector",
        {"Name": "dc1-relay", "SenderDomains": ["*"], "SenderIPAddresses": ["203.0.113.0/28"]},
    )
    exo.ok("Set-CASMailbox", {"Identity": "scanner3@contoso.com", "SmtpClientAuthenticationDisabled": False})
    ca_before, secret_before = first.ca_file.read_bytes(), first.deployer_client_secret
    first.stop()

    # a different seed is ignored: the state dir already holds a tenant
    second = sandbox_factory(state_dir=state, seed=SEEDS_DIR / "brownfield.yaml")
    exo = exo_for(second)
    assert second.ca_file.read_bytes() == ca_before and second.deployer_client_secret == secret_before
    exo.ok("Set-InboundConnector", {"Identity": "dc1-relay", "Comment": "after restart"})
    exo.ok("Set-TransportConfig", {"SmtpClientAuthenticationDisabled": True})
    second.stop()

    third = sandbox_factory(state_dir=state)
    exo = exo_for(third)
    assert [(c["Name"], c["Comment"]) for c in exo.ok("Get-InboundConnector")] == [
        ("dc1-relay", "after restart")
    ]
    assert exo.ok("Get-CASMailbox", {"Identity": "scanner3"})[0]["SmtpClientAuthenticationDisabled"] is False
    assert exo.ok("Get-TransportConfig")[0]["SmtpClientAuthenticationDisabled"] is True
    assert not any(u["UserPrincipalName"].startswith("copier-legacy") for u in exo.ok("Get-Mailbox"))

"""Apply a stack to the SANDBOX tenant without the Pulumi CLI (``python -m components.offline``).

The Pulumi CLI is not available everywhere the demo runs, and azuread resources cannot target the
sandbox anyway. So the program is rendered under Pulumi's mock runtime (:mod:`.render`); each
registration is applied for real through Pulumi's own dynamic-provider host over gRPC (:mod:`.host`)
in the engine's order (:mod:`.walk`), with the Entra objects simulated through the sandbox's Graph;
a loopback DNS server (:mod:`.dns`) and the sandbox's DNS view stand in for the DNS team
(:mod:`.sandbox`). The sandbox guard refuses any endpoint that is not a loopback sandbox.
"""

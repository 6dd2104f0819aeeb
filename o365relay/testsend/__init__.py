"""``test-send``: send one message the way a declared sender does, then confirm it in message trace.

    plan.py         who sends, how, From and To, from the spec and the options
    credentials.py  the sender's own credential: a mailbox password, or the sender app's token
    endpoints.py    where to connect: the submission endpoint, or the domain's MX endpoint
    attempt.py      one SMTP conversation on the planned wire, with its reply explained
    diagnose.py     the causes Exchange words alike (535 5.7.3; 5.7.64/5.7.68 through a connector)
    route.py        which way the tenant took the message, as message trace shows it
    runner.py       the whole command: plan, send, follow, say what happened; the exit code
"""

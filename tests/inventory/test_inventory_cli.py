"""``python -m lemlist_resource.inventory``: output and exit status, as CI sees them."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml  # type: ignore[import-untyped, unused-ignore]

from lemlist_resource.inventory.__main__ import main

from .helpers import FIXTURES, ROOT, STACKS


def _run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), out=out), out.getvalue()


def test_lint_clean_stacks_exit_0() -> None:
    files = [str(p) for p in sorted(STACKS.glob("Pulumi.*.yaml"))]
    status, out = _run("lint", *files)
    assert status == 0
    assert out.splitlines() == [
        # dev's default team key comes from scripts/pulumi's environment: noted, not a problem
        f"note: {files[0]}: lemlist:apiKey: not in this stack file: its 2 sender(s) without "
        "team (alice, bob) need LEMLIST_API_KEY in the environment of every `pulumi preview` "
        "and `pulumi up`, or the provider's check refuses them (docs/teams.md)",
        f"{files[0]}: ok (3 senders)",
        f"{files[1]}: ok (4 senders)",
        f"{files[2]}: ok (2 senders)",
    ]


def test_lint_problems_exit_1_one_line_each(capsys: pytest.CaptureFixture[str]) -> None:
    good, bad = str(FIXTURES / "good.yaml"), str(FIXTURES / "duplicates.yaml")
    status, out = _run("lint", good, bad)
    assert status == 1
    lines = out.splitlines()
    assert lines[0] == f"{good}: ok (2 senders)"
    assert len(lines) == 3 and all(line.startswith(f"{bad}: ") for line in lines[1:])
    assert "2 problem(s) found" in capsys.readouterr().err


def test_lint_unreadable_file_exit_2_after_linting_the_others(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out = _run("lint", str(FIXTURES / "not_yaml.yaml"), str(FIXTURES / "bad_fields.yaml"))
    assert status == 2
    assert "bad_fields.yaml: sender 'alice'" in out
    assert "not_yaml.yaml: not valid YAML" in capsys.readouterr().err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main([])
    assert info.value.code == 2
    with pytest.raises(SystemExit) as info:
        main(["lint"])
    assert info.value.code == 2
    assert _run("diff", str(STACKS / "Pulumi.dev.yaml"))[0] == 2
    assert "give BASE HEAD" in capsys.readouterr().err


def test_diff_prints_markdown_and_exits_0(tmp_path: Path) -> None:
    prod = STACKS / "Pulumi.prod.yaml"
    document = yaml.safe_load(prod.read_text())
    document["config"]["lemlist-senders:senders"]["bob"]["smtp_host"] = "smtp.new.example.com"
    head = tmp_path / "Pulumi.prod.yaml"
    head.write_text(yaml.safe_dump(document))
    status, out = _run("diff", str(prod), str(head))
    assert status == 0
    assert out.startswith("### lemlist senders: `prod`")
    assert "REPLACES the mailbox" in out
    assert "🔒 protected: `pulumi up` will refuse this replacement" in out
    assert "secure" not in out and "v1:" not in out


def test_diff_unreadable_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    status, _ = _run("diff", str(FIXTURES / "missing.yaml"), str(STACKS / "Pulumi.dev.yaml"))
    assert status == 2
    assert "cannot read" in capsys.readouterr().err


def test_diff_against_a_git_ref_for_each_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(tmp_path), *args], check=True, capture_output=True)

    git("init", "-q")
    git("config", "user.email", "t@example.com")
    git("config", "user.name", "t")
    (tmp_path / "stacks").mkdir()
    dev = tmp_path / "stacks" / "Pulumi.dev.yaml"
    dev.write_text((STACKS / "Pulumi.dev.yaml").read_text())
    git("add", ".")
    git("commit", "-q", "-m", "base")
    (tmp_path / "stacks" / "Pulumi.qa.yaml").write_text(
        (STACKS / "Pulumi.staging.yaml").read_text()
    )
    monkeypatch.chdir(tmp_path)
    status, out = _run("diff", "--base", "HEAD", "stacks/Pulumi.dev.yaml", "stacks/Pulumi.qa.yaml")
    assert status == 0
    assert "### lemlist senders: `dev`" in out and "No sender changes." in out
    assert "### lemlist senders: `qa`" in out and "**2 added, 0 removed" in out


def test_module_entry_point_runs_without_the_pulumi_cli() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI")}
    env["PATH"] = os.path.dirname(sys.executable)  # no `pulumi` binary reachable
    result = subprocess.run(
        [sys.executable, "-m", "lemlist_resource.inventory", "lint", "stacks/Pulumi.prod.yaml"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "stacks/Pulumi.prod.yaml: ok (4 senders)\n"


def test_lint_and_diff_do_not_load_the_pulumi_runtime() -> None:
    code = (
        "import io, sys\n"
        "from lemlist_resource.inventory.__main__ import main\n"
        "main(['lint', 'stacks/Pulumi.prod.yaml'], out=io.StringIO())\n"
        "main(['diff', 'stacks/Pulumi.prod.yaml', 'stacks/Pulumi.prod.yaml'], out=io.StringIO())\n"
        "print(sorted(m for m in ('pulumi', 'grpc') if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_lint_relay_warning_alone_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    relay, bad = str(FIXTURES / "relay.yaml"), str(FIXTURES / "duplicates.yaml")
    status, out = _run("lint", relay)
    assert status == 0
    assert out.splitlines() == [
        f"warning: {relay}: sender 'bob': smtp_host: 'smtp.sendgrid.net' is SendGrid, an SMTP "
        "relay lemlist does not support for sender mailboxes: connect the mailbox's own SMTP "
        "server instead (https://intercom.help/lemlist-/en/articles/"
        "4536030-connect-my-email-provider-to-lemlist)",
        f"{relay}: ok (2 senders, 1 warning(s))",
    ]
    # Warnings do not count as problems; problems elsewhere still fail the lint.
    status, out = _run("lint", relay, bad)
    assert status == 1
    assert "2 problem(s) found" in capsys.readouterr().err  # duplicates.yaml's two

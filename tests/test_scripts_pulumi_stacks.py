"""scripts/pulumi manages stacks as pulumi does, on the committed stack files only (issue 25):
``stack init|select|rm NAME`` take the stack as their argument, a typo creates nothing, ``stack
rm`` keeps the committed file, ``config set`` keeps its formatting, and the example stacks
say what to set up. With the fake ``pulumi`` of tests/test_scripts_pulumi.py."""

from __future__ import annotations

import shutil

from tests import test_scripts_pulumi as base
from tests.test_scripts_pulumi import ROOT, Repo

repo = base.repo  # the scratch repository with the fake pulumi

MAKE_YOURS = 'docs/gitops.md, "Make staging and prod yours"'


def example_prod(repo: Repo) -> None:
    shutil.copy(ROOT / "stacks" / "Pulumi.prod.yaml", repo.root / "stacks" / "Pulumi.prod.yaml")


def test_stack_init_takes_the_name_as_its_argument_and_adds_no_stack(repo: Repo) -> None:
    result = repo.run("stack", "init", "prod", "--secrets-provider", "passphrase")
    assert result.returncode == 0, result.stderr
    assert repo.pulumi_calls() == [["stack", "init", "prod", "--secrets-provider", "passphrase"]]


def test_stack_init_reads_the_name_after_a_flag_value(repo: Repo) -> None:
    result = repo.run("stack", "init", "--secrets-provider", "awskms://alias/x", "prod")
    assert result.returncode == 0, result.stderr
    assert repo.pulumi_calls()[-1] == [
        "stack", "init", "--secrets-provider", "awskms://alias/x", "prod",
    ]


def test_stack_select_takes_the_name_as_its_argument(repo: Repo) -> None:
    result = repo.run("stack", "select", "prod")
    assert result.returncode == 0, result.stderr
    assert repo.pulumi_calls()[-1] == ["stack", "select", "prod"]


def test_a_typo_is_a_one_line_refusal_naming_the_stacks_and_creates_nothing(repo: Repo) -> None:
    result = repo.run("up", "--stack", "prdo")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert "there is no stack 'prdo' here (stacks: dev prod)" in lines[-1]
    assert repo.pulumi_calls() == []
    assert not (repo.root / "stacks" / "Pulumi.prdo.yaml").exists()


def test_stack_init_of_an_uncommitted_stack_is_refused(repo: Repo) -> None:
    result = repo.run("stack", "init", "prdo")
    assert result.returncode == 2
    assert "there is no stack 'prdo' here" in result.stderr
    assert repo.pulumi_calls() == []


def test_stack_rm_keeps_the_committed_stack_file(repo: Repo) -> None:
    result = repo.run("stack", "rm", "--yes")
    assert result.returncode == 0, result.stderr
    assert repo.pulumi_calls()[-1] == [
        "stack", "rm", "--yes", "--stack", "dev", "--preserve-config",
    ]
    result = repo.run("stack", "rm", "prod", "--yes")
    assert repo.pulumi_calls()[-1] == ["stack", "rm", "prod", "--yes", "--preserve-config"]


def test_config_set_keeps_the_stack_files_formatting(repo: Repo) -> None:
    dev = repo.root / "stacks" / "Pulumi.dev.yaml"
    assert "lemlist-senders:protect: false\n" in dev.read_text()
    result = repo.run("config", "set", "lemlist-senders:note", "hello")
    assert result.returncode == 0, result.stderr
    text = dev.read_text()
    assert "lemlist-senders:protect: false\n" in text and '"false"' not in text
    assert "lemlist-senders:note: hello" in text


def test_preview_on_the_example_prod_says_what_to_set_up_in_one_sentence(repo: Repo) -> None:
    example_prod(repo)
    result = repo.run("preview", "--stack", "prod")
    assert result.returncode == 2
    last = result.stderr.strip().splitlines()[-1]
    assert "still holds the example secrets" in last and MAKE_YOURS in last
    assert repo.pulumi_calls() == []


def test_a_passphrase_stack_without_its_passphrase_says_so(repo: Repo) -> None:
    prod = repo.root / "stacks" / "Pulumi.prod.yaml"
    prod.write_text("encryptionsalt: v1:bXlvd24=:v1:abc:def\n" + prod.read_text())
    result = repo.run("preview", "--stack", "prod", PULUMI_CONFIG_PASSPHRASE="")
    assert result.returncode == 2
    assert "export PULUMI_CONFIG_PASSPHRASE" in result.stderr and MAKE_YOURS in result.stderr
    assert repo.pulumi_calls() == []
    result = repo.run("preview", "--stack", "prod", PULUMI_CONFIG_PASSPHRASE="mine")
    assert result.returncode == 0, result.stderr


def test_a_stack_not_yet_in_the_backend_is_not_created_with_a_guessed_provider(
    repo: Repo,
) -> None:
    result = repo.run("preview", "--stack", "prod", FAKE_MISSING_STACKS="prod")
    assert result.returncode == 2
    assert "stack 'prod' is not set up in this backend" in result.stderr
    assert "stack init prod --secrets-provider" in result.stderr and MAKE_YOURS in result.stderr
    assert repo.pulumi_calls() == [["stack", "select", "prod", "--non-interactive"]]

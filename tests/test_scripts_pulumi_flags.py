"""scripts/pulumi never runs a stack other than the one asked for (issue 19).

Every form pulumi's flag parser reads for the stack (``--stack X``, ``--stack=X``, ``-s X``,
``-s=X``, ``-sX``) and the working directory (``--cwd``/``-C``) is read or refused, with a
fake ``pulumi`` on PATH that records what it is asked (``tests/test_scripts_pulumi.py``'s
scratch repository). Before, ``-s=prod`` and ``-sprod`` prepared dev and passed
``-s=prod --stack dev``, and pulumi took the last one.
"""

from __future__ import annotations

import pytest

from tests.test_scripts_pulumi import Repo, repo  # noqa: F401 - the fixture

SELECT_PROD = ["stack", "select", "prod", "--non-interactive"]


@pytest.mark.parametrize(
    "flags",
    [["--stack", "prod"], ["--stack=prod"], ["-s", "prod"], ["-s=prod"], ["-sprod"]],
    ids=["--stack X", "--stack=X", "-s X", "-s=X", "-sX"],
)
def test_every_stack_form_selects_that_stack_and_only_it(repo: Repo, flags: list[str]) -> None:  # noqa: F811
    result = repo.run("preview", *flags, "--diff")
    assert result.returncode == 0, result.stderr
    calls = repo.pulumi_calls()
    assert calls == [SELECT_PROD, ["preview", "--diff", "--stack", "prod"]]
    assert not any(a.startswith("-s") for call in calls for a in call), "a stack flag leaked"


@pytest.mark.parametrize("flags", [["-s", "prod", "--stack=staging"], ["-sprod", "-s=dev"]])
def test_two_different_stacks_are_refused(repo: Repo, flags: list[str]) -> None:  # noqa: F811
    result = repo.run("up", *flags)
    assert result.returncode == 2
    assert "contradicts the earlier" in result.stderr
    assert repo.pulumi_calls() == []


def test_the_same_stack_twice_is_that_stack(repo: Repo) -> None:  # noqa: F811
    assert repo.run("up", "-s", "prod", "--stack=prod").returncode == 0
    assert repo.pulumi_calls()[-1] == ["up", "--stack", "prod"]


@pytest.mark.parametrize("flags", [["-s="], ["-s", "--diff"], ["--stack"]])
def test_a_missing_name_in_any_form_is_refused(repo: Repo, flags: list[str]) -> None:  # noqa: F811
    result = repo.run("up", *flags)
    assert result.returncode == 2 and "needs a stack name" in result.stderr
    assert repo.pulumi_calls() == []


@pytest.mark.parametrize("cluster", ["-ys", "-ysprod", "-fyC"])
def test_a_short_flag_cluster_hiding_s_or_c_is_refused(repo: Repo, cluster: str) -> None:  # noqa: F811
    result = repo.run("up", cluster, "prod")
    assert result.returncode == 2
    assert "cluster of short flags" in result.stderr
    assert repo.pulumi_calls() == []


def test_stack_flags_after_a_double_dash_are_arguments(repo: Repo) -> None:  # noqa: F811
    result = repo.run("--stack", "prod", "config", "set", "--", "k", "-sdev")
    assert result.returncode == 0, result.stderr
    assert repo.pulumi_calls()[-1] == ["config", "set", "--stack", "prod", "--", "k", "-sdev"]


@pytest.mark.parametrize(
    "flags",
    [["--cwd", "{root}"], ["--cwd={root}"], ["-C", "{root}"], ["-C={root}"], ["-C{root}"]],
    ids=["--cwd X", "--cwd=X", "-C X", "-C=X", "-CX"],
)
def test_every_cwd_form_naming_the_project_runs_there(repo: Repo, flags: list[str]) -> None:  # noqa: F811
    args = [f.format(root=repo.root) for f in flags]
    result = repo.run("preview", "-s", "prod", *args)
    assert result.returncode == 0, result.stderr
    assert repo.pulumi_calls() == [SELECT_PROD, ["preview", "--stack", "prod"]]


@pytest.mark.parametrize("form", ["--cwd", "--cwd=", "-C", "-C=", "-C+"])
def test_a_cwd_outside_the_project_is_refused(repo: Repo, form: str) -> None:  # noqa: F811
    other = repo.root.parent / "other-project"
    other.mkdir()
    args = [form, str(other)] if form in ("--cwd", "-C") else [form.rstrip("+") + str(other)]
    result = repo.run("preview", "-s", "prod", *args)
    assert result.returncode == 2
    assert "is not this project" in result.stderr
    assert repo.pulumi_calls() == []


def test_a_missing_cwd_directory_is_refused(repo: Repo) -> None:  # noqa: F811
    result = repo.run("up", "--cwd", str(repo.root / "nowhere"))
    assert result.returncode == 2 and "no such directory" in result.stderr
    assert repo.pulumi_calls() == []


@pytest.mark.parametrize(
    ("args", "sent"),
    [
        (["refresh", "--yes"], ["refresh", "--run-program", "--yes", "--stack", "prod"]),
        (["destroy"], ["destroy", "--run-program", "--stack", "prod"]),
        (["down", "--run-program"], ["down", "--run-program", "--stack", "prod"]),
        (["up"], ["up", "--stack", "prod"]),
    ],
)
def test_refresh_and_destroy_run_the_program_so_a_rotated_key_is_used(
    repo: Repo, args: list[str], sent: list[str]  # noqa: F811
) -> None:
    """Issue 25 item 1: the provider is configured from the stack config as it is now, not
    from the state's copy; the provider is told so (its 401 message names that key)."""
    assert repo.run(*args, "-s", "prod").returncode == 0
    last = repo.calls()[-1]
    assert last["pulumi"] == sent
    assert last["env"]["LEMLIST_CONFIG_FROM_PROGRAM"] == "1"  # type: ignore[index]


def test_run_program_false_is_the_users_choice_and_the_provider_is_not_told_otherwise(
    repo: Repo,  # noqa: F811
) -> None:
    assert repo.run("destroy", "--run-program=false", "-s", "prod").returncode == 0
    last = repo.calls()[-1]
    assert last["pulumi"] == ["destroy", "--run-program=false", "--stack", "prod"]
    assert last["env"]["LEMLIST_CONFIG_FROM_PROGRAM"] is None  # type: ignore[index]

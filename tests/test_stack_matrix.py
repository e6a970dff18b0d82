"""The workflow's job matrix (scripts/stack_matrix.py) and the workflow under actionlint."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "stack_matrix.py"
WORKFLOW = ROOT / ".github" / "workflows" / "senders.yml"
#: The pinned actionlint .ci/run builds into the user's cache.
ACTIONLINT_VERSION = "v1.7.12"


def _matrix(*args: str) -> tuple[int, str, str]:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, check=False
    )
    return done.returncode, done.stdout, done.stderr


def test_the_matrix_is_one_job_per_stack_file_sorted(tmp_path: Path) -> None:
    for name in ["Pulumi.client-b.yaml", "Pulumi.client-a.yaml", "Pulumi.dev.yaml",
                 "Pulumi.yaml", "Pulumi.notes.txt", "README.md", "Pulumi..yaml"]:
        (tmp_path / name).write_text("config: {}\n")
    status, out, _ = _matrix("--stacks", str(tmp_path), "--exclude", "dev")
    assert status == 0
    assert json.loads(out) == {"stack": ["client-a", "client-b"]}


def test_the_repository_stacks_give_the_workflow_its_preview_matrix() -> None:
    status, out, _ = _matrix("--stacks", str(ROOT / "stacks"), "--exclude", "dev")
    assert (status, json.loads(out)) == (0, {"stack": ["prod", "staging"]})
    stacks = str(ROOT / "stacks")
    status, out, _ = _matrix("--stacks", stacks, "--exclude", "dev", "staging", "prod")
    assert (status, json.loads(out)) == (0, {"stack": []})


def test_an_unreadable_directory_is_one_sentence(tmp_path: Path) -> None:
    status, out, err = _matrix("--stacks", str(tmp_path / "missing"))
    assert (status, out) == (2, "")
    assert err.startswith(f"{tmp_path / 'missing'}: cannot list the stack files: ")
    assert "Traceback" not in err


def _actionlint() -> str | None:
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    built = cache / "lemlist-resource" / "actionlint" / ACTIONLINT_VERSION / "bin" / "actionlint"
    return str(built) if built.is_file() else shutil.which("actionlint")


def test_the_workflow_passes_actionlint() -> None:
    actionlint = _actionlint()
    if actionlint is None:
        if os.environ.get("CI"):
            pytest.fail(f"actionlint {ACTIONLINT_VERSION} is not installed: .ci/run builds it")
        pytest.skip(f"actionlint {ACTIONLINT_VERSION} not installed (.ci/run builds it)")
    done = subprocess.run(
        [actionlint, str(WORKFLOW)], capture_output=True, text=True, check=False, cwd=ROOT
    )
    assert done.returncode == 0, done.stdout + done.stderr

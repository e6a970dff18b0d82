"""The pack's own files agree with the project: the same pins, the virtualenv Pulumi uses."""

from __future__ import annotations

import re
from pathlib import Path

import yaml  # type: ignore[import-untyped, unused-ignore]

from .conftest import POLICY_DIR

ROOT = POLICY_DIR.parent


def _pins(path: Path) -> dict[str, str]:
    text = path.read_text(encoding="utf-8")
    return dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", text, flags=re.M))


def test_pack_pins_match_the_project() -> None:
    pack = _pins(POLICY_DIR / "requirements.txt")
    assert pack["pulumi"] == _pins(ROOT / "requirements.txt")["pulumi"]
    assert pack["pulumi-policy"] == _pins(ROOT / "requirements-dev.txt")["pulumi-policy"]


def test_pack_pins_the_deliverability_libraries_as_the_project() -> None:
    # the lemlist-deliverability policy runs lemlist_resource.deliverability (issue 28)
    pack, project = _pins(POLICY_DIR / "requirements.txt"), _pins(ROOT / "requirements.txt")
    for name in ("dnspython", "publicsuffixlist", "pyspf", "dkimpy", "dmarc"):
        assert pack.get(name) == project[name], name


def test_pack_installs_this_checkout_relative_to_its_own_directory() -> None:
    # pip resolves `..` against the current directory: the docs and the workflow run pip
    # from policy/, where `..` is this checkout.
    lines = (POLICY_DIR / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert "-e .." in lines
    assert (POLICY_DIR / ".." / "pyproject.toml").resolve() == ROOT / "pyproject.toml"


def test_pulumi_policy_yaml_names_the_python_runtime_and_its_virtualenv() -> None:
    project = yaml.safe_load((POLICY_DIR / "PulumiPolicy.yaml").read_text(encoding="utf-8"))
    assert project["runtime"] == {"name": "python", "options": {"virtualenv": "venv"}}
    workflow = (ROOT / ".github" / "workflows" / "senders.yml").read_text(encoding="utf-8")
    assert "working-directory: policy" in workflow and "--policy-pack policy" in workflow

"""Releases: one source for the version, and a changelog that agrees with it."""

from __future__ import annotations

import re
import tomllib
import warnings
from pathlib import Path

from lemlist_resource import __version__

ROOT = Path(__file__).resolve().parents[1]
HEADING = re.compile(r"^## \[(?P<name>[^\]]+)\](?: - (?P<date>\d{4}-\d{2}-\d{2}))?$", re.M)
SEMVER = re.compile(r"^\d+\.\d+\.\d+$")


def test_the_build_reads_the_version_from_the_package() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"]
    assert project["project"]["dynamic"] == ["version"]
    dynamic = project["tool"]["setuptools"]["dynamic"]["version"]
    assert dynamic == {"attr": "lemlist_resource._version.__version__"}
    # What setuptools itself makes of it when it builds the wheel.
    from setuptools.config.pyprojecttoml import read_configuration

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # setuptools' own notices about its config reader
        built = read_configuration(ROOT / "pyproject.toml", expand=True)
    assert built["project"]["version"] == __version__
    assert SEMVER.match(__version__)


def test_the_changelog_keeps_a_changelog_and_names_the_version() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = [(m["name"], m["date"]) for m in HEADING.finditer(text)]
    assert headings and headings[0] == ("Unreleased", None)
    released = [name for name, date in headings[1:]]
    assert all(SEMVER.match(name) for name in released)
    assert all(date for _, date in headings[1:]), "a released version carries its date"
    # The newest release is the package's version; before the first, the version is the
    # one the first release will carry, and the changelog says so.
    if released:
        assert released[0] == __version__
    else:
        assert f"first release, {__version__}" in text
    for section in re.findall(r"^### (.+)$", text, re.M):
        assert section in {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}

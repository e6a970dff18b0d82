"""The Pulumi CLI the project builds is the version of its Pulumi SDK (issue 17)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GO_MOD = ROOT / "scripts" / "pulumi-cli" / "go.mod"


def _pin(path: Path) -> str:
    match = re.search(r"^pulumi==(\S+)$", path.read_text(), re.MULTILINE)
    assert match, f"{path} pins no pulumi"
    return match.group(1)


def test_the_go_module_pins_the_sdks_version_for_both_pulumi_modules() -> None:
    sdk = _pin(ROOT / "requirements.txt")
    assert _pin(ROOT / "policy" / "requirements.txt") == sdk
    text = GO_MOD.read_text()
    for module in ("pkg", "sdk"):
        pinned = re.findall(rf"^\tgithub\.com/pulumi/pulumi/{module}/v3 v(\S+)", text, re.M)
        assert pinned == [sdk], (module, pinned)


def test_the_build_script_reads_the_version_from_the_go_module() -> None:
    script = (ROOT / "scripts" / "pulumi-cli" / "build").read_text()
    line = next(x for x in script.splitlines() if x.startswith('V="$(sed'))
    done = subprocess.run(
        ["bash", "-c", f'HERE={GO_MOD.parent}; {line}; echo "$V"'],
        capture_output=True, text=True, check=True,
    )
    assert done.stdout.strip() == _pin(ROOT / "requirements.txt")


def test_the_go_module_has_its_checksums() -> None:
    sums = (GO_MOD.parent / "go.sum").read_text()
    assert f"github.com/pulumi/pulumi/pkg/v3 v{_pin(ROOT / 'requirements.txt')} h1:" in sums

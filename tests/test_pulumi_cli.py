"""The Pulumi CLI the project builds: its SDK's version (issue 17), from its pins only (29)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

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


BUILD = ROOT / "scripts" / "pulumi-cli" / "build"


def _script_part(begin: str, end: str) -> str:
    text = BUILD.read_text()
    return text[text.index(begin) : text.index(end)]


def test_the_build_lets_go_change_no_module_hash() -> None:
    """`-mod=readonly`: go.mod and the committed go.sum are the only trust (issue 29, item 7)."""
    script = BUILD.read_text()
    env = next(x for x in script.splitlines() if x.startswith("export ") and "GOFLAGS=" in x)
    assert "-mod=readonly" in env
    assert "-mod=mod" not in script
    assert re.search(r'^POLICY_SHIM_SUM="h1:[A-Za-z0-9+/]{43}="$', script, re.M)


def _tiny_module(tmp: Path) -> dict[str, str]:
    """A module requiring example.com/dep from a file:// proxy, and go's environment for it."""
    dep = tmp / "proxy" / "example.com" / "dep" / "@v"
    dep.mkdir(parents=True)
    gomod = "module example.com/dep\n\ngo 1.21\n"
    (dep / "list").write_text("v1.0.0\n")
    (dep / "v1.0.0.info").write_text('{"Version":"v1.0.0","Time":"2024-01-01T00:00:00Z"}')
    (dep / "v1.0.0.mod").write_text(gomod)
    with zipfile.ZipFile(dep / "v1.0.0.zip", "w") as bundle:
        bundle.writestr("example.com/dep@v1.0.0/go.mod", gomod)
        bundle.writestr("example.com/dep@v1.0.0/dep.go", "package dep\n\nconst X = 1\n")
    mod = tmp / "m"
    mod.mkdir()
    (mod / "go.mod").write_text("module local/m\n\ngo 1.21\n\nrequire example.com/dep v1.0.0\n")
    (mod / "m.go").write_text('package m\n\nimport _ "example.com/dep"\n')
    return {
        "PATH": os.environ.get("PATH", ""), "HOME": str(tmp), "GOCACHE": str(tmp / "gocache"),
        "GOMODCACHE": str(tmp / "modcache"), "GOPROXY": f"file://{tmp / 'proxy'}",
        "GOSUMDB": "off", "GOTOOLCHAIN": "local",
    }


def _go() -> str:
    go = shutil.which("go") or "/usr/local/go/bin/go"
    if not Path(go).is_file():
        pytest.skip("no Go toolchain on this machine")
    return go


@pytest.mark.parametrize(
    ("tamper", "said"),
    [
        (lambda s: s.replace(" h1:", " h1:A", 1), "does not match its hash in"),
        (lambda s: s.split("\n", 1)[1], "has no hash for"),
    ],
    ids=["changed-hash", "missing-hash"],
)
def test_a_changed_go_sum_stops_the_build_in_one_sentence(
    tmp_path: Path, tamper: Callable[[str], str], said: str
) -> None:
    go = _go()
    env = _tiny_module(tmp_path)
    mod = tmp_path / "m"
    subprocess.run([go, "mod", "tidy"], cwd=mod, env=env, check=True, capture_output=True)
    sums = mod / "go.sum"
    sums.write_text(tamper(sums.read_text()))
    flags = _script_part("export CGO_ENABLED=", "\n")
    check = _script_part("# BEGIN go_check", "# END go_check")
    say = 'say() { echo "pulumi-cli build: $*" >&2; }'
    script = f'{say}\n{flags}\n{check}\ngo_check "$GO" list -deps .'
    done = subprocess.run(
        ["bash", "-c", script], cwd=mod, env={**env, "GO": go}, capture_output=True, text=True
    )
    assert done.returncode != 0
    lines = [x for x in done.stderr.splitlines() if x.startswith("pulumi-cli build:")]
    assert len(lines) == 1 and said in lines[0] and "example.com/dep" in lines[0], done.stderr
    assert "SECURITY ERROR" not in done.stderr

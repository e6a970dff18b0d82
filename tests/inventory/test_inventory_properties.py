"""Property tests (Hypothesis) of the lint and the review over random stack files (issue 19).

Random YAML trees, with anchors, aliases, merge keys, alias fan-out, deep nesting, odd
scalars and stray characters, placed wherever a stack file has values (senders, defaults,
teams, passwords, keys), and written in several encodings. Whatever the file: the command
answers 0, 1 or 2 and never raises; memory stays bounded (counted by ``tracemalloc``, not
timed); every line it prints is capped; no secret is ever echoed. Time is bounded by
construction (:mod:`lemlist_resource.inventory.yamlread` counts every node before building
any), which the memory and output bounds witness without a clock.
"""

from __future__ import annotations

import io
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped, unused-ignore]
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lemlist_resource.inventory.__main__ import main

SECRET = "Sk3cr3tMark"  # every generated key or password contains it; nothing may print it
MAX_PEAK = 64 * 1024 * 1024
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

ODD_TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40
) | st.sampled_from(["", "~", "null", "yes", "0o17", "1e999", ".nan", "2001-13-45", "<<", "*x"])
SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | ODD_TEXT
TREES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(ODD_TEXT, inner, max_size=4),
    max_leaves=12,
)
SECRET_FORMS = ["{}", "[{}]", "{{k: {}}}", "{{secure: {}, x: 1}}", "{{secure: v1:{}}}"]
SECRET_FORMS.append('\'{{"a": "{}"}}\'')  # a JSON string
SECRETS = st.builds(
    lambda n, form: form.format(f"{SECRET}{n}"), st.integers(0, 99), st.sampled_from(SECRET_FORMS)
)
FIELDS = st.sampled_from(
    ["sender_name", "sender_email", "smtp_port", "imap_port", "smtp_host", "team", "adopt_id"]
)


def _block(value: Any) -> str:
    """``value`` as a YAML flow value on one line (safe_dump's own quoting)."""
    text = yaml.safe_dump(value, default_flow_style=True, width=10**9, allow_unicode=True)
    return text.strip().removesuffix("...").strip().replace("\n", " ")


@st.composite
def stack_files(draw: st.DrawFn) -> str:
    """A stack file with random values, anchors and aliases in random places."""
    anchors = [f"  x-{i}: &a{i} {_block(draw(TREES))}" for i in range(draw(st.integers(0, 3)))]
    refs = [f"*a{i}" for i in range(len(anchors))]
    fan = draw(st.integers(1, 12))
    for i in range(draw(st.integers(0, 9))):  # alias fan-out: up to 12**9 nodes if expanded
        previous = f"*b{i - 1}" if i else "lol"
        anchors.append(f"  y-{i}: &b{i} [{', '.join([previous] * fan)}]")
        refs.append(f"*b{i}")

    def value() -> str:
        if refs and draw(st.booleans()):
            return str(draw(st.sampled_from(refs)))
        return _block(draw(TREES))

    sender = [f"      {draw(FIELDS)}: {value()}" for _ in range(draw(st.integers(0, 4)))]
    if refs and draw(st.booleans()):
        sender.append(f"      <<: {draw(st.sampled_from(refs))}")
    depth = draw(st.integers(0, 60))
    lines = [
        "config:",
        *anchors,
        f"  lemlist:apiKey: {draw(SECRETS)}",
        "  lemlist:teams:",
        f"    acme: {{apiKey: {draw(SECRETS)}, apiUrl: {value()}}}",
        f"  lemlist-senders:defaults: {{smtp_port: {value()}, imap_host: {value()}}}",
        "  lemlist-senders:senders:",
        "    alice:",
        "      sender_name: Alice",
        *sender,
        f"    {draw(st.sampled_from(['bob', 'Bad Key', '7', 'x' * 70]))}: {value()}",
        f"    deep: {'[' * depth}1{']' * depth}",
        "  lemlist-senders:passwords:",
        f"    alice: {draw(SECRETS)}",
        f"    bob: {{smtp: {draw(SECRETS)}, imap: {draw(SECRETS)}}}",
    ]
    text = "\n".join(lines) + "\n"
    if draw(st.booleans()):  # a stray character somewhere
        at = draw(st.integers(0, len(text)))
        text = (
            text[:at]
            + draw(
                st.sampled_from(
                    ["\0", "\x1b", "\t", "\ufeff", "\r", "\x85", ":", "&", "*", "{", "'"]
                )
            )
            + text[at:]
        )
    return text


def _run(argv: list[str]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    import contextlib

    tracemalloc.start()
    try:
        with contextlib.redirect_stderr(err):
            status = main(argv, out=out)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < MAX_PEAK, f"{peak} bytes at peak"
    return status, out.getvalue() + err.getvalue()


def _check(output: str) -> None:
    assert SECRET not in output
    assert "Traceback" not in output
    for line in output.splitlines():
        assert len(line) < 2000, line[:200]
        assert "\x00" not in line and "\x1b" not in line


@SETTINGS
@given(text=stack_files(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1"]))
def test_the_lint_answers_every_stack_file(tmp_path: Path, text: str, encoding: str) -> None:
    path = tmp_path / "Pulumi.p.yaml"
    try:
        path.write_bytes(text.encode(encoding))
    except UnicodeEncodeError:
        path.write_bytes(text.encode("utf-8"))
    status, output = _run(["lint", str(path)])
    assert status in (0, 1, 2)
    _check(output)


@SETTINGS
@given(base=stack_files(), head=stack_files())
def test_the_review_answers_every_pair(tmp_path: Path, base: str, head: str) -> None:
    (tmp_path / "Pulumi.b.yaml").write_text(base, encoding="utf-8")
    (tmp_path / "Pulumi.h.yaml").write_text(head, encoding="utf-8")
    status, output = _run(
        ["diff", str(tmp_path / "Pulumi.b.yaml"), str(tmp_path / "Pulumi.h.yaml")]
    )
    assert status in (0, 2)
    _check(output)


@pytest.mark.parametrize("fan, levels", [(10, 9), (100, 4), (2, 40)])
def test_alias_bombs_of_every_shape_are_refused(tmp_path: Path, fan: int, levels: int) -> None:
    lines = ["config:", "  b0: &b0 [lol]"]
    lines += [f"  b{i}: &b{i} [{', '.join([f'*b{i - 1}'] * fan)}]" for i in range(1, levels)]
    lines.append(f"  lemlist-senders:defaults: {{sender_name: *b{levels - 1}}}")
    (tmp_path / "Pulumi.p.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    status, output = _run(["lint", str(tmp_path / "Pulumi.p.yaml")])
    assert status == 2 and "once aliases are expanded" in output and output.count("\n") == 1

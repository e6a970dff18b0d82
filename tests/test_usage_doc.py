"""The program docs/usage.md and the README show runs as written: through the real provider
host (tests/program_host.py), against the emulator, it connects the mailbox, with the
password secret from the program's own config; a second run changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from lemlist_emulator import Emulator
from tests.conftest import SMTP_PASSWORD
from tests.harness import Engine, ProviderHost
from tests.program_host import run_program

ROOT = Path(__file__).resolve().parents[1]


def python_blocks(doc: Path) -> list[str]:
    """The fenced ``python`` blocks of a Markdown file."""
    blocks, current = [], None
    for line in doc.read_text(encoding="utf-8").splitlines():
        if current is None and line.strip() == "```python":
            current = []
        elif current is not None and line.startswith("```"):
            blocks.append("\n".join(current) + "\n")
            current = None
        elif current is not None:
            current.append(line)
    return blocks


def minimal_program() -> str:
    (program,) = [b for b in python_blocks(ROOT / "docs" / "usage.md") if "EmailAccount(" in b]
    return program


def test_the_readme_shows_the_same_minimal_program() -> None:
    assert minimal_program() in python_blocks(ROOT / "README.md")


def test_the_minimal_program_connects_its_mailbox(
    emulator: Emulator, host_factory: Callable[..., ProviderHost]
) -> None:
    project = "my-senders"  # a program of the reader's own, not this repository's
    emulator.reset()
    engine = Engine(host_factory())
    config = {f"{project}:alicePassword": SMTP_PASSWORD}
    code = compile(minimal_program(), "docs/usage.md", "exec")

    def program() -> None:
        exec(code, {"__name__": "__main__"})

    first = run_program(engine, program, config, list(config), stack="dev", project=project)
    assert first.operations == {"alice": "create"}
    assert {"smtp_password", "imap_password"} <= first.secret_inputs["alice"]
    (account,) = emulator.accounts()
    assert account["id"] == first.ids["alice"]
    assert account["sender_email"] == "alice@acme.com" and account["imap_secure"] is True
    assert [r.operation for r in emulator.request_log()] == ["connect", "test"]

    again = run_program(engine, program, config, list(config), stack="dev", project=project)
    assert again.operations == {"alice": "same"}
    engine.finish(set())  # destroy: the program's mailbox is disconnected
    assert emulator.accounts() == []

"""What the benchmarks share: the machine description, a Markdown table, host start-up."""

from __future__ import annotations

import os
import platform
import sys
from collections.abc import Callable, Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

from lemlist_resource.config.names import KEY_CONFIG
from tests.harness import ProviderHost

#: The benchmarks' API key: a throwaway value known only to the local emulator.
API_KEY = "bench-key-0c4f7d2e"
SMTP_PASSWORD = "bench-smtp-pw-83ad"
IMAP_PASSWORD = "bench-imap-pw-51be"
CREDENTIALS = (API_KEY, SMTP_PASSWORD, IMAP_PASSWORD)


def sender(index: int, **overrides: Any) -> dict[str, Any]:
    """The program inputs of the ``index``-th distinct sender mailbox."""
    address = f"sender{index:04d}@acme-mail.com"
    values: dict[str, Any] = {
        "sender_name": f"Sender {index}",
        "sender_email": address,
        "smtp_host": "smtp.acme-mail.com",
        "smtp_port": 587,
        "smtp_login": address,
        "smtp_password": SMTP_PASSWORD,
        "imap_host": "imap.acme-mail.com",
        "imap_port": 993,
        "imap_login": address,
        "imap_password": IMAP_PASSWORD,
    }
    values.update(overrides)
    return values


#: The hosts a benchmark compares. ``widened``: ``python -u -m pulumi.dynamic`` as the engine
#: starts it, where the provider serves ``lemlist:concurrency`` calls at once
#: (``lemlist_resource/hostpool.py``). ``stock``: the same SDK host code run through ``runpy``
#: under a ``-c`` ``__main__``, which the provider does not recognise as the host, so the
#: SDK's own 4 workers serve every call, as before issue 11.
HOST_ARGV: dict[str, tuple[str, ...]] = {
    "widened": ("-u", "-m", "pulumi.dynamic"),
    "stock": ("-u", "-c", "import runpy; runpy.run_module('pulumi.dynamic', run_name='__main__')"),
}


def start_host(
    config: Mapping[str, Any], provider: str | None = None, host: str = "widened"
) -> ProviderHost:
    """A fresh provider host (``host``: a key of :data:`HOST_ARGV`), configured (secrets
    marked as the CLI does)."""
    started = ProviderHost(provider=provider, argv=HOST_ARGV[host])
    started.configure(config, secret_keys=[KEY_CONFIG])
    return started


def close_host(host: ProviderHost) -> None:
    """Stop a host; complain loudly if a credential reached its stderr."""
    stderr = host.close()
    leaked = [i for i, secret in enumerate(CREDENTIALS) if secret in stderr]
    if leaked:
        raise SystemExit(f"credential #{leaked} leaked into the provider host's stderr")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine() -> dict[str, str]:
    """Where the figures were measured."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "cpu": _cpu_model(),
        "cores": str(usable),
        "os": f"{platform.system()} {platform.release()}",
        "python": sys.version.split()[0],
        "pulumi": _version("pulumi"),
        "grpcio": _version("grpcio"),
        "requests": _version("requests"),
    }


def machine_markdown() -> str:
    return "Machine: " + ", ".join(f"{key} {value}" for key, value in machine().items())


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A GitHub Markdown table."""
    lines = [
        "| " + " | ".join(headers) + " |",
        "|" + "|".join("---" for _ in headers) + "|",
    ]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


R = TypeVar("R")


def report(
    headers: Sequence[str],
    rows: Sequence[R],
    cells: Callable[[R], Sequence[object]],
    label: Callable[[R], str],
    errors: Callable[[R], Sequence[str]],
) -> str:
    """The Markdown table, plus the first three distinct errors of every row that had failures
    (each introduced by ``label(row)``)."""
    out = [table(headers, [cells(row) for row in rows])]
    for row in rows:
        for message in sorted(set(errors(row)))[:3]:
            out.append(f"\n- {label(row)}: `{message}`")
    return "\n".join(out)

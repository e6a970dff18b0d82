"""The steps of scripts/pulumi that are easier to get right in Python (standard library; the
CLI itself is scripts/pulumi_cli.py's concern). Run with the project's virtualenv python:

    pulumi_setup.py stamp FILE...        print a SHA-256 of the files (the pip stamp)
    pulumi_setup.py dev-url STACKFILE    print the stack's lemlist:apiUrl (nothing when unset)
    pulumi_setup.py dev-port FILE        print the port kept in FILE (.emulator/port), else 8787
    pulumi_setup.py free-port            print a loopback port free now
    pulumi_setup.py parallel STACKFILE   print the --parallel that fills the provider host
                                         (nothing when its width cannot be told)
    pulumi_setup.py has-key STACKFILE    exit 0 when the stack file sets lemlist:apiKey
    pulumi_setup.py stack-state STACKFILE
                                         print example (the committed example secrets, which
                                         nobody can decrypt), passphrase (its own passphrase
                                         salt), provider (a secretsprovider) or none
    pulumi_setup.py keep-format BEFORE STACKFILE
                                         put back the lines of BEFORE that the CLI rewrote
                                         without changing their value (false -> "false")
    pulumi_setup.py probe [--state FILE [--movable]] URL KEY [TEAM_KEY...]
                                         is an emulator there (this checkout's: the one
                                         keeping FILE), and does it take every key? With
                                         --movable, exit 4 when the port is another's

Every failure is one sentence on stderr and a non-zero exit status.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import socket
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

PROG = "scripts/pulumi"


def fail(message: str, status: int = 1) -> int:
    print(f"{PROG}: {message}", file=sys.stderr)
    return status


def stamp(paths: list[str]) -> int:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.encode() + b"\0" + Path(path).read_bytes() + b"\0")
    print(digest.hexdigest())
    return 0


def _config_line(stack_file: str, key: str) -> str | None:
    """The value of a top-level config ``key`` of a stack file (a plain one-line value).

    A regular expression, not YAML: this runs before the virtualenv has PyYAML.
    """
    pattern = re.compile(rf"^\s+{re.escape(key)}:\s*(.*?)\s*$")
    for line in Path(stack_file).read_text(encoding="utf-8").splitlines():
        match = pattern.match(line)
        if match:
            return match.group(1).strip("'\"")
    return None


def dev_url(stack_file: str) -> int:
    """The dev stack's own lemlist:apiUrl, when it pins one (then the emulator must be there);
    nothing when unset: the wrapper picks this checkout's port (:func:`dev_port`)."""
    url = _config_line(stack_file, "lemlist:apiUrl")
    if url:
        print(url)
    return 0


#: The dev emulator's port when this checkout has not kept another (README, docs/emulator.md).
DEV_PORT = 8787


def dev_port(port_file: str) -> int:
    """The port this checkout's dev emulator last used (kept in ``port_file``), else 8787."""
    try:
        kept = Path(port_file).read_text(encoding="utf-8").strip()
    except OSError:
        kept = ""
    print(kept if kept.isdigit() and 0 < int(kept) < 65536 else DEV_PORT)
    return 0


def free_port() -> int:
    """A loopback port free now, for this checkout's dev emulator when its own is taken."""
    with socket.socket() as probe_socket:
        probe_socket.bind(("127.0.0.1", 0))
        print(probe_socket.getsockname()[1])
    return 0


def has_key(stack_file: str) -> int:
    return 0 if _config_line(stack_file, "lemlist:apiKey") is not None else 1


#: The salts of the committed example stacks (stacks/Pulumi.{staging,prod}.yaml): their
#: passphrase was thrown away, so a stack file still holding one is not set up yet.
EXAMPLE_SALTS = frozenset({
    "v1:w3xjocGgRL4=:v1:2/G+xno7QQLEdCka:GdJC/k2aMV2wzmZFeLkMklusaW8lbA==",
    "v1:RDINTaFJUK0=:v1:pxWr06WndRfMgeWO:nN2Ax1BFlhAnSIDvemQZTwIJZCmFyw==",
})


def stack_state(stack_file: str) -> int:
    top = {}
    for line in Path(stack_file).read_text(encoding="utf-8").splitlines():
        key, sep, value = line.partition(":")
        if sep and key in ("encryptionsalt", "secretsprovider"):
            top[key] = value.strip().strip("'\"")
    if top.get("secretsprovider", "passphrase") != "passphrase":
        print("provider")
    elif top.get("encryptionsalt") in EXAMPLE_SALTS:
        print("example")
    else:
        print("passphrase" if "encryptionsalt" in top else "none")
    return 0


_QUOTED = re.compile(r"""^(\s*(?:- )?[^\s#"'][^#"]*?:\s+)"([^"\\]*)"(\s*(?:#.*)?)$""")


def keep_format(before: str, stack_file: str) -> int:
    """The CLI re-serialises the file it writes (yaml.v3): a plain ``false`` it did not touch
    comes back as ``"false"``. Put back each such line as it was, when ``before`` had it."""
    path = Path(stack_file)
    if not path.exists() or not Path(before).exists():
        return 0
    old = set(Path(before).read_text(encoding="utf-8").splitlines())
    text = path.read_text(encoding="utf-8")
    lines = []
    for line in text.splitlines():
        match = _QUOTED.match(line)
        plain = f"{match.group(1)}{match.group(2)}{match.group(3)}" if match else line
        lines.append(plain if match and line not in old and plain in old else line)
    kept = "\n".join(lines) + ("\n" if text.endswith("\n") else "")
    if kept != text:
        path.write_text(kept, encoding="utf-8")
    return 0


def _team_names(stack_file: str) -> int:
    """How many teams ``lemlist:teams`` names, read line by line as ``pulumi config set``
    writes it (a block map, two spaces per level): a stack file of 50,000 senders is read in
    a blink, where a YAML parser takes seconds on every command."""
    count, inside = 0, False
    for line in Path(stack_file).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        indent = len(line) - len(line.lstrip(" "))
        if indent == 2:
            inside = line.strip() == "lemlist:teams:"
        elif inside and indent == 4 and line.rstrip().endswith(":"):
            count += 1
    return count


def parallel(stack_file: str) -> int:
    """The engine's ``--parallel`` that can fill the provider host: the host's own width, by
    the provider's rule (``lemlist:concurrency``, else 32 per team in use: the default team
    and each of ``lemlist:teams``; lemlist_resource/config/settings.py). Nothing when the
    setting is unusable: the provider then says why, in its words."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from lemlist_resource.config.names import CONCURRENCY_CONFIG, CONCURRENCY_ENV
    from lemlist_resource.config.settings import check_concurrency
    from lemlist_resource.errors import ConfigurationError

    raw = _config_line(stack_file, CONCURRENCY_CONFIG) or os.environ.get(CONCURRENCY_ENV)
    try:
        print(check_concurrency(raw, _team_names(stack_file) + 1))
    except ConfigurationError:
        pass
    return 0


#: lemlist's own words for an id it does not know (lemlist_resource/lemlist/answers.py GONE_TEXT),
#: which the emulator speaks too: the only 404 that says "an emulator, and it took the key".
GONE_TEXT = "Email account not found"
#: The emulator's own header naming its process and state file (lemlist_emulator/server.py).
IDENTITY_HEADER = "X-Lemlist-Emulator"


def _test_call(url: str, key: str) -> tuple[int, str, str] | None:
    """The HTTP status, (start of the) body and identity header of a test call on an unknown
    id with ``key``; None: nothing listens."""
    auth = base64.b64encode(f":{key}".encode()).decode()
    request = urllib.request.Request(  # noqa: S310 - the dev stack's own http(s) URL
        f"{url.rstrip('/')}/user/email-accounts/umx_scriptsprobe/test",
        method="POST",
        headers={"Authorization": f"Basic {auth}"},
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only
    try:
        with opener.open(request, timeout=5) as response:
            body = response.read(4096).decode("utf-8", "replace")
            return int(response.status), body, response.headers.get(IDENTITY_HEADER, "")
    except urllib.error.HTTPError as exc:
        body = exc.read(4096).decode("utf-8", "replace")
        return int(exc.code), body, exc.headers.get(IDENTITY_HEADER, "")
    except (urllib.error.URLError, OSError):
        return None


def _identity(header: str) -> tuple[str, str]:
    """The pid and state file an emulator's identity header names ("" when it names none)."""
    fields = dict(part.strip().partition("=")[::2] for part in header.split(";"))
    state = fields.get("state", "-")
    return fields.get("pid", ""), "" if state == "-" else urllib.parse.unquote(state)


def whose(url: str, header: str, state: str, movable: bool = False) -> str | None:
    """None when the emulator answering with ``header`` keeps ``state`` (this checkout's);
    else the one sentence saying whose it is and what to do (``movable``: this checkout's
    emulator goes to another port, so only what to do about that one)."""
    pid, theirs = _identity(header)
    ours = os.path.realpath(state)
    if theirs and os.path.realpath(theirs) == ours:
        return None
    stop = f"kill {pid}" if pid else "stop it"
    if movable:
        if not header:
            return (
                f"the lemlist emulator on {url} does not say whose it is (started by hand, or by "
                "an older scripts/pulumi)"
            )
        if not theirs:
            return f"the lemlist emulator on {url} (pid {pid}) keeps no state file"
        if not os.path.exists(theirs):
            return (
                f"a stale lemlist emulator answers on {url} (pid {pid}): its state file {theirs} "
                f"is gone (its checkout moved or was deleted); stop it when you can ({stop})"
            )
        checkout = os.path.dirname(os.path.dirname(theirs))
        return f"the lemlist emulator on {url} is another checkout's ({checkout}, pid {pid})"
    if not header:
        return (
            f"the lemlist emulator on {url} does not say whose it is (started by hand, or by an "
            f"older scripts/pulumi), so it is not known to keep this checkout's {state}: stop it "
            "(kill $(cat .emulator/emulator.pid) if this checkout started it), then run this "
            "again, and this script starts its own."
        )
    if not theirs:
        return (
            f"the lemlist emulator on {url} (pid {pid}) keeps no state file, so it is not this "
            f"checkout's dev emulator ({state}): stop it ({stop}), then run this again, and this "
            "script starts its own."
        )
    checkout = os.path.dirname(os.path.dirname(theirs))
    if not os.path.exists(theirs):
        return (
            f"a stale lemlist emulator answers on {url} (pid {pid}): its state file {theirs} is "
            f"gone (its checkout moved or was deleted); stop it ({stop}), then run this again."
        )
    return (
        f"the lemlist emulator on {url} is another checkout's ({checkout}, pid {pid}), not this "
        f"one's: stacks/Pulumi.dev.yaml pins lemlist:apiUrl, so the dev stacks of two checkouts "
        f"share its port; stop that one (cd {checkout} && kill $(cat .emulator/emulator.pid)) "
        "before running this checkout's dev stack, or remove lemlist:apiUrl from "
        "stacks/Pulumi.dev.yaml and this script gives each checkout its own port."
    )


#: probe's exit status when, with ``movable``, the port is not this checkout's emulator's.
ELSEWHERE = 4


def probe(
    url: str, key: str, *team_keys: str, state: str | None = None, movable: bool = False
) -> int:
    """0: an emulator answers, in lemlist's words, and takes the key (and each team key) and,
    with ``state``, it keeps that state file; 3: nothing listens; 1: it refuses one, it is
    another's emulator, or what answers is not the emulator (said). With ``movable`` (this
    checkout's emulator may take another port), :data:`ELSEWHERE` instead of 1 when the port
    is another's emulator or not an emulator at all (said, as a note)."""
    for number, candidate in enumerate((key, *team_keys)):
        answer = _test_call(url, candidate)
        if answer is None:
            return 3
        status, body, header = answer
        emulator = bool(header) or (status == 404 and body.strip() == GONE_TEXT)
        if number == 0 and state is not None and emulator:
            other = whose(url, header, state, movable)
            if other:
                return fail(other, ELSEWHERE) if movable else fail(other)
        if status == 404 and body.strip() == GONE_TEXT:  # lemlist's words: the key was taken
            continue
        if status == 401:
            which = "API key" if number == 0 else "second team's key (lemlist:teams)"
            return fail(
                f"something already answers on {url} but refuses the dev stack's {which} (HTTP "
                "401): most likely an emulator started with another --api-key or --team (or "
                "before the dev stack had a second team). Stop it (kill $(cat "
                ".emulator/emulator.pid) if this script started it), then run this again, and "
                "this script starts one with the dev keys."
            )
        if movable and not emulator:
            return fail(
                f"something that is not the lemlist emulator answers on {url} (HTTP {status})",
                ELSEWHERE,
            )
        return fail(
            f"something already answers on {url} but it is not the lemlist emulator (HTTP "
            f"{status} to a test call, without lemlist's '{GONE_TEXT}'): free the port, then "
            "run this again."
        )
    return 0


def _probe_command(args: list[str]) -> int:
    """``probe [--state FILE [--movable]] URL KEY [TEAM_KEY...]``."""
    state = None
    if args[:1] == ["--state"]:
        state, args = args[1], args[2:]
    movable = args[:1] == ["--movable"]
    return probe(*args[1 if movable else 0 :], state=state, movable=movable)


def main(argv: list[str]) -> int:
    commands = {
        "stamp": lambda a: stamp(a),
        "dev-url": lambda a: dev_url(a[0]),
        "dev-port": lambda a: dev_port(a[0]),
        "free-port": lambda a: free_port(),
        "parallel": lambda a: parallel(a[0]),
        "has-key": lambda a: has_key(a[0]),
        "stack-state": lambda a: stack_state(a[0]),
        "keep-format": lambda a: keep_format(a[0], a[1]),
        "probe": _probe_command,
    }
    if not argv or argv[0] not in commands:
        return fail(f"pulumi_setup.py: expected one of {', '.join(commands)}", 2)
    return int(commands[argv[0]](argv[1:]))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Run a pulumi command whose program is served by the SDK's own language server.

    .venv/bin/python scripts/pulumi_inline.py PULUMI ARGS...

The Pulumi CLI built from Go modules here (scripts/pulumi-cli/build) has no Python language
host: its module is not served by the Go module proxy. The CLI can still run a Python program
the way the Automation API runs an inline program: the program is served by
``pulumi.automation._server.LanguageServer`` (the SDK's code, the same one
``Stack.up(program=…)`` uses) and the CLI is given its address with ``--client``
(``pulumi up/preview/refresh/destroy --client``, the flag the Automation API passes,
pulumi/automation/_stack.py). The program is the ``__main__.py`` of the project in the current
directory, run with ``runpy`` as the language host runs it. Everything else is the real
engine: the steps, the dynamic-provider host (``pulumi-resource-pulumi-python``), state,
secrets, policy packs.

Commands that do not run the program go to the CLI unchanged.

No host outlives its command: on Linux this process is the child subreaper of the CLI, so a
dynamic-provider host (``python -m pulumi.dynamic``) the CLI leaves behind (killed, or
interrupted before it stopped its plugins) becomes our child and is ended when the CLI exits.
Ctrl-C reaches the CLI from the terminal and the CLI cancels as it does; this process waits
for it (it never kills the CLI mid-cancel) and passes SIGTERM and SIGHUP on to it.

With ``--client`` the CLI replaces the project's runtime by ``client`` (pkg/engine/plugins.go,
``ProjectInfoContext``), so Pulumi.yaml's ``virtualenv`` option no longer reaches the
dynamic-provider script as ``PULUMI_RUNTIME_VIRTUALENV`` (resource/plugin/provider_plugin.go,
``NewProvider``): the script then runs ``$PULUMI_PYTHON_CMD``, else ``python3`` from PATH, as
it does under the Automation API. So the CLI runs with ``PULUMI_PYTHON_CMD`` set to this
virtualenv's interpreter and its ``bin`` first on PATH, as in an activated virtualenv.
"""

from __future__ import annotations

import os
import runpy
import signal
import subprocess
import sys
from collections.abc import Callable
from concurrent import futures
from pathlib import Path
from typing import Any

# The commands that take --client (pkg/cmd/pulumi: newUpCmd, newPreviewCmd, newRefreshCmd,
# newDestroyCmd); the Automation API passes it to the same four.
PROGRAM_COMMANDS = {"up", "update", "preview", "pre", "refresh", "destroy", "down"}


def _program() -> None:
    """The project's program, run as the language host runs ``__main__.py``."""
    runpy.run_path(str(Path.cwd() / "__main__.py"), run_name="__main__")


def _with_client(args: list[str], address: str) -> list[str]:
    """``args`` with ``--client`` and ``--exec-kind`` placed before any ``--``."""
    extra = [f"--client={address}", "--exec-kind", "auto.inline"]
    if "--" in args:
        cut = args.index("--")
        return [*args[:cut], *extra, *args[cut:]]
    return [*args, *extra]


def language_server(program: Callable[[], None]) -> Any:
    """The SDK's language server for ``program``, whose failed run bails as a language host's.

    ``LanguageServer.Run`` reports a failed program twice: it logs the message as an error
    diagnostic (``log.error``, in each of its ``except`` branches) and also returns it as
    ``RunResponse.error``, which the engine prints again as "an unhandled error occurred: …".
    Pulumi's language hosts do not: a program that has already shown its message exits with
    code 32, and the host answers ``RunResponse{Bail: true}`` without an error
    (sdk/python/cmd/pulumi-language-python/main.go, ``pythonProcessExitedAfterShowingUser
    ActionableMessage``; pulumi-language-python-exec logs, then exits 32). So an answer with an
    error becomes a bail here: the run still fails, and its message is printed once."""
    from pulumi.automation._server import LanguageServer
    from pulumi.runtime.proto import language_pb2

    class ReportedOnce(LanguageServer):
        def Run(self, request: Any, context: Any) -> Any:  # gRPC names the method
            result = super().Run(request, context)  # type: ignore[no-untyped-call]
            if result.error:  # already logged by LanguageServer.Run as a diagnostic
                return language_pb2.RunResponse(bail=True)
            return result

    return ReportedOnce(program)


def serve(program: Callable[[], None]) -> tuple[Any, str]:
    """The language server for ``program`` (what ``--client`` connects to), started on
    loopback: the server, to stop, and its address."""
    import grpc
    from pulumi.runtime.proto import language_pb2_grpc

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    language_pb2_grpc.add_LanguageRuntimeServicer_to_server(language_server(program), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    return server, f"127.0.0.1:{port}"


def _become_subreaper() -> bool:
    """Linux: orphaned descendants (hosts the CLI did not stop) become this process's children."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(36, 1, 0, 0, 0)) == 0  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        return False


def _children() -> list[int]:
    """The pids of this process's child processes (/proc; none elsewhere)."""
    me, found = str(os.getpid()), []
    for entry in Path("/proc").iterdir() if Path("/proc/self/stat").exists() else ():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if len(fields) > 1 and fields[1] == me:
            found.append(int(entry.name))
    return found


def end_leftovers(keep: set[int]) -> list[int]:
    """Kill and reap every child process left once the CLI has exited, but those in ``keep``
    (this process's children from before the CLI: scripts/pulumi's dev emulator, started by
    the shell this process replaced); their pids. The engine that drove them is gone, so
    there is nothing to end gracefully."""
    left = [pid for pid in _children() if pid not in keep]
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
    return left


def run_cli(command: list[str], env: dict[str, str] | None = None) -> int:
    """Run the CLI to its end: Ctrl-C is the CLI's to handle (the terminal sends it to both),
    SIGTERM and SIGHUP are passed on; then no host of it outlives it."""
    subreaper = _become_subreaper()
    before = set(_children())
    process = subprocess.Popen(command, env=env)  # noqa: S603 - the CLI the caller chose

    def forward(signum: int, _frame: object) -> None:
        process.send_signal(signum)

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        while True:
            try:
                return process.wait()
            except KeyboardInterrupt:
                continue  # the CLI got it too and is cancelling: wait for it
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if subreaper:
            end_leftovers(before)


def main(argv: list[str]) -> int:
    pulumi, args = argv[0], argv[1:]
    verb = next((a for a in args if not a.startswith("-")), "")
    if verb not in PROGRAM_COMMANDS:
        return subprocess.call([pulumi, *args])  # noqa: S603 - the CLI the caller chose

    server, address = serve(_program)
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["PULUMI_PYTHON_CMD"] = sys.executable
    try:
        code = run_cli([pulumi, *_with_client(args, address)], env)
        return 130 if code == -signal.SIGINT else code
    finally:
        server.stop(0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""What the provider host sends the engine when a call fails (``lemlist_resource.host.hosterrors``).

Our errors read as their sentence alone; any other exception keeps the SDK's traceback; a
host of another shape keeps its stock behaviour with one warning. Through the real host
(``python -m pulumi.dynamic``), and in-process against the SDK's own host source. The
real CLI's output is held in ``tests/e2e/test_messages.py``.
"""

from __future__ import annotations

import base64
import importlib.util
import sys
import traceback
import types
from collections.abc import Callable, Iterator
from pathlib import Path

import grpc
import pytest

from lemlist_emulator import Emulator
from lemlist_resource.email_account import creation
from lemlist_resource.email_account.client import LemlistClient
from lemlist_resource.errors import LemlistError
from lemlist_resource.host import hosterrors, hostpool
from tests.conftest import API_KEY, assert_no_credentials, mailbox
from tests.harness import HostError, ProviderHost

#: The SDK's host source (pulumi/dynamic/__main__.py), as the installed SDK ships it.
_SPEC = importlib.util.find_spec("pulumi.dynamic.__main__")
assert _SPEC is not None and _SPEC.loader is not None and _SPEC.origin is not None
HOST_SOURCE: str = _SPEC.loader.get_source(_SPEC.name)  # type: ignore[attr-defined]
STOCK_CALL = "traceback.format_exc()"
assert HOST_SOURCE.count(STOCK_CALL) == 1 and HOST_SOURCE.rstrip().endswith("\nmain()")


# -- through the real host -----------------------------------------------------------------


def test_our_error_reads_as_its_sentence_alone(host: ProviderHost) -> None:
    host.create(host.check(mailbox()).inputs)
    with pytest.raises(HostError) as err:
        host.create(host.check(mailbox()).inputs)
    assert err.value.code == grpc.StatusCode.UNKNOWN
    assert err.value.message.startswith(
        "Connecting the lemlist mailbox alice@acme-mail.com failed: lemlist answered HTTP 400 "
        '"This SMTP mailbox already exists"; '
    ), err.value.message
    assert "\n" not in err.value.message and "lemlist_resource" not in err.value.message


@pytest.fixture
def own_host(emulator: Emulator) -> Iterator[Callable[..., ProviderHost]]:
    """Hosts of this test alone (they are changed), configured for the emulator."""
    started: list[ProviderHost] = []

    def start(argv: tuple[str, ...] = ("-u", "-m", "pulumi.dynamic")) -> ProviderHost:
        host = ProviderHost(argv=argv)
        started.append(host)
        config = {"lemlist:apiKey": API_KEY, "lemlist:apiUrl": emulator.url}
        host.configure(config, secret_keys=["lemlist:apiKey"])
        return host

    yield start
    for host in started:
        assert_no_credentials(host.close())


def test_any_other_error_keeps_the_traceback(own_host: Callable[..., ProviderHost]) -> None:
    host = own_host()
    host.check(mailbox())  # loads our provider: hosterrors is installed now
    host.provider = base64.b64encode(b"not a pickle").decode()  # the SDK fails to load it
    with pytest.raises(HostError) as err:
        host.check(mailbox())
    assert err.value.message.startswith("Traceback (most recent call last):"), err.value.message
    assert "UnpicklingError" in err.value.message
    assert "HostMessagesWarning" not in host.close()


def test_a_host_of_another_shape_keeps_the_traceback_and_warns_once(
    own_host: Callable[..., ProviderHost], emulator: Emulator, tmp_path: Path
) -> None:
    script = tmp_path / "other_host.py"
    script.write_text(
        "import importlib.util, sys\n"
        "spec = importlib.util.find_spec('pulumi.dynamic.__main__')\n"
        "module = sys.modules['__main__']\n"
        "module.__spec__ = spec\n"
        "source = spec.loader.get_source(spec.name).replace(\n"
        f"    {STOCK_CALL!r}, \"''.join(traceback.format_exception(*sys.exc_info()))\")\n"
        "exec(compile(source, spec.origin, 'exec'), module.__dict__)\n"
    )
    emulator.reset()
    emulator.connect(**mailbox())
    host = own_host(("-u", str(script)))
    for _ in range(2):
        with pytest.raises(HostError) as err:
            host.create(host.check(mailbox()).inputs)
        assert err.value.message.startswith("Traceback (most recent call last):")
        assert "This SMTP mailbox already exists" in err.value.message
    stderr = host.close()
    assert stderr.count("HostMessagesWarning") == 1, stderr
    assert "does not call traceback.format_exc" in stderr


# -- in-process, against the SDK's own host source -------------------------------------------


class Context:
    """What the host's wrapper needs of gRPC's servicer context: ``abort``."""

    def __init__(self) -> None:
        self.aborted: tuple[grpc.StatusCode, str] | None = None

    def abort(self, code: grpc.StatusCode, details: str) -> None:
        self.aborted = (code, details)


@pytest.fixture
def sdk_host(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], types.ModuleType]:
    """This process dressed as the host: a ``__main__`` running the SDK's host source, or
    an edited copy (without starting its server)."""

    def dress(source: str = HOST_SOURCE) -> types.ModuleType:
        module = types.ModuleType("__main__")
        module.__spec__ = types.SimpleNamespace(name=hostpool.HOST_MAIN)  # type: ignore[assignment]
        body = source.rstrip().removesuffix("main()")
        exec(compile(body, "host.py", "exec"), module.__dict__)
        monkeypatch.setitem(sys.modules, "__main__", module)
        return module

    monkeypatch.setattr(hosterrors, "_WARNED", [])
    return dress


def failing(host: types.ModuleType, exc: Exception) -> str:
    """What the host's wrapper sends when a call raises ``exc``."""
    def call(self: object, request: object, context: object) -> None:
        raise exc

    context = Context()
    host._abort_with_traceback(call)(None, None, context)
    assert context.aborted is not None and context.aborted[0] == grpc.StatusCode.UNKNOWN
    return context.aborted[1]


def test_installed_in_the_sdk_host(sdk_host: Callable[..., types.ModuleType]) -> None:
    host = sdk_host()
    assert hosterrors.install() is True and hosterrors.install() is True
    assert isinstance(host.traceback, hosterrors.Messages)
    sentence = "Connecting the lemlist mailbox a@b.co failed: do this."
    assert failing(host, LemlistError(sentence)) == sentence
    shown = failing(host, ValueError("a bug"))
    assert shown.startswith("Traceback (most recent call last):") and "ValueError: a bug" in shown
    assert host.traceback.format_exception is traceback.format_exception  # the rest: stock


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (lambda s: s.replace("_abort_with_traceback", "_abort"), "no function"),
        (lambda s: s.replace(STOCK_CALL, "str(sys.exc_info()[1])"), "does not call"),
        (lambda s: s.replace("@_abort_with_traceback\n    def", "def"), "no provider call"),
        (lambda s: s.replace("import traceback\n", "import linecache as traceback\n"),
         "not the standard module"),
    ],
    ids=["decorator renamed", "no format_exc", "calls not wrapped", "another traceback"],
)
def test_unexpected_shape_warns_once_and_changes_nothing(
    sdk_host: Callable[..., types.ModuleType], edit: Callable[[str], str], reason: str
) -> None:
    host = sdk_host(edit(HOST_SOURCE))
    before = getattr(host, "traceback", None)
    with pytest.warns(hosterrors.HostMessagesWarning, match=reason) as caught:
        assert hosterrors.install() is False
        assert hosterrors.install() is False
    assert len(caught) == 1
    assert getattr(host, "traceback", None) is before


def test_inactive_outside_the_host() -> None:
    import lemlist_resource.email_account.provider  # noqa: F401 - importing is what must not install

    assert hosterrors.install() is False
    assert "pulumi.dynamic.__main__" not in sys.modules


def test_a_failed_create_repeats_nothing(emulator: Emulator) -> None:
    """The undo's error says why (the check failed): it does not chain the exception it
    handled, whose text it already holds."""
    emulator.reset()
    emulator.fail_check(mailbox()["smtp_host"], "smtp")
    with pytest.raises(LemlistError) as err:
        creation.connect(LemlistClient(emulator.url, API_KEY), mailbox(), "alice@acme-mail.com")
    shown = "".join(traceback.format_exception(err.value))
    assert "During handling" not in shown, shown
    assert shown.count("the connectivity check failed") == 1, shown
    assert emulator.accounts() == []

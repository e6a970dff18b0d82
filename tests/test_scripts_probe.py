"""The dev wrapper's emulator probe (issue 19): only lemlist's own words count.

Before, anything answering 404 on the emulator's port was taken for the emulator and the
dev stack ran against it. Each server here is a real loopback HTTP server.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from lemlist_emulator import Emulator
from lemlist_resource.lemlist.answers import GONE_TEXT

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("pulumi_setup", ROOT / "scripts" / "pulumi_setup.py")
assert _spec is not None and _spec.loader is not None
setup = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(setup)


def _server(status: int, body: bytes, ctype: str = "text/plain") -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(
    params=[
        (404, b"Not Found", "text/plain"),
        (404, b"<html><body>404 page not found</body></html>", "text/html"),
        (404, b'{"error": "not found"}', "application/json"),
        (200, b"<!doctype html><title>lemlist</title>", "text/html"),
    ],
    ids=["plain-404", "html-404", "json-404", "html-200"],
)
def impostor(request: pytest.FixtureRequest) -> Iterator[str]:
    yield from _server(*request.param)


def test_the_probe_speaks_lemlists_words() -> None:
    assert setup.GONE_TEXT == GONE_TEXT


def test_anything_else_answering_404_is_a_clear_stop(
    impostor: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert setup.probe(impostor, "emulator-dev-key") == 1
    err = capsys.readouterr().err
    assert "is not the lemlist emulator" in err and "free the port" in err
    assert "emulator-dev-key" not in err


def test_the_emulator_is_recognized_by_its_404_words() -> None:
    with Emulator(api_keys={"k": "team_1"}, teams={"globex": "g"}) as emulator:
        assert setup.probe(emulator.url, "k", "g") == 0


def test_an_emulator_that_does_not_say_whose_it_is_is_not_taken_for_this_checkouts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for url in _server(404, GONE_TEXT.encode()):  # lemlist's words, no identity header
        assert setup.probe(url, "k", state=str(tmp_path / "dev.db")) == 1
    err = capsys.readouterr().err
    assert "does not say whose it is" in err and "kill $(cat .emulator/emulator.pid)" in err


def test_this_checkouts_emulator_is_recognized_by_its_state_file(tmp_path: Path) -> None:
    state = tmp_path / "dev.db"
    with Emulator(api_keys={"k": "team_1"}, state_path=state) as emulator:
        assert setup.probe(emulator.url, "k", state=str(state)) == 0
        assert setup.probe(emulator.url, "k", state=str(tmp_path / "x.db")) == 1


def test_the_emulators_identity_header_is_the_probes() -> None:
    from lemlist_emulator.server import IDENTITY_HEADER

    assert setup.IDENTITY_HEADER == IDENTITY_HEADER

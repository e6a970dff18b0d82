"""The engine model sends what the real engine sends (issue 17).

tests/engine_requests.json is what the real Pulumi CLI sent the provider host at each step of
tests/recorded_steps.py (recorded and re-checked by tests/e2e/test_recorded.py). Here the
engine model (tests/harness.py) walks the same steps against the same recording host, and
must produce the same requests: the same fields, the same property keys, the same kinds.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from lemlist_emulator import Emulator
from tests.conftest import API_KEY
from tests.harness import Engine, ProviderHost
from tests.recorded_steps import GOLDEN, SCENARIO, program_inputs, read_records

STEPS: dict[str, Callable[[Engine, dict[str, Any]], object]] = {
    "preview": lambda engine, inputs: engine.plan("alice", inputs),
    "up": lambda engine, inputs: engine.up({"alice": inputs}),
    "refresh": lambda engine, inputs: engine.refresh(),
    "destroy": lambda engine, inputs: engine.destroy(),
}


def model_records(tmp_path: Path, emulator: Emulator) -> dict[str, list[dict[str, Any]]]:
    """Walk the scenario with the engine model; each step in a new host, as each CLI
    command starts one."""
    record = tmp_path / "record.jsonl"
    engine: Engine | None = None
    recorded: dict[str, list[dict[str, Any]]] = {}
    for step, inputs, command in SCENARIO:
        record.unlink(missing_ok=True)
        host = ProviderHost(
            env={"LEMLIST_RECORD": str(record)}, argv=("-u", "-m", "tests.engine_record")
        )
        try:
            host.configure(
                {"lemlist:apiUrl": emulator.url, "lemlist:apiKey": API_KEY},
                secret_keys=["lemlist:apiKey"],
            )
            if engine is None:
                engine = Engine(host)
            engine.host = host
            STEPS[command[0]](engine, program_inputs(inputs))
        finally:
            host.close()
        recorded[step] = read_records(record)
    return recorded


@pytest.mark.parametrize("step", [s for s, _, _ in SCENARIO])
def test_the_model_sends_what_the_engine_sends(
    step: str, recorded_by_model: dict[str, list[dict[str, Any]]]
) -> None:
    golden = json.loads(GOLDEN.read_text())
    assert recorded_by_model[step] == golden[step]


@pytest.fixture(scope="module")
def recorded_by_model(
    tmp_path_factory: pytest.TempPathFactory, emulator: Emulator
) -> dict[str, list[dict[str, Any]]]:
    emulator.reset()
    return model_records(tmp_path_factory.mktemp("model"), emulator)

"""lemlist's published OpenAPI as a test oracle: every answer checked against the spec alone.

The spec is ``tests/emulator/spec/lemlist-openapi.json``, a copy of
``../shared/lemlist-openapi.json`` ("lemlist API 1.0.0", OpenAPI 3.0.0; test_conformance.py
checks the two are equal when ../shared is there). Its schemas are OpenAPI 3.0's dialect of
JSON Schema draft 4; the one keyword of theirs that draft 4 lacks, ``nullable``, becomes a
``"null"`` type, and the schemas are validated with :mod:`jsonschema` (no hand-written
checks). The sentences a refusal may carry are read from the response's ``description``
("Possible errors: A / B / C", warmupToggle's words in parentheses) and its ``example``.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

SPEC_PATH = Path(__file__).parent / "spec" / "lemlist-openapi.json"
SHARED_SPEC = Path(__file__).resolve().parents[2].parent / "shared" / "lemlist-openapi.json"
_URI = "urn:lemlist-openapi"


def _draft4(node: Any) -> Any:
    """OpenAPI 3.0 schema keywords as draft 4 reads them (``nullable: true`` adds "null")."""
    if isinstance(node, list):
        return [_draft4(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _draft4(value) for key, value in node.items()}
    if out.pop("nullable", False) is True and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    return out


@cache
def spec() -> dict[str, Any]:
    """The spec, its schemas in draft 4's words."""
    loaded: dict[str, Any] = _draft4(json.loads(SPEC_PATH.read_text(encoding="utf-8")))
    return loaded


@cache
def _registry() -> Registry[Any]:
    registry: Registry[Any] = Registry().with_resource(
        _URI, Resource.from_contents(spec(), default_specification=DRAFT4)
    )
    return registry


def documented(method: str, path: str, status: int) -> dict[str, Any]:
    """The spec's response object for ``method path`` and ``status``; fails if it has none."""
    responses = spec()["paths"][path][method.lower()]["responses"]
    assert str(status) in responses, f"{method} {path}: the spec documents no {status}"
    found: dict[str, Any] = responses[str(status)]
    return found


def sentences(response: dict[str, Any]) -> set[str]:
    """The refusal sentences a documented response names."""
    description = response.get("description", "").removeprefix("Possible errors:").strip()
    words = {part.strip() for part in description.split(" / ")}
    for listed in re.findall(r"\(([^)]*)\)", description):
        words |= {word.strip() for word in listed.split(",") if word.strip() != "etc."}
    for media in response.get("content", {}).values():
        if isinstance(media.get("example"), str):
            words.add(media["example"])
    return words


def warmup_toggle_words() -> set[str]:
    """warmupToggle's words, which the spec lists on start's 400 (pause names the same)."""
    start = documented("POST", "/lemwarm/{userMailboxId}/start", 400)
    return {w for w in sentences(start) if re.fullmatch(r"[A-Za-z-]+", w) and w != "Bad"}


def check(method: str, path: str, answer: requests.Response) -> Any:
    """Assert ``answer`` is one the spec documents for ``method path``: its status, its content
    type, a JSON body valid against the schema, or a text body that is one of the sentences.
    Returns the parsed JSON body (None for a text or empty one)."""
    response = documented(method, path, answer.status_code)
    content = response.get("content", {})
    if not content:
        return None
    media = answer.headers.get("Content-Type", "").split(";")[0].strip()
    assert media in content, f"{method} {path} {answer.status_code}: {media} not in {content}"
    if media == "application/json":
        body = answer.json()
        pointer = "/".join(
            quote(part.replace("~", "~0").replace("/", "~1"), safe="{}")
            for part in ("paths", path, method.lower(), "responses", str(answer.status_code),
                         "content", media, "schema")
        )  # fmt: skip
        validator = Draft4Validator(
            {"$ref": f"{_URI}#/{pointer}"},
            registry=_registry(),
            format_checker=Draft4Validator.FORMAT_CHECKER,
        )
        validator.validate(body)
        return body
    words = sentences(response)
    if path.startswith("/lemwarm/") and "Error from warmupToggle" in words:
        words |= warmup_toggle_words()
    assert answer.text in words, f"{method} {path}: {answer.text!r} not one of {words}"
    return None


def example_body(method: str, path: str) -> dict[str, Any]:
    """A request body from the spec's examples (the media example, else each property's)."""
    media = spec()["paths"][path][method.lower()]["requestBody"]["content"]["application/json"]
    if isinstance(media.get("example"), dict):
        return dict(media["example"])
    properties = media["schema"]["properties"]
    return {name: p["example"] for name, p in properties.items() if "example" in p}

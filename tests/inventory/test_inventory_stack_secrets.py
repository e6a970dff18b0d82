"""The example stacks' secrets are real Pulumi passphrase-provider ciphertext.

dev opens with its documented public passphrase, so `pulumi up` on dev works; staging and
prod were encrypted with a passphrase nobody has, so they open with nothing we know.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped, unused-ignore]

from .helpers import DEV_PASSPHRASE, STACKS
from .stack_crypto import _split, decrypt, encrypt, key_from_salt


def _secure_values(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, Mapping):
        if list(value) == ["secure"]:
            yield path, value["secure"]
            return
        for k, v in value.items():
            yield from _secure_values(v, f"{path}.{k}" if path else str(k))


def _load(stack: str) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((STACKS / f"Pulumi.{stack}.yaml").read_text())
    return document


def test_dev_secrets_open_with_the_documented_passphrase() -> None:
    document = _load("dev")
    key = key_from_salt(DEV_PASSPHRASE, document["encryptionsalt"])
    values = dict(_secure_values(document["config"]))
    assert set(values) == {
        "lemlist-senders:passwords.alice",
        "lemlist-senders:passwords.bob.smtp",
        "lemlist-senders:passwords.bob.imap",
        "lemlist-senders:passwords.support",
        "lemlist:teams.globex.apiKey",
    }
    plain = {path: decrypt(key, value) for path, value in values.items()}
    assert plain["lemlist-senders:passwords.bob.smtp"] == "dev-bob-smtp-password"
    assert plain.pop("lemlist:teams.globex.apiKey") == "emulator-globex-key"  # scripts/pulumi's
    assert all(p.startswith("dev-") for p in plain.values())


def test_the_encrypt_side_seals_exactly_like_the_cli() -> None:
    """Re-sealing a CLI-written value with its own nonce gives the CLI's ciphertext back, so
    values written with :func:`encrypt` (the dev stack's team key) are the CLI's format."""
    document = _load("dev")
    key = key_from_salt(DEV_PASSPHRASE, document["encryptionsalt"])
    for _path, value in _secure_values(document["config"]):
        nonce, _sealed = _split(value)
        assert encrypt(key, decrypt(key, value), nonce) == value
    fresh = encrypt(key, "a new dummy value")
    assert decrypt(key, fresh) == "a new dummy value" and fresh != encrypt(key, "a new dummy value")


def test_dev_passphrase_is_documented_in_the_stack_and_the_guide() -> None:
    assert f"PULUMI_CONFIG_PASSPHRASE={DEV_PASSPHRASE}" in (STACKS / "Pulumi.dev.yaml").read_text()
    guide = (STACKS.parent / "docs" / "gitops.md").read_text()
    assert DEV_PASSPHRASE in guide


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_staging_and_prod_secrets_are_real_but_not_openable(stack: str) -> None:
    document = _load(stack)
    assert document["encryptionsalt"].startswith("v1:")
    values = list(_secure_values(document["config"]))
    assert values and all(v.count(":") == 2 and v.startswith("v1:") for _, v in values)
    with pytest.raises(ValueError, match=r"incorrect passphrase|authentication failed"):
        key_from_salt(DEV_PASSPHRASE, document["encryptionsalt"])

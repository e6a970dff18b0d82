"""How Pulumi presents an EmailAccount's inputs to a policy, read safely.

pulumi_policy/policy.py (``Analyze``, ``AnalyzeStack``) deserializes the engine's protobuf
properties: numbers are floats (``587.0``), secrets arrive as plain values (so no message may
quote a password), and a value not known during preview is a sentinel string behind a proxy
that raises ``UnknownValueError`` when read. :func:`known` turns that into :data:`UNKNOWN`,
and every helper here answers None for a value it cannot judge, so the policies skip it.
"""

from __future__ import annotations

import fnmatch
import json
import os
from collections.abc import Mapping
from typing import Any, Final

import pulumi
from pulumi_policy.proxy import UnknownValueError

from lemlist_resource.echo import shown
from lemlist_resource.email_account.schema import DEFAULTS
from lemlist_resource.rules.validation import normalize_port

#: The type token of ``lemlist_resource.EmailAccount`` (a dynamic resource registered with
#: ``module="lemlist", name="EmailAccount"``; pulumi/dynamic/dynamic.py builds the token).
RESOURCE_TYPE: Final = "pulumi-python:dynamic/lemlist:EmailAccount"

#: Stands for a value Pulumi does not know during preview.
UNKNOWN: Final = object()


def known(props: Mapping[str, Any], name: str) -> Any:
    """``props[name]``; None when absent, :data:`UNKNOWN` when not known during preview."""
    try:
        return props.get(name)
    except UnknownValueError:
        return UNKNOWN


def flag(value: Any, name: str) -> bool | None:
    """A boolean input, its schema default when absent; None when unknown or not a bool."""
    if value is None:
        default = DEFAULTS[name]
        assert isinstance(default, bool)
        return default
    return value if isinstance(value, bool) else None


def port(value: Any) -> int | None:
    """A port as an int (Pulumi sends numbers as floats); None when unknown or invalid."""
    if value is UNKNOWN:
        return None
    port, _ = normalize_port(value)
    return port


def sender(props: Mapping[str, Any], name: str) -> str:
    """How messages name the sender: its address when known, else the resource name."""
    email = known(props, "sender_email")
    return f"sender {shown(email)}" if isinstance(email, str) else f"EmailAccount {shown(name)}"


def domain(address: str) -> str | None:
    """The domain of ``name@domain``, lower case; None for a login that is not an address."""
    _, at, domain = address.strip().rpartition("@")
    return domain.lower().rstrip(".") if at and domain else None


def strings(config: Mapping[str, Any], key: str) -> list[str]:
    """A config list of names, lower case (the engine validated it against the schema)."""
    value = config.get(key) or []
    return [str(v).strip().lower() for v in value if str(v).strip()]


def stack_matches(config: Mapping[str, Any], key: str, default: str) -> tuple[str, str, bool]:
    """The current stack, the configured pattern and whether the stack matches it.

    The stack name comes from ``pulumi.get_stack()``: pulumi_policy configures the Pulumi
    runtime from the ``PULUMI_STACK`` variable the engine sets for the policy process.
    """
    pattern = str(config.get(key) or default)
    stack = pulumi.get_stack()
    return stack, pattern, fnmatch.fnmatchcase(stack, pattern)


#: The inventory program's senders in the stack configuration (lemlist_resource.inventory).
SENDERS_CONFIG: Final = "lemlist-senders:senders"


def stack_sender(name: str) -> Mapping[str, Any] | None:
    """Sender ``name``'s entry in the stack file's ``lemlist-senders:senders``, or None.

    The engine gives a policy pack the whole stack configuration in ``PULUMI_CONFIG``, a
    JSON object of strings (``PolicyAnalyzerOptions.Config``, sdk/go/common/resource/plugin
    analyzer_plugin.go ``constructEnv``); an object value is its JSON text. So the pack reads
    a sender's reviewed settings (its ``release``) as the program does."""
    try:
        config = json.loads(os.environ.get("PULUMI_CONFIG") or "{}")
        raw = config.get(SENDERS_CONFIG) if isinstance(config, dict) else None
        senders = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return None
    entry = senders.get(name) if isinstance(senders, dict) else None
    return entry if isinstance(entry, Mapping) else None


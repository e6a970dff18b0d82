"""lemlist's rules for a custom SMTP/IMAP mailbox, and :func:`validate`, which applies them.

The one home of these rules: the provider's ``check``, the offline inventory lint and the
policy pack all call this module (the emulator has its own, written from lemlist's
documentation, so the two check each other). Pure functions of the standard library only,
so the lint and the policy pack import them without loading Pulumi.

``validate`` never calls the API, never raises on odd input, skips values Pulumi does not
know yet, and names the field of every failure. Secret values never appear in a reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..config.teams import team_name_problem
from ..echo import shown
from .addresses import ip_literal, is_refused_address
from .fields import DEFAULTS, FIELDS, Field

__all__ = [
    "Failure",
    "account_id_problem",
    "email_problem",
    "host_problem",
    "normalize_port",
    "oauth_host_problem",
    "parse_flag",
    "validate",
]


@dataclass(frozen=True)
class Failure:
    """A refused field and why: ``reason`` does not repeat the field name, so each caller
    can render the pair as it needs (``check``: :attr:`message`; the lint: its own columns).
    """

    field: str
    reason: str

    @property
    def message(self) -> str:
        """The failure as one sentence that starts with the field name."""
        return f"{self.field} {self.reason}"


def parse_flag(value: object) -> bool | None:
    """``true``/``false`` as booleans or as the strings stack configuration holds (``pulumi
    config set`` writes top-level keys as text), in any case; None for anything else."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


# -- the rules, field kind by field kind ----------------------------------------------


# A deliberately small address check: lemlist only needs a plausible mailbox here, and a
# full RFC 5322 parser (or the `email-validator` package, which also wants DNS) would
# refuse nothing lemlist accepts while adding a dependency to every provider process.
_EMAIL_RE = re.compile(
    r"^[^@\s\"(),:;<>\[\\\]]+@([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
_LABEL_RE = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_METADATA_HOSTS = (
    "metadata.google.internal",
    "metadata",
    "instance-data",
    "instance-data.ec2.internal",
)

#: Names that only resolve on the local machine or a private network (RFC 6761, mDNS, ICANN's
#: private-use ``.internal``).
_LOCAL_DOMAINS = ("localhost", "local", "internal")

#: Mailboxes lemlist connects only through the provider's OAuth, never as custom SMTP/IMAP
#: with a password: (provider, its hosts' domains, lemlist's way to connect them). Gmail:
#: lemlist refuses its hosts ("Invalid host"). Microsoft 365 / Outlook: Exchange Online ended
#: Basic auth (IMAP in 2022; SMTP AUTH is off by default), so lemlist's test cannot pass.
OAUTH_PROVIDERS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("Gmail", ("gmail.com", "googlemail.com"), "Google"),
    (
        "Microsoft 365 / Outlook",
        ("office365.com", "outlook.com", "office.com", "hotmail.com", "live.com"),
        "Microsoft",
    ),
)


def oauth_host_problem(host: str) -> str | None:
    """Why ``host`` belongs to a provider lemlist connects only through OAuth, or None.

    The one rule for Gmail and Microsoft 365 hosts: ``check``, the lint (both through
    :func:`host_problem`) and the policy pack call it."""
    name = host.strip().lower().rstrip(".")
    for provider, domains, oauth in OAUTH_PROVIDERS:
        if any(name == d or name.endswith("." + d) for d in domains):
            return (
                f"{shown(host)} is a {provider} host; lemlist cannot use {provider} mailboxes "
                f"over SMTP/IMAP with a password: connect them through lemlist's {oauth} OAuth "
                "connect in the lemlist app instead"
            )
    return None


def email_problem(value: str) -> str | None:
    """Return why ``value`` is not a usable sender address, or None when it is."""
    if len(value) > 254 or not _EMAIL_RE.fullmatch(value):
        return f"{shown(value)} is not a valid email address (expected name@domain.tld)"
    return None


def host_problem(host: str) -> str | None:
    """Return why lemlist would refuse ``host`` (``Invalid host``), or None when it accepts it.

    Refused: empty or malformed names, Gmail and Microsoft 365 / Outlook hosts
    (:func:`oauth_host_problem`: connect those through OAuth),
    ``localhost`` and cloud-metadata names, and IP literals that are not globally routable
    (private, loopback, link-local, carrier-grade NAT, reserved, metadata addresses).
    """
    name = host.strip().lower()
    name = name[:-1] if name.endswith(".") else name  # one final dot: a fully qualified name
    if not name:
        return "must not be empty"
    ip = ip_literal(name)
    if ip is not None:
        if is_refused_address(ip):
            return (
                f"{shown(host)} is a private, loopback, link-local or metadata address; lemlist "
                "refuses those (SSRF protection): use the mail server's public host name"
            )
        return None
    oauth = oauth_host_problem(host)
    if oauth is not None:
        return oauth
    local = any(name == d or name.endswith("." + d) for d in _LOCAL_DOMAINS)
    if local or name in _METADATA_HOSTS:
        return (
            f"{shown(host)} points at the local machine or a metadata service; lemlist refuses it "
            "(SSRF protection): use the mail server's public host name"
        )
    if len(name) > 253 or not all(_LABEL_RE.fullmatch(label) for label in name.split(".")):
        return (
            f"{shown(host)} is not a valid host name (letters, digits, dots and hyphens; no port)"
        )
    return None


def normalize_port(value: object) -> tuple[int | None, str | None]:
    """Return ``(port, None)`` for a valid TCP port, else ``(None, reason)``.

    Accepts an int, an integral float (Pulumi sends numbers as doubles) or a string of
    digits (stack configuration is text); lemlist itself wants a JSON integer.
    """
    port: int | None = None
    if isinstance(value, bool):
        port = None
    elif isinstance(value, int):
        port = value
    elif isinstance(value, float) and value.is_integer():
        port = int(value)
    elif isinstance(value, str) and re.fullmatch(r"[0-9]{1,5}", value.strip()):
        # ASCII digits only: str.isdigit() also accepts '²' or '①', which int() refuses.
        port = int(value.strip())
    if port is None:
        return None, f"must be a whole number between 1 and 65535, got {shown(value)}"
    if not 1 <= port <= 65535:
        return None, f"must be between 1 and 65535, got {port}"
    return port, None


# lemlist's listings show mailbox ids as ``usm_…`` (``GET /user/channels``, ``GET
# /users/{userId}``), connect's documented example as ``umx_…``: any lower-case prefix and
# ``_`` is accepted, then what is safe as one URL path segment, so an id can never reach
# another route. Whether an id exists is lemlist's to say (404 ``Email account not found``).
_ACCOUNT_ID_RE = re.compile(r"[a-z]{2,10}_[A-Za-z0-9_-]{1,60}")


def account_id_problem(value: str) -> str | None:
    """Return why ``value`` is not a lemlist mailbox id (``usm_…``, ``umx_…``), or None."""
    if _ACCOUNT_ID_RE.fullmatch(value):
        return None
    return (
        f"{shown(value, 42)} is not a lemlist mailbox id: expected a prefix such as usm_ and "
        "letters and digits, as lemlist's GET /user/channels lists it (the id field of "
        "email.accounts)"
    )


# -- applying them -------------------------------------------------------------------------


def _never_unknown(_value: object) -> bool:
    return False


def _check_field(field: Field, value: Any) -> tuple[Any, str | None]:
    """Return the normalized value and the refusal reason (None when accepted)."""
    if field.kind == "port":
        return normalize_port(value)
    if field.kind == "bool":
        flag = parse_flag(value)
        if flag is None:
            return None, f"must be true or false, got {type(value).__name__}"
        return flag, None
    if not isinstance(value, str):
        return None, f"must be a string, got {type(value).__name__}"
    if field.kind == "secret":
        return value, None if value else "must not be empty"
    text = value.strip()
    if not text:
        return None, "must not be empty"
    if field.kind == "email":
        return text, email_problem(text)
    if field.kind == "host":
        return text, host_problem(text)
    if field.kind == "account_id":
        return text, account_id_problem(text)
    if field.kind == "team":
        return text, team_name_problem(text)
    return text, None


def validate(
    props: Mapping[str, Any],
    is_unknown: Callable[[object], bool] = _never_unknown,
) -> tuple[dict[str, Any], list[Failure]]:
    """Validate and normalize EmailAccount inputs.

    Returns the inputs with defaults applied and values normalized (ports as ``int``,
    hosts and addresses trimmed), and the list of failures. Values for which
    ``is_unknown`` is true (Pulumi previews) are passed through unchecked. Keys that are
    not EmailAccount fields are kept as they are.
    """
    out: dict[str, Any] = dict(props)
    failures: list[Failure] = []
    for field in FIELDS:
        value = props.get(field.name)
        if is_unknown(value):
            continue
        blank = isinstance(value, str) and field.kind != "secret" and not value.strip()
        if value is None or blank:
            if field.required:
                failures.append(Failure(field.name, "is required and must not be empty"))
            elif field.name in DEFAULTS:
                out[field.name] = DEFAULTS[field.name]
            else:
                out[field.name] = None
            continue
        normalized, problem = _check_field(field, value)
        if problem is not None:
            failures.append(Failure(field.name, problem))
        else:
            out[field.name] = normalized
    if out.get("adopt") is True and out.get("adopt_id") and not is_unknown(out["adopt_id"]):
        failures.append(
            Failure(
                "adopt",
                "cannot be combined with adopt_id: adopt finds the mailbox by its sender_email, "
                "adopt_id names it; keep one of them",
            )
        )
    return out, failures

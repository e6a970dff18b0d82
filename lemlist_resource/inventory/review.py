"""The pull-request summary: what applying HEAD's inventory over BASE's will do, in Markdown.

Each changed sender goes through
:func:`lemlist_resource.email_account.changes.plan_change`, the rule the provider's ``diff``
uses, so "replaces the mailbox" here means the same as in ``pulumi preview``. Passwords are
compared by their stored (encrypted) value and shown only as "changed".
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from typing import Any

from ..echo import code, plain, shown
from ..email_account.changes import Change, plan_change
from ..email_account.schema import FIELDS, FIELDS_BY_NAME, SECRET_FIELDS
from ..rules.validation import parse_flag, validate
from .lemwarm import LEMWARM, review_lines
from .lint import lint
from .model import Sender
from .passwords import PASSWORD_PARTS
from .releases import release_notes, release_step_one, removal_step
from .stackfile import StackFile, StackFileError, parse_stack, read_stack

REPLACE_WARNING = (
    "⚠ **REPLACES the mailbox: disconnect + reconnect — unlinks it from campaigns and "
    "pauses warm-up**"
)
REMOVE_WARNING = (
    "⚠ **disconnects the mailbox — unlinks it from campaigns and pauses warm-up** "
    "(cannot be undone)"
)
GIT_PREFIX = "git:"


# -- loading -----------------------------------------------------------------------------


def _git_show(ref: str, path: str) -> str | None:
    """The text of ``path`` at ``ref``, or None when the file does not exist there."""
    spec = path if path.startswith("/") else f"./{path.removeprefix('./')}"
    try:
        result = subprocess.run(  # noqa: S603 - fixed argv, no shell
            ["git", "show", f"{ref}:{spec}"],  # noqa: S607 - git from PATH, like a user
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError as exc:
        raise StackFileError(f"{GIT_PREFIX}{ref}:{path}: cannot run git: {exc}") from None
    if result.returncode == 0:
        return result.stdout
    message = result.stderr.strip()
    if "does not exist" in message or "exists on disk, but not in" in message:
        return None
    raise StackFileError(f"{GIT_PREFIX}{ref}:{path}: {message or 'git show failed'}")


def load(spec: str) -> StackFile:
    """A stack file from a path, or from git as ``git:REF:PATH``. A file that does not
    exist at that ref (a stack added or deleted by the change) is an empty inventory."""
    if spec.startswith(GIT_PREFIX):
        ref, sep, path = spec[len(GIT_PREFIX) :].partition(":")
        if not sep or not ref or not path:
            raise StackFileError(f"{spec}: expected git:REF:PATH, e.g. git:origin/main:{path}")
        text = _git_show(ref, path)
        return parse_stack(text or "config: {}", path if text is None else spec)
    return read_stack(spec)


# -- comparing ---------------------------------------------------------------------------


def _props(stack: StackFile, sender: Sender) -> dict[str, Any]:
    """A sender's inputs as the provider would see them: normalized, passwords by value."""
    props = dict(sender.inputs)
    for target in PASSWORD_PARTS.values():
        secret = stack.passwords.get(sender.key, {}).get(target)
        props[target] = secret.value if secret is not None else None
    normalized, _ = validate(props)
    return normalized


_code = code  # a value as inline Markdown code, safe in a list item (the echo rule)


def _describe(name: str, old: object, new: object) -> str:
    if FIELDS_BY_NAME[name].kind == "secret":
        return f"`{name}`: changed"
    return f"`{name}`: {_code(old)} → {_code(new)}"


def _label(sender: Sender) -> str:
    return f"`{sender.key}` — {_code(sender.email or None)}"


def _on(flag: bool) -> str:
    return "on" if flag else "off"


@dataclass
class Review:
    """The Markdown summary and its counts."""

    markdown: str
    added: int
    removed: int
    changed: int
    replaced: int
    #: The senders this change disconnects, ("REPLACES" | "REMOVES", the base's sender).
    disconnected: list[tuple[str, Sender]] = field(default_factory=list)


def _added(sender: Sender) -> str:
    hosts = ", ".join(
        f"{plain(sender.inputs.get(h), 60)}:{plain(sender.inputs.get(p), 20)}"
        for h, p in (("smtp_host", "smtp_port"), ("imap_host", "imap_port"))
    )
    protected = " 🔒 protected" if sender.protect else ""
    adopt_id = sender.inputs.get("adopt_id")
    if adopt_id:
        return (
            f"- {_label(sender)}: adopts the mailbox {_code(str(adopt_id))} already connected "
            f"in lemlist, connects nothing ({hosts}){protected}"
        )
    if parse_flag(sender.inputs.get("adopt")):
        return (
            f"- {_label(sender)}: adopts the custom mailbox lemlist lists under this address, "
            f"connects nothing ({hosts}){protected}"
        )
    team = f" in {_team(sender)}" if sender.inputs.get("team") else ""
    warmup = "".join(f"\n  - {line}" for line in review_lines(None, sender.lemwarm))
    return f"- {_label(sender)}: connects a new mailbox{team} ({hosts}){protected}{warmup}"


def _removed(sender: Sender) -> str:
    line = f"- {_label(sender)}: {REMOVE_WARNING}"
    if sender.protect:
        line += (
            "\n  - 🔒 protected: `pulumi up` will refuse to remove it; "
            f"{release_step_one(sender.key)}."
        )
    elif sender.release is not None:
        line += f"\n  - {removal_step(sender.release)}"
    return line


def _replacement_notes(before: Sender, after: Sender, plan: Change) -> list[str]:
    """What a replacement does: the warning, protection, and the order of the two calls."""
    notes = [REPLACE_WARNING]
    if before.protect and after.protect:
        notes.append(
            "🔒 protected: `pulumi up` will refuse this replacement; "
            f"{release_step_one(after.key)}"
        )
    if "team" in plan.changed:
        old_team, new_team = _team(before), _team(after)
        notes.append(
            f"moves from {old_team} to {new_team}: connects {_code(after.email or None)} in "
            f"{new_team} first (with its key), then disconnects it in {old_team}"
        )
    elif not plan.delete_before_replace:
        notes.append(
            f"connects {_code(after.email or None)}, then disconnects "
            f"{_code(before.email or None)}"
        )
    return notes


def _team(sender: Sender) -> str:
    """A sender's team as the summary names it: ``team 'acme'`` or ``the default team``."""
    team = sender.inputs.get("team")
    return f"team {shown(team)}" if team else "the default team"


def _changed(base: StackFile, head: StackFile, key: str) -> tuple[str | None, bool]:
    """The list item of a sender both sides have (None when nothing changes), and whether
    the change replaces the mailbox."""
    before, after = base.inventory.senders[key], head.inventory.senders[key]
    olds, news = _props(base, before), _props(head, after)
    plan = plan_change(olds, news)
    notes: list[str] = []
    if plan.replaces:
        notes += _replacement_notes(before, after, plan)
    elif plan.changed:
        notes.append("updated in place: no reconnect")
    warmup = review_lines(before.lemwarm, after.lemwarm)
    if plan.replaces and after.lemwarm is not None:
        warmup = ["warm-up: re-applied on the new mailbox (started with its settings)"]
    notes += warmup
    notes += release_notes(before, after, bool(plan.replaces))
    if before.protect != after.protect:
        notes.append(f"protection: {_on(before.protect)} → {_on(after.protect)}")
    if not notes:
        return None, bool(plan.replaces)
    details = notes + [_describe(n, olds.get(n), news.get(n)) for n in plan.changed]
    return f"- {_label(after)}\n" + "\n".join(f"  - {d}" for d in details), bool(plan.replaces)


def review(base: StackFile, head: StackFile) -> Review:
    """Compare two versions of one stack's inventory."""
    old, new = base.inventory.senders, head.inventory.senders
    added_lines = [_added(s) for k, s in new.items() if k not in old]
    removed_lines = [_removed(s) for k, s in old.items() if k not in new]
    changed_lines: list[str] = []
    replaced = 0
    gone = [("REMOVES", s) for k, s in old.items() if k not in new]
    for key in (k for k in new if k in old):
        line, replaces = _changed(base, head, key)
        replaced += int(replaces)
        gone += [("REPLACES", old[key])] if replaces else []
        if line is not None:
            changed_lines.append(line)
    return Review(
        _render(base, head, added_lines, removed_lines, changed_lines, replaced),
        len(added_lines),
        len(removed_lines),
        len(changed_lines),
        replaced,
        gone,
    )


def _renames(base: StackFile, head: StackFile) -> list[str]:
    """Keys that changed while the address (and team) stayed: lemlist refuses the new one."""
    old, new = base.inventory.senders, head.inventory.senders
    gone = {(_team(s), s.email.lower()): k for k, s in old.items() if k not in new and s.email}
    lines = []
    for key, sender in new.items():
        previous = gone.get((_team(sender), sender.email.lower())) if key not in old else None
        if previous is not None:
            lines.append(
                f"- `{previous}` → `{key}` ({_code(sender.email)}): a new key is a new "
                "resource. Pulumi connects it before disconnecting the old one, and lemlist "
                "refuses a mailbox that is already connected, so `pulumi up` fails. Keep the "
                "old key, or remove the sender in one change and add it back in the next."
            )
    return lines


def _defaults(base: StackFile, head: StackFile) -> list[str]:
    lines = []
    old, new = base.inventory.defaults, head.inventory.defaults
    for f in FIELDS:
        if f.name in SECRET_FIELDS or old.get(f.name) == new.get(f.name):
            continue
        lines.append(
            f"- default `{f.name}`: {_code(old.get(f.name))} → {_code(new.get(f.name))} "
            "(every sender that does not override it is listed under Changed)"
        )
    if old.get(LEMWARM) != new.get(LEMWARM):
        lines.append(f"- default `{LEMWARM}`: changed (each sender's warm-up is under Changed)")
    if base.inventory.protect != head.inventory.protect:
        lines.append(
            f"- stack protection: {_on(base.inventory.protect)} → {_on(head.inventory.protect)}"
        )
    return lines


def _render(
    base: StackFile,
    head: StackFile,
    added: list[str],
    removed: list[str],
    changed: list[str],
    replaced: int,
) -> str:
    where = f" ({head.source})" if head.stack != head.source else ""
    out = [f"### lemlist senders: `{head.stack}`{where}", ""]
    disconnects = len(removed) + replaced
    if disconnects:
        out += [
            f"> ⚠ **{disconnects} mailbox(es) will be disconnected** ({replaced} replaced, "
            f"{len(removed)} removed): each is unlinked from its campaigns and its warm-up is "
            "paused.",
            ">",
            "> Which running campaigns send from them: the live review (`diff --live`) names "
            "them.",
            "",
        ]
    out.append(
        f"**{len(added)} added, {len(removed)} removed, {len(changed)} changed "
        f"({replaced} replaced)** · protection: {_on(head.inventory.protect)}"
    )
    out.append("")
    sections = [
        ("⚠ Renamed keys", _renames(base, head)),
        ("Added", added),
        ("Removed", removed),
        ("Changed", changed),
        ("Stack settings", _defaults(base, head)),
        ("Lint", [f"- {p.render(head.source)}" for p in lint(head)]),
    ]
    for title, lines in sections:
        if lines:
            out += [f"#### {title}", "", *lines, ""]
    if not (added or removed or changed):
        out += ["No sender changes.", ""]
    return "\n".join(out)

"""Reading a stack file's YAML within bounds: size, depth, alias expansion, value length.

A stack file comes from a pull request, so it is read as hostile input. Before anything is
built, :func:`scan` walks PyYAML's event stream (a state machine: no recursion, no values
built) and refuses a document over :data:`MAX_CHARS`, nesting deeper than
:data:`MAX_DEPTH`, more nodes once every alias is expanded than :data:`EXPANSION` times the
nodes the document itself holds (or :data:`MAX_NODES`, whichever is larger: a "billion
laughs" is refused by counting, never by expanding it), an alias inside the node it names,
and any scalar over :data:`MAX_SCALAR` characters. The node bound is relative, so a large
honest file (50,000 senders, tens of MB) is read while a small hostile one is refused.
Only then does :func:`load` build the document with a safe loader that also records
duplicate keys and honours merge keys (``<<: *anchor``). Every refusal is a
:class:`YamlRefusal`: one sentence and a line number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml  # type: ignore[import-untyped, unused-ignore]

from ..echo import clip

#: The most characters a stack file may hold: a ceiling on memory, not on fleets (50,000
#: senders with their hosts and logins written out are ~17 MB).
MAX_CHARS = 64 * 1024 * 1024
#: The deepest nesting of maps and lists (a stack file needs 4 or 5 levels).
MAX_DEPTH = 32
#: Aliases may expand the document to at most this many times its own nodes…
EXPANSION = 10
#: …or to this many nodes, whichever is larger (a small file's allowance).
MAX_NODES = 100_000
#: The longest scalar (key or value), in characters.
MAX_SCALAR = 4096

_MERGE_TAG = "tag:yaml.org,2002:merge"
#: libyaml's parser when PyYAML was built with it (its wheels are): several times faster.
_PARSER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class YamlRefusal(Exception):
    """Why a document is refused (one sentence) and the line it is on (None: the whole)."""

    reason: str
    line: int | None = None


def _line(mark: Any) -> int | None:
    return None if mark is None else int(mark.line) + 1


def _yaml_refusal(exc: yaml.YAMLError, text: str) -> YamlRefusal:
    """PyYAML's error as a one-line refusal, its own words clipped."""
    if isinstance(exc, yaml.reader.ReaderError):
        line = text.count("\n", 0, max(int(exc.position), 0)) + 1
        return YamlRefusal(
            f"not valid YAML: character #x{exc.character:04x} is not allowed in YAML text",
            line,
        )
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    reason = getattr(exc, "problem", None) or getattr(exc, "context", None) or type(exc).__name__
    if "maximum nesting depth" in str(reason):  # libyaml's own limit (1000) is past ours
        return YamlRefusal(f"nesting deeper than {MAX_DEPTH} levels", _line(mark))
    return YamlRefusal(f"not valid YAML: {clip(str(reason))}", _line(mark))


def _alias(event: Any, frames: list[list[Any]], counts: dict[str, tuple[int, int]]) -> int:
    """The expanded size of an alias; refused when it sits inside the node it names."""
    if any(frame[0] == event.anchor for frame in frames):
        raise YamlRefusal(
            f"the alias *{clip(str(event.anchor), 40)} is inside the node it names "
            "(a recursive structure)",
            _line(event.start_mark),
        )
    size, height = counts.get(event.anchor, (1, 0))
    _reach(frames, len(frames) + height, event)
    return size


def _reach(frames: list[list[Any]], depth: int, event: Any) -> None:
    """Record that the expanded document reaches ``depth`` levels; refuse past the limit."""
    if depth > MAX_DEPTH:
        raise YamlRefusal(
            f"nesting deeper than {MAX_DEPTH} levels (aliases expanded)", _line(event.start_mark)
        )
    if frames:
        frames[-1][2] = max(frames[-1][2], depth)


def _walk(text: str) -> None:
    """The event pass of :func:`scan` (PyYAML errors propagate). ``counts`` holds, per
    anchor, its node count and height with aliases expanded; ``frames`` the open
    collections as ``[anchor, node total at start, deepest level reached]``."""
    counts: dict[str, tuple[int, int]] = {}
    frames: list[list[Any]] = []
    total = own = 0
    for event in yaml.parse(text, Loader=_PARSER):
        if isinstance(event, yaml.CollectionEndEvent):
            anchor, start, peak = frames.pop()
            _reach(frames, peak, event)
            if anchor is not None:
                counts[anchor] = (total - start, peak - len(frames))
            continue
        if isinstance(event, yaml.AliasEvent):
            size = _alias(event, frames, counts)
        elif isinstance(event, yaml.ScalarEvent):
            if len(event.value) > MAX_SCALAR:
                raise YamlRefusal(
                    f"a value of {len(event.value)} characters: the limit is {MAX_SCALAR}",
                    _line(event.start_mark),
                )
            size = 1
            if event.anchor is not None:
                counts[event.anchor] = (1, 0)
        elif isinstance(event, yaml.CollectionStartEvent):
            _reach(frames, len(frames) + 1, event)
            frames.append([event.anchor, total, len(frames) + 1])
            size = 1
        else:
            continue
        total += size
        own += 1
        if total > MAX_NODES and total > EXPANSION * own:
            limit = max(MAX_NODES, EXPANSION * own)
            raise YamlRefusal(
                f"more than {limit} values once aliases are expanded (over {EXPANSION} "
                f"times the {own} the document holds: an alias bomb?)",
                _line(event.start_mark),
            )


def scan(text: str) -> None:
    """Refuse ``text`` (:class:`YamlRefusal`) when it exceeds a bound or is not YAML."""
    if len(text) > MAX_CHARS:
        raise YamlRefusal(f"larger than {MAX_CHARS} characters, the most a stack file may hold")
    try:
        _walk(text)
    except yaml.YAMLError as exc:
        raise _yaml_refusal(exc, text) from None


class _Loader(_PARSER):  # type: ignore[misc]
    """The safe loader (libyaml's when present), recording duplicate keys (plain YAML keeps
    only the last one)."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.duplicates: list[tuple[str, int, int]] = []  # (key, first line, repeated line)

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        """Any value PyYAML cannot build (a 13th month, a huge number) is refused with its
        line, instead of escaping as a ValueError."""
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, OverflowError, TypeError) as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read this value ({type(exc).__name__})", node.start_mark
            ) from None


def _construct_mapping(loader: _Loader, node: Any) -> dict[Any, Any]:
    """Build a mapping like the safe loader (merge keys included), recording duplicate keys
    among the mapping's own keys (a key that overrides a merged one is not a duplicate)."""
    seen: dict[object, int] = {}
    for key_node, _value in node.value:
        if key_node.tag == _MERGE_TAG:
            continue
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        try:
            if key in seen:
                loader.duplicates.append((clip(str(key), 60), seen[key], line))
            seen[key] = line
        except TypeError:  # an unhashable key: construct_mapping explains it
            pass
    mapping: dict[Any, Any] = loader.construct_mapping(node, deep=True)
    return mapping


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load(text: str) -> tuple[object, list[tuple[str, int, int]]]:
    """The document of ``text`` and its duplicate keys ``(key, first line, repeated line)``.

    Raises :class:`YamlRefusal` for anything :func:`scan` refuses or PyYAML cannot build.
    """
    scan(text)
    try:
        loader = _Loader(text)
        try:
            document = loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        raise _yaml_refusal(exc, text) from None
    return document, loader.duplicates

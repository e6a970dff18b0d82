"""Command line: ``python -m lemlist_resource.inventory lint|diff|live …`` (no Pulumi CLI).

``lint`` and ``diff`` are offline; ``live`` (and ``diff --live``) read lemlist with the keys
of the environment (:mod:`.live`). Exit status: 0 clean (``diff`` and ``live`` always, once
they could read the files), 1 problems found by ``lint``, 2 usage error or unreadable file.
``lint`` warnings (``warning: `` lines, e.g. an SMTP relay lemlist does not support) are
printed but alone leave the status at 0, and so are notes (``note: `` lines: what the lint
cannot see, e.g. a key the environment provides).
``--dns`` (``lint`` and ``diff``) adds the online deliverability checks
(docs/deliverability.md): their errors fail ``lint``; "could not check" never does.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TextIO

from ..deliverability import Checker
from . import dnslint
from .campaigns import Change
from .lint import key_notes, lint, warnings
from .live import live_markdown, live_reports
from .livelist import MEMBER_CAP
from .review import GIT_PREFIX, load, review
from .stackfile import StackFile, StackFileError, read_stack

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m lemlist_resource.inventory",
        description="Check and review lemlist sender inventories (Pulumi stack files) offline.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    lint_cmd = commands.add_parser(
        "lint",
        help="validate stack files with the provider's rules and the inventory rules",
        description=(
            "Exit 0 when every file is clean (warnings alone do not fail), 1 on problems, "
            "2 on an unreadable file."
        ),
    )
    lint_cmd.add_argument("files", nargs="+", metavar="FILE", help="e.g. stacks/Pulumi.prod.yaml")
    dnslint.add_options(lint_cmd)
    diff_cmd = commands.add_parser(
        "diff",
        help="Markdown summary of the sender changes between two versions of a stack file",
        description=(
            "Either BASE HEAD (each a path or git:REF:PATH), or --base REF FILE... to compare "
            "each FILE with its version at REF. Prints Markdown; exit 0 (2 when unreadable)."
        ),
    )
    diff_cmd.add_argument("--base", metavar="REF", help="git ref to compare every FILE with")
    diff_cmd.add_argument(
        "--live", action="store_true", help="append the live review of the head files"
    )
    diff_cmd.add_argument("files", nargs="+", metavar="FILE")
    _live_options(diff_cmd)
    dnslint.add_options(diff_cmd)
    live_cmd = commands.add_parser(
        "live",
        help="Markdown: mailboxes connected in lemlist but in no sender, and senders lemlist "
        "reports in ERROR or DISCONNECTED (needs LEMLIST_API_KEY, LEMLIST_API_KEY_<TEAM>)",
        description="Give every stack file that uses the keys' teams. Exit 0 (2 when unreadable).",
    )
    live_cmd.add_argument("files", nargs="+", metavar="FILE")
    _live_options(live_cmd)
    return parser


def _members(text: str) -> int:
    """``--max-members``: a whole number from 1 to 100000."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 100_000:
        raise argparse.ArgumentTypeError(f"give a whole number from 1 to 100000, not {text!r}")
    return value


def _live_options(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument(
        "--max-members",
        type=_members,
        default=MEMBER_CAP,
        metavar="N",
        help=f"read at most N members per team in the live review (default {MEMBER_CAP})",
    )


def _dns(stack: StackFile, path: str, checker: Checker | None, out: TextIO) -> int:
    """Print the online checks' lines (with ``--dns``); returns how many are errors."""
    if checker is None:
        return 0
    lines, errors = dnslint.lint_lines(checker.all(dnslint.mailboxes(stack)), path)
    for line in lines:
        print(line, file=out)
    return len(errors)


def _live(
    files: Sequence[str],
    out: TextIO,
    err: TextIO,
    cap: int = MEMBER_CAP,
    changes: Sequence[Change] = (),
) -> int:
    try:
        stacks = [read_stack(path) for path in files]
    except StackFileError as exc:
        print(str(exc), file=err)
        return EXIT_USAGE
    def progress(line: str) -> None:
        print(line, file=err, flush=True)

    reports = live_reports(stacks, cap=cap, progress=progress, changes=changes)
    print(live_markdown(reports), file=out)
    return EXIT_OK


def _lint(files: Sequence[str], out: TextIO, err: TextIO, checker: Checker | None = None) -> int:
    status, count = EXIT_OK, 0
    for path in files:
        try:
            stack = read_stack(path)
        except StackFileError as exc:
            print(str(exc), file=err)
            status = EXIT_USAGE
            continue
        problems, noted = lint(stack), warnings(stack)
        for problem in problems:
            print(problem.render(path), file=out)
        for warning in noted:
            print(f"warning: {warning.render(path)}", file=out)
        for note in key_notes(stack):
            print(f"note: {note.render(path)}", file=out)
        dns_errors = _dns(stack, path, checker, out)
        if problems or dns_errors:
            count += len(problems) + dns_errors
            status = max(status, EXIT_PROBLEMS)
        else:
            extra = f", {len(noted)} warning(s)" if noted else ""
            print(f"{path}: ok ({len(stack.inventory.senders)} senders{extra})", file=out)
    if count:
        print(f"{count} problem(s) found", file=err)
    return status


def _diff(
    base_ref: str | None,
    files: Sequence[str],
    out: TextIO,
    err: TextIO,
    checker: Checker | None = None,
    live: bool = False,
    cap: int = MEMBER_CAP,
) -> int:
    if base_ref is None:
        if len(files) != 2:
            print("diff: give BASE HEAD, or --base REF FILE...", file=err)
            return EXIT_USAGE
        pairs = [(files[0], files[1])]
    else:
        pairs = [(f"{GIT_PREFIX}{base_ref}:{path}", path) for path in files]
    status = EXIT_OK
    changes: list[Change] = []
    for base_spec, head_spec in pairs:
        try:
            base, head = load(base_spec), load(head_spec)
        except StackFileError as exc:
            print(str(exc), file=err)
            status = EXIT_USAGE
            continue
        summary = review(base, head)
        changes += summary.disconnected
        print(summary.markdown, file=out)
        if checker is not None:
            print(dnslint.markdown(checker.all(dnslint.mailboxes(head))), file=out)
    if live and status == EXIT_OK:
        return _live([head for _, head in pairs], out, err, cap, changes)
    return status


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the command line; returns the exit status."""
    stdout = out or sys.stdout
    args = _parser().parse_args(argv)
    try:
        checker = dnslint.checker(args) if getattr(args, "dns", False) else None
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    if args.command == "lint":
        return _lint(args.files, stdout, sys.stderr, checker)
    if args.command == "live":
        return _live(args.files, stdout, sys.stderr, args.max_members)
    return _diff(
        args.base, args.files, stdout, sys.stderr, checker, args.live, args.max_members
    )


if __name__ == "__main__":
    sys.exit(main())

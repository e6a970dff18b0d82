#!/usr/bin/env python3
"""The GitHub Actions job matrix of the stacks in ``stacks/``: one job per stack file.

An agency runs one stack per client team (docs/teams.md): ``stacks/Pulumi.<stack>.yaml``.
The workflow (.github/workflows/senders.yml) runs this to fan its preview and deploy jobs
out over those stacks as parallel jobs on the CI's own runners::

    python scripts/stack_matrix.py --exclude dev            # {"stack": ["prod", "staging"]}
    python scripts/stack_matrix.py --exclude dev staging prod

It prints ``{"stack": [...]}`` (names sorted) for ``strategy.matrix: ${{ fromJSON(...) }}``;
with no stack left it prints ``{"stack": []}``, which the workflow skips (GitHub refuses an
empty matrix).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path

#: A stack file's name; the stack name is what Pulumi accepts (letters, digits, ``-_.``).
STACK_FILE = re.compile(r"Pulumi\.([A-Za-z0-9][A-Za-z0-9_.-]*)\.yaml")


def stacks(directory: Path, exclude: Sequence[str] = ()) -> list[str]:
    """The stack names of ``directory``'s stack files, sorted, without ``exclude``."""
    names = (STACK_FILE.fullmatch(path.name) for path in directory.iterdir() if path.is_file())
    return sorted({m.group(1) for m in names if m} - set(exclude))


def matrix(directory: Path, exclude: Sequence[str] = ()) -> str:
    """The matrix JSON (one line) for ``directory``."""
    return json.dumps({"stack": stacks(directory, exclude)})


def main(argv: Sequence[str] | None = None) -> int:
    """Print the matrix; status 2 when the directory cannot be read."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stacks", default="stacks", help="the directory (default: stacks)")
    parser.add_argument("--exclude", nargs="*", default=[], metavar="STACK")
    args = parser.parse_args(argv)
    try:
        print(matrix(Path(args.stacks), args.exclude))
    except OSError as exc:
        print(f"{args.stacks}: cannot list the stack files: {exc.strerror}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

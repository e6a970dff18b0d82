"""``python -m lemlist_emulator``: run the lemlist emulator until SIGINT/SIGTERM."""

from __future__ import annotations

import sys

from lemlist_emulator.cli import main

if __name__ == "__main__":
    sys.exit(main())

"""Make the policy pack's module importable the way Pulumi makes it so.

Pulumi runs the pack with ``runpy.run_path('.')`` from ``policy/``, which puts that
directory first on ``sys.path``; the tests do the same before importing ``lemlist_policies``.
"""

from __future__ import annotations

import sys
from pathlib import Path

POLICY_DIR = Path(__file__).resolve().parents[2] / "policy"
if str(POLICY_DIR) not in sys.path:
    sys.path.insert(0, str(POLICY_DIR))

"""What the review says about a sender's ``release`` (:mod:`..rules.release`): which step of
a reviewed replacement or removal of a protected sender a pull request is."""

from __future__ import annotations

from ..echo import plain
from ..rules.release import RELEASE, Release
from .model import Sender


def release_step_one(key: str) -> str:
    """How to release a protected sender, for a refused replacement or removal."""
    return (
        f"release it first: a pull request that only adds `{RELEASE}: <YYYY-MM-DD> <reason>` "
        f"to `{key}` (step 1: merge, apply), then this change (step 2)"
    )


def removal_step(release: Release) -> str:
    """The note of a released sender's removal."""
    return (
        f"🔓 step 2 of 2: removes the sender released until {release.until} "
        f"({plain(release.reason, 80)})"
    )


def release_notes(before: Sender, after: Sender, replaces: bool) -> list[str]:
    """Which step of a reviewed release (:mod:`..rules.release`) this change is."""
    if after.release is not None and before.release is None:
        why = f"until {after.release.until} ({plain(after.release.reason, 80)})"
        if replaces:
            return [
                f"🔓 released {why} and replaced in the same change: the new mailbox stays "
                f"unprotected until a pull request removes `{RELEASE}` (step 2 of 2)"
            ]
        return [
            f"🔓 step 1 of 2: releases the sender {why}, changes nothing in lemlist; the "
            f"next pull request makes the change and removes `{RELEASE}`, which protects it "
            "again"
        ]
    if before.release is not None and after.release is None:
        if replaces:
            return [
                "🔒 step 2 of 2: replaces the released mailbox and protects the new one again "
                f"(`{RELEASE}` removed)"
            ]
        return [f"🔒 `{RELEASE}` removed: protected again, nothing changed in lemlist"]
    if after.release is not None and replaces:
        return [
            f"🔓 released until {after.release.until}: replaced unprotected; remove "
            f"`{RELEASE}` in the next pull request to protect it again"
        ]
    return []

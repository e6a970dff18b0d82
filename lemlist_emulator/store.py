"""Persistence of the emulated email accounts: in memory, or a SQLite file that survives restarts.

A store only ever sees account records whose passwords were already reduced to sha256
fingerprints (``smtp_password_sha256`` / ``imap_password_sha256``); it refuses a record that
carries a plaintext password field. Stores are not locked: the backend serializes every call.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

__all__ = ["MemoryStore", "SqliteStore", "open_store"]

Account = dict[str, Any]

_PLAINTEXT_FIELDS = ("smtp_password", "imap_password")


class MemoryStore:
    """Accounts kept in a dict, in creation order; lost when the process ends."""

    def __init__(self) -> None:
        self._accounts: dict[str, Account] = {}
        self._seq = 0

    @property
    def seq(self) -> int:
        """How many accounts were ever created (the id sequence); never goes down."""
        return self._seq

    def all(self) -> list[Account]:
        """Every account, oldest first (the live records: copy before handing them out)."""
        return list(self._accounts.values())

    def get(self, account_id: str) -> Account | None:
        """The account with this id, or None."""
        return self._accounts.get(account_id)

    def add(self, account: Account) -> None:
        """Store a new account (its ``id`` must be unused)."""
        for name in _PLAINTEXT_FIELDS:
            if name in account:
                raise ValueError(f"refusing to store plaintext field {name!r}")
        if account["id"] in self._accounts:
            raise ValueError(f"account {account['id']!r} already stored")
        self._seq += 1
        self._persist_add(account, self._seq)
        self._accounts[account["id"]] = dict(account)

    def update(self, account_id: str, changes: Account) -> bool:
        """Change some fields of an account (never a password); False when there is none."""
        account = self._accounts.get(account_id)
        if account is None:
            return False
        if any(name in changes for name in (*_PLAINTEXT_FIELDS, "id")):
            raise ValueError("refusing to change an id or store a plaintext field")
        updated = {**account, **changes}
        self._persist_update(updated)
        self._accounts[account_id] = updated
        return True

    def remove(self, account_id: str) -> bool:
        """Delete an account; False when there was none with this id."""
        if account_id not in self._accounts:
            return False
        self._persist_remove(account_id)
        del self._accounts[account_id]
        return True

    def clear(self) -> None:
        """Delete every account (the id sequence keeps counting)."""
        self._persist_clear()
        self._accounts.clear()

    def close(self) -> None:
        """Release resources; nothing to do in memory."""

    # Hooks for a persistent subclass: write first, so a failed write leaves memory unchanged.
    def _persist_add(self, account: Account, seq: int) -> None:
        pass

    def _persist_update(self, account: Account) -> None:
        pass

    def _persist_remove(self, account_id: str) -> None:
        pass

    def _persist_clear(self) -> None:
        pass


class SqliteStore(MemoryStore):
    """A ``MemoryStore`` written through to a SQLite file, committed after every change."""

    def __init__(self, path: str | Path) -> None:
        super().__init__()
        self.path = Path(path)
        self._db = sqlite3.connect(str(self.path), check_same_thread=False)
        with self._db:
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS accounts "
                "(id TEXT PRIMARY KEY, seq INTEGER NOT NULL, data TEXT NOT NULL)"
            )
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL)"
            )
        row = self._db.execute("SELECT value FROM meta WHERE name = 'seq'").fetchone()
        self._seq = int(row[0]) if row else 0
        for account_id, seq, data in self._db.execute(
            "SELECT id, seq, data FROM accounts ORDER BY seq"
        ):
            record = json.loads(data)
            record["id"] = account_id
            self._accounts[account_id] = record
            self._seq = max(self._seq, int(seq))

    def _persist_add(self, account: Account, seq: int) -> None:
        with self._db:
            self._db.execute(
                "INSERT INTO accounts (id, seq, data) VALUES (?, ?, ?)",
                (account["id"], seq, json.dumps(account, sort_keys=True)),
            )
            self._db.execute(
                "INSERT INTO meta (name, value) VALUES ('seq', ?) "
                "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                (seq,),
            )

    def _persist_update(self, account: Account) -> None:
        with self._db:
            self._db.execute(
                "UPDATE accounts SET data = ? WHERE id = ?",
                (json.dumps(account, sort_keys=True), account["id"]),
            )

    def _persist_remove(self, account_id: str) -> None:
        with self._db:
            self._db.execute("DELETE FROM accounts WHERE id = ?", (account_id,))

    def _persist_clear(self) -> None:
        with self._db:
            self._db.execute("DELETE FROM accounts")

    def close(self) -> None:
        """Close the database file."""
        self._db.close()


def open_store(state_path: str | Path | None) -> MemoryStore:
    """A SQLite store at ``state_path``, or an in-memory one when it is None."""
    return MemoryStore() if state_path is None else SqliteStore(state_path)

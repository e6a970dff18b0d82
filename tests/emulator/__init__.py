"""Tests of the local lemlist emulator (lemlist_emulator)."""

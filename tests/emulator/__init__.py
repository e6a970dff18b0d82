"""Tests of the local lemlist emulator (lemlist_resource.emulator)."""

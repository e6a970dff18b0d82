"""Tests of the sender inventory: the program under mocks, lint, review and the CLI."""

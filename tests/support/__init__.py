"""Helpers shared by the tests (no fixtures here: tests/conftest.py declares those)."""

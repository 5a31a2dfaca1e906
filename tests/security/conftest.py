"""Fixtures for security tests."""

from tests.sandbox.helpers import bwrap_backend, run_python

__all__ = ["bwrap_backend", "run_python"]

"""Fixtures for sandbox tests."""

from tests.sandbox.helpers import bwrap_backend, env_builder, env_cache, interpreters, local_index, run_python

__all__ = ["bwrap_backend", "env_builder", "env_cache", "interpreters", "local_index", "run_python"]

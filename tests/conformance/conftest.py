"""Conformance tests use the stand-in fixtures."""

from tests.standin.fixtures import app_key, github_spec, standin  # noqa: F401  (fixtures)

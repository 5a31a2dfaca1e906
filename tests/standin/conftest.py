"""The stand-in's own tests use its fixtures."""

from tests.standin.fixtures import app_key, github_spec, standin  # noqa: F401  (fixtures)

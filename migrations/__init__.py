"""Dependency migrations: API diffs between versions, impact, codemods, campaign planning."""

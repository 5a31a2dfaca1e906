"""Parsing `.github/organic-pr.yml`, with organisation defaults."""

from __future__ import annotations

import pytest

from bot.errors import ConfigError
from bot.repo_config import RepoConfig, parse_config


def test_empty_or_missing_file_gives_defaults() -> None:
    """No file, an empty file and an all-comment file all mean the defaults."""
    for text in (None, "", "# nothing yet\n"):
        assert parse_config(text) == RepoConfig()


def test_repo_overrides_org_and_budgets_merge() -> None:
    """Repository keys win; nested budget keys merge with the organisation's."""
    org = "candidates: 8\nbudget: {tokens: 100000, usd: 2.5}\ncampaigns: [{package: flask}]\n"
    repo = "candidates: 2\nbudget: {usd: 1.0}\ntest: pytest -q\n"
    config = parse_config(repo, org)
    assert (config.candidates, config.test) == (2, "pytest -q")
    assert (config.budget.tokens, config.budget.usd) == (100000, 1.0)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("candidates: 0", "candidates"),
        ("candidats: 3", "candidats"),
        ("draft: sometimes", "draft"),
        ("- a list", "must be a mapping"),
        ("label: [unclosed", "not valid YAML"),
        ("forbidden_paths: ['../etc']", "relative"),
        ("budget: {tokens: -5}", "budget.tokens"),
    ],
)
def test_bad_config_names_the_problem(text: str, message: str) -> None:
    """An invalid file raises ConfigError whose message names the offending field or problem."""
    with pytest.raises(ConfigError, match=message):
        parse_config(text)


@pytest.mark.parametrize(
    ("path", "forbidden"),
    [
        (".github/workflows/ci.yml", True),
        ("./.github/workflows/release.yml", True),
        (".github/organic-pr.yml", False),
        ("vendor/lib.py", True),
        ("vendored.py", False),
        ("src/app.py", False),
    ],
)
def test_forbidden_paths_always_include_workflows(path: str, forbidden: bool) -> None:
    """Workflows are never writable, even when the config does not list them; configured prefixes add to that."""
    assert parse_config("forbidden_paths: [vendor/]").is_forbidden(path) is forbidden

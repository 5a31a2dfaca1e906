"""The `campaigns` key of the org file: valid campaigns parsed, each invalid one reported with a clear reason."""

from __future__ import annotations

import pytest

from bot.campaigns.config import parse_campaigns

VALID = """
campaigns:
  - name: fixlib-2
    package: fixlib
    versions: ">=2,<3"
    schedule: "0 9 * * 1"
"""


def test_shorthand_package_becomes_one_target_with_defaults() -> None:
    """`package` + `versions` is one package target; limits, grouping and repos take their defaults."""
    [campaign] = parse_campaigns(VALID).campaigns
    assert [(p.name, p.versions) for p in campaign.packages] == [("fixlib", ">=2,<3")]
    assert (campaign.grouping, campaign.limits.open_prs, campaign.repos.include) == ("together", 10, ["*"])


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('{name: a, package: fixlib, versions: "2.x", schedule: "0 9 * * 1"}', "not a PEP 440 version specifier"),
        ('{name: a, package: fixlib, versions: ">=2", schedule: "0 25 * * 1"}', "hour: '25' is outside 0-23"),
        ('{name: a, package: fixlib, versions: ">=2", schedule: "daily"}', "five fields"),
        ('{name: A_B, package: fixlib, versions: ">=2", schedule: "0 9 * * 1"}', "lowercase letters"),
        (
            '{name: a, package: fixlib, versions: ">=2", schedule: "0 9 * * 1", limits: {open_prs: 0}}',
            "limits.open_prs",
        ),
        ('{name: a, package: fixlib, versions: ">=2", schedule: "0 9 * * 1", colour: red}', "colour: Extra inputs"),
        ('{name: a, package: "fix lib", versions: ">=2", schedule: "0 9 * * 1"}', "is not a package name"),
        ('{name: a, versions: ">=2", schedule: "0 9 * * 1"}', "packages: Field required"),
    ],
)
def test_invalid_campaign_is_reported_by_name_and_field(entry: str, message: str) -> None:
    """An invalid campaign is a Problem naming it and what is wrong; it does not reach the valid list."""
    found = parse_campaigns(f"campaigns:\n  - {entry}\n")
    assert found.campaigns == []
    [problem] = found.problems
    assert message in problem.message and problem.message.startswith("campaign ")


def test_invalid_campaign_does_not_drop_the_valid_ones() -> None:
    """A broken campaign next to a valid one: the valid one still runs."""
    text = VALID + '  - {name: broken, package: x, versions: ">=1", schedule: "61 * * * *"}\n'
    found = parse_campaigns(text)
    assert [c.name for c in found.campaigns] == ["fixlib-2"]
    assert [p.name for p in found.problems] == ["broken"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("campaigns: [unclosed", "not valid YAML"),
        ("campaigns: {a: 1}", "must be a list"),
        (VALID + VALID[12:], "twice"),
    ],
)
def test_file_level_problems_are_reported(text: str, message: str) -> None:
    """Bad YAML, a non-list `campaigns` and a duplicated name are reported, not ignored."""
    assert message in parse_campaigns(text).problems[0].message


def test_no_file_means_no_campaigns() -> None:
    """An org without the file, or without the key, has no campaigns and no problems."""
    assert parse_campaigns(None).campaigns == [] and parse_campaigns("label: fix\n").problems == []


@pytest.mark.parametrize(
    ("include", "exclude", "repo", "selected"),
    [
        (["*"], [], "acme/web", True),
        (["*"], ["legacy-*"], "acme/legacy-tool", False),
        (["acme/web", "api-*"], [], "acme/api-gw", True),
        (["acme/web"], [], "acme/api", False),
        (["*"], ["acme/*"], "acme/web", False),
    ],
)
def test_repo_globs_match_the_name_or_the_full_name(
    include: list[str], exclude: list[str], repo: str, selected: bool
) -> None:
    """Include/exclude globs apply to `name` or `owner/name`; exclude wins."""
    text = VALID + f"    repos: {{include: {include}, exclude: {exclude}}}\n"
    [campaign] = parse_campaigns(text).campaigns
    assert campaign.repos.selects(repo) is selected


def test_per_package_grouping_gives_one_unit_per_package() -> None:
    """grouping: per-package splits the PR per package, each on its own branch suffix."""
    text = """campaigns:
  - name: web-stack
    packages: [{name: Flask, versions: ">=3"}, {name: click, versions: ">=8"}]
    schedule: "0 9 * * 1"
    grouping: per-package
"""
    [campaign] = parse_campaigns(text).campaigns
    assert [(u, [p.name for p in ps]) for u, ps in campaign.units()] == [
        ("flask-web-stack", ["Flask"]),
        ("click-web-stack", ["click"]),
    ]

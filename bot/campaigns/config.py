"""The `campaigns` key of the organisation's `.github` repository `organic-pr.yml` (pure: text in, models out).

    campaigns:
      - name: fixlib-2                  # unique in the org; names the branch and the dashboard issue
        package: fixlib                 # or `packages: [{name: fixlib, versions: ">=2,<3"}, ...]`
        versions: ">=2,<3"              # PEP 440 specifier: the newest release inside it is the target
        schedule: "0 9 * * 1"           # cron, five fields, UTC
        grouping: together              # together: one PR per repo; per-package: one PR per (package, repo)
        limits: {open_prs: 5, prs_per_hour: 2}
        repos: {include: ["*"], exclude: ["legacy-*"]}
        budget: {prs: 50, sandbox_minutes: 120}
        test: "pytest -q"

Each campaign is validated on its own: an invalid one becomes a `Problem` with a readable message (it is
logged and shown on its dashboard), the valid ones still run.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from typing import Any, Literal

import yaml
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.campaigns.schedule import CronError, parse_cron

__all__ = ["Budget", "Campaign", "CampaignSet", "Limits", "PackageTarget", "Problem", "RepoFilter", "parse_campaigns"]

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,48}$")
PACKAGE = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$")


class PackageTarget(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    versions: str

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not PACKAGE.match(value):
            raise ValueError(f"{value!r} is not a package name")
        return value

    @field_validator("versions")
    @classmethod
    def _specifier(cls, value: str) -> str:
        try:
            SpecifierSet(value)
        except InvalidSpecifier as exc:
            raise ValueError(f"{value!r} is not a PEP 440 version specifier (e.g. '>=2,<3')") from exc
        return value

    def allows(self, version: str) -> bool:
        return SpecifierSet(self.versions).contains(version, prereleases=False)


class Limits(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    open_prs: int = Field(default=10, ge=1)
    prs_per_hour: int = Field(default=5, ge=1)


class Budget(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    prs: int | None = Field(default=None, ge=1)  # PRs the campaign may open in total
    sandbox_minutes: float | None = Field(default=None, gt=0)  # test time in the sandbox, in total


class RepoFilter(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    include: list[str] = Field(default_factory=lambda: ["*"])
    exclude: list[str] = Field(default_factory=list)

    def selects(self, full_name: str) -> bool:
        """Globs match the repository name (`web`) or the full name (`acme/web`)."""
        name = full_name.split("/", 1)[-1]

        def hit(patterns: list[str]) -> bool:
            return any(fnmatch.fnmatchcase(name, p) or fnmatch.fnmatchcase(full_name, p) for p in patterns)

        return hit(self.include) and not hit(self.exclude)


class Campaign(BaseModel):
    """One migration campaign; `packages` is filled from `package` + `versions` when given that way."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    packages: list[PackageTarget] = Field(min_length=1)
    schedule: str
    grouping: Literal["together", "per-package"] = "together"
    limits: Limits = Field(default_factory=Limits)
    repos: RepoFilter = Field(default_factory=RepoFilter)
    budget: Budget = Field(default_factory=Budget)
    test: str = "pytest -q"

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if isinstance(data, dict) and "package" in data:
            data = dict(data)
            if "packages" in data:
                raise ValueError("give either `package` (with `versions`) or `packages`, not both")
            data["packages"] = [{"name": data.pop("package"), "versions": data.pop("versions", None)}]
        return data

    @field_validator("name")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not SLUG.match(value):
            raise ValueError(f"{value!r} must be lowercase letters, digits and dashes (it names a branch)")
        return value

    @field_validator("schedule")
    @classmethod
    def _cron(cls, value: str) -> str:
        try:
            parse_cron(value)
        except CronError as exc:
            raise ValueError(str(exc)) from exc
        return value

    def units(self) -> list[tuple[str, tuple[PackageTarget, ...]]]:
        """(branch suffix, packages) per PR a repository gets."""
        if self.grouping == "together":
            return [(self.name, tuple(self.packages))]
        return [(f"{slug(p.name)}-{self.name}", (p,)) for p in self.packages]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@dataclass(frozen=True)
class Problem:
    """An invalid campaign: its name when one could be read, and what is wrong."""

    name: str | None
    message: str


@dataclass(frozen=True)
class CampaignSet:
    campaigns: list[Campaign]
    problems: list[Problem]


SOURCE = "the organisation's .github/organic-pr.yml"


def parse_campaigns(org_text: str | None) -> CampaignSet:
    """The valid campaigns of the org file, and a Problem for each invalid one (or for the file)."""
    try:
        data = yaml.safe_load(org_text or "") or {}
    except yaml.YAMLError as exc:
        return CampaignSet([], [Problem(None, f"{SOURCE} is not valid YAML: {exc}")])
    raw = data.get("campaigns", []) if isinstance(data, dict) else None
    if not isinstance(raw, list):
        return CampaignSet([], [Problem(None, f"{SOURCE}: `campaigns` must be a list of campaigns")])
    campaigns: list[Campaign] = []
    problems: list[Problem] = []
    for index, entry in enumerate(raw):
        name = entry.get("name") if isinstance(entry, dict) and isinstance(entry.get("name"), str) else None
        try:
            campaign = Campaign.model_validate(entry)
        except ValidationError as exc:
            problems.append(Problem(name, f"campaign {name or f'#{index + 1}'}: {_describe(exc)}"))
            continue
        if any(c.name == campaign.name for c in campaigns):
            problems.append(Problem(name, f"campaign {name}: the name is used twice"))
            continue
        campaigns.append(campaign)
    return CampaignSet(campaigns, problems)


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "campaign"
        parts.append(f"{where}: {err['msg'].removeprefix('Value error, ')}")
    return "; ".join(parts)

"""`.github/organic-pr.yml`: per-repository settings over the organisation's defaults. Pure: text in, model out."""

from __future__ import annotations

from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.errors import ConfigError

__all__ = ["CONFIG_PATH", "Budget", "RepoConfig", "merge_configs", "parse_config"]

CONFIG_PATH = ".github/organic-pr.yml"
ALWAYS_FORBIDDEN = (".github/workflows/",)  # never writable, whatever a config says


class Budget(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tokens: int | None = Field(default=None, gt=0)
    usd: float | None = Field(default=None, gt=0)


class RepoConfig(BaseModel):
    """What a repository may configure. Unknown keys are errors, so a typo is reported rather than ignored."""

    model_config = ConfigDict(extra="forbid")

    label: str = "bot-fix"
    setup: list[str] = Field(default_factory=list)
    test: str | None = None
    candidates: int = Field(default=4, ge=1, le=16)
    turns: int = Field(default=4, ge=1, le=12)
    budget: Budget = Field(default_factory=Budget)
    daily_budget: Budget = Field(default_factory=Budget)
    forbidden_paths: list[str] = Field(default_factory=list)
    draft: Literal["auto", "always", "never"] = "auto"
    reviewers: list[str] = Field(default_factory=list)
    keep_repro_test: bool = True

    @field_validator("forbidden_paths")
    @classmethod
    def _relative(cls, paths: list[str]) -> list[str]:
        for path in paths:
            if path.startswith("/") or ".." in path.split("/"):
                raise ValueError(f"forbidden path {path!r} must be relative to the repository root")
        return paths

    def is_forbidden(self, path: str) -> bool:
        """True when the bot must not touch `path` (the workflow folder always, plus the configured prefixes)."""
        normalised = path
        while normalised.startswith("./"):
            normalised = normalised.removeprefix("./")
        prefixes = (*ALWAYS_FORBIDDEN, *self.forbidden_paths)
        return any(normalised == p.rstrip("/") or normalised.startswith(p.rstrip("/") + "/") for p in prefixes)


def _load_mapping(text: str, source: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text) if text.strip() else {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source} is not valid YAML: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{source} must be a mapping of settings, not {type(data).__name__}")
    return data


def merge_configs(org: dict[str, Any], repo: dict[str, Any]) -> dict[str, Any]:
    """Repository values override the organisation's; nested mappings (budgets) merge key by key."""
    merged = dict(org)
    for key, value in repo.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def parse_config(repo_text: str | None, org_text: str | None = None) -> RepoConfig:
    """The effective config; a clear ConfigError names the file and the field that is wrong."""
    org = _load_mapping(org_text or "", f"the organisation's {CONFIG_PATH}")
    org.pop("campaigns", None)  # migration campaigns live beside the defaults; they are read elsewhere
    repo = _load_mapping(repo_text or "", CONFIG_PATH)
    try:
        return RepoConfig.model_validate(merge_configs(org, repo))
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors())
        raise ConfigError(f"{CONFIG_PATH} is invalid: {problems}") from exc

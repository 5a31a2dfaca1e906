"""Service settings, read once from the environment and the secrets directory."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings"]


class Settings(BaseSettings):
    """Everything the service is configured with. The webhook secret is required.

    Usage:
        settings = Settings()                               # from env, .env-style file and secrets_dir
        settings = Settings(github_webhook_secret="s3cret")  # in tests
    """

    model_config = SettingsConfigDict(
        env_prefix="",
        env_nested_delimiter="__",
        secrets_dir=None,
        extra="ignore",
    )

    github_webhook_secret: SecretStr
    github_app_id: int | None = None
    github_app_private_key: SecretStr | None = None
    github_app_private_key_file: Path | None = None
    github_api_url: str = "https://api.github.com"
    github_app_slug: str = "organic-pr"
    github_write_gap_s: float = Field(default=1.0, ge=0)  # at least this long between two writes per installation
    github_content_gap_s: float = Field(default=3.0, ge=0)  # ... and this long before a content-creating POST
    github_throttle_lock_ttl_s: float = Field(default=45.0, gt=0)  # a killed worker's write slot frees after this

    database_url: str = "sqlite+aiosqlite:///var/organic-pr.db"
    redis_url: str | None = None
    workspace_dir: Path = Path("var/workspaces")
    memory_dir: Path = Path("var/memory")
    sandbox_cache_dir: Path = Path("var/sandbox-cache")

    host: str = "127.0.0.1"
    port: int = 8000
    max_webhook_bytes: int = Field(default=25 * 1024 * 1024, gt=0)
    delivery_ttl_s: int = Field(default=8 * 24 * 3600, ge=7 * 24 * 3600)
    trigger_label: str = "bot-fix"
    job_lock_ttl_s: int = Field(default=600, gt=0)
    job_timeout_s: int = Field(default=3600, gt=0)
    job_max_tries: int = Field(default=5, gt=0)

    llm_base_url: str | None = None
    llm_api_key: SecretStr | None = None
    llm_model: str | None = None
    llm_judge_base_url: str | None = None  # the judge role; falls back to the generator's endpoint
    llm_judge_model: str | None = None
    llm_skill_base_url: str | None = None  # the skill distiller role; falls back to the generator's endpoint
    llm_skill_model: str | None = None
    llm_prompt_usd_per_mtok: float = Field(default=0.0, ge=0)
    llm_completion_usd_per_mtok: float = Field(default=0.0, ge=0)
    llm_timeout_s: float = Field(default=120.0, gt=0)
    llm_max_attempts: int = Field(default=4, gt=0)

    job_budget_tokens: int | None = Field(default=400_000, gt=0)  # per job; .github/organic-pr.yml may lower it
    job_budget_usd: float | None = Field(default=5.0, gt=0)
    daily_budget_tokens: int | None = Field(default=None, gt=0)  # per installation per UTC day
    daily_budget_usd: float | None = Field(default=50.0, gt=0)

    github_git_url: str = "https://github.com"  # where `owner/name.git` is cloned from and pushed to
    recall_budget_tokens: int = Field(default=3000, ge=200)  # below about 50 no answer fits; 200 holds a few files
    memory_embedder: str | None = None  # a sentence-transformers name or path; None ranks lexically only
    memory_skill_units: int = Field(default=2, ge=0)  # past units attempted blind per memory refresh (0: none)
    sandbox_index_url: str | None = None  # the package index environments are built from
    # non-global networks (CIDR) the index host may resolve into, e.g. a corporate mirror or an egress gateway
    sandbox_trusted_networks: list[str] = Field(default_factory=list)
    sandbox_python_dirs: list[Path] = Field(default_factory=lambda: [Path("/root/.pyenv/versions"), Path("/usr/bin")])
    sandbox_max_parallel: int = Field(default=2, gt=0)
    sandbox_test_wall_s: float = Field(default=300.0, gt=0)
    revise_debounce_s: float = Field(default=20.0, ge=0)  # review comments this close together make one revision
    campaigns_enabled: bool = True  # the per-minute cron tick that starts due migration campaigns
    migrations_cache_dir: Path = Path("var/migrations-cache")  # downloaded releases, API surfaces and diffs
    migrations_find_links: list[str] = Field(default_factory=list)  # extra release sources (dirs/URLs) for campaigns

    log_json: bool = False

    def private_key(self) -> str | None:
        """The App private key, from the setting or the file it names."""
        if self.github_app_private_key is not None:
            return self.github_app_private_key.get_secret_value()
        if self.github_app_private_key_file is not None:
            return self.github_app_private_key_file.read_text()
        return None

    def missing_github_settings(self) -> list[str]:
        """Names of the settings a GitHub-calling job still needs."""
        missing = []
        if self.github_app_id is None:
            missing.append("GITHUB_APP_ID")
        if self.github_app_private_key is None and self.github_app_private_key_file is None:
            missing.append("GITHUB_APP_PRIVATE_KEY_FILE")
        return missing

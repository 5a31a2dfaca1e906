"""A webhook delivery as the bot sees it: pure data, parsed leniently."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import structlog

__all__ = ["JobRequest", "WebhookEvent", "typed_model"]

log = structlog.get_logger()


@dataclass(frozen=True)
class WebhookEvent:
    """One verified delivery, as the raw dict. Routing reads only plain fields, so the request path stays fast;
    jobs that want githubkit's typed view call `typed_model`, which never fails the job."""

    name: str
    delivery_id: str
    payload: dict[str, Any]

    @property
    def action(self) -> str | None:
        action = self.payload.get("action")
        return action if isinstance(action, str) else None

    @property
    def installation_id(self) -> int | None:
        inst = self.payload.get("installation")
        value = inst.get("id") if isinstance(inst, dict) else None
        return value if isinstance(value, int) else None

    @property
    def repo(self) -> str | None:
        repo = self.payload.get("repository")
        value = repo.get("full_name") if isinstance(repo, dict) else None
        return value if isinstance(value, str) else None

    @property
    def sender_login(self) -> str | None:
        sender = self.payload.get("sender")
        value = sender.get("login") if isinstance(sender, dict) else None
        return value if isinstance(value, str) else None

    @property
    def sender_is_bot(self) -> bool:
        sender = self.payload.get("sender")
        if not isinstance(sender, dict):
            return False
        return sender.get("type") == "Bot" or str(sender.get("login", "")).endswith("[bot]")


def typed_model(name: str, payload: dict[str, Any], *, delivery_id: str = "") -> Any:
    """githubkit's model of the payload, or None when it does not validate (logged; callers use the raw dict)."""
    from githubkit.webhooks import parse_obj

    try:
        return parse_obj(name, payload)
    except Exception as exc:  # githubkit raises pydantic errors or KeyError for unknown events
        log.warning("webhook.model_invalid", delivery_id=delivery_id, github_event=name, error=type(exc).__name__)
        return None


@dataclass(frozen=True)
class JobRequest:
    """What a handler asks the queue to run. `key` distinguishes several jobs from one delivery."""

    function: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    target_number: int | None = None
    key: str = ""

    def job_id(self, delivery_id: str) -> str:
        suffix = f":{self.key}" if self.key else ""
        return f"{self.function}:{delivery_id}{suffix}"

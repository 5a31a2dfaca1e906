"""Small payload readers the handlers share."""

from __future__ import annotations

from typing import Any

from bot.events import WebhookEvent


def field(payload: dict[str, Any], *path: str) -> Any:
    """payload[path[0]][path[1]]..., or None when any level is missing or not a dict."""
    value: Any = payload
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def target_kwargs(event: WebhookEvent, number: int) -> dict[str, Any]:
    """The arguments every target-scoped job takes."""
    return {
        "installation_id": event.installation_id,
        "repo": event.repo,
        "number": number,
        "sender": event.sender_login,
        "delivery_id": event.delivery_id,
    }


def is_conversation_ready(event: WebhookEvent) -> bool:
    """A human sender, an installation and a repository: the minimum for a job that talks back."""
    return not event.sender_is_bot and event.installation_id is not None and event.repo is not None

"""A push to the default branch refreshes the repository's memory."""

from __future__ import annotations

from collections.abc import Iterator

from bot.events import JobRequest, WebhookEvent
from bot.handlers._common import field
from bot.routing import Router, RoutingContext

router = Router()


@router.register("push")
def on_push(event: WebhookEvent, ctx: RoutingContext) -> Iterator[JobRequest]:
    default = field(event.payload, "repository", "default_branch")
    if event.repo is None or event.installation_id is None or event.payload.get("ref") != f"refs/heads/{default}":
        return
    if event.payload.get("deleted"):
        return
    kwargs = {"installation_id": event.installation_id, "repo": event.repo, "after": event.payload.get("after")}
    yield JobRequest("refresh_memory", kwargs)

"""A re-requested run of the bot's own check reruns the job behind it."""

from __future__ import annotations

from collections.abc import Iterator

from bot.events import JobRequest, WebhookEvent
from bot.handlers._common import field, is_conversation_ready
from bot.routing import Router, RoutingContext

router = Router()


@router.register("check_run", "rerequested")
def on_rerequested(event: WebhookEvent, ctx: RoutingContext) -> Iterator[JobRequest]:
    if field(event.payload, "check_run", "app", "slug") != ctx.app_slug or not is_conversation_ready(event):
        return
    kwargs = {
        "installation_id": event.installation_id,
        "repo": event.repo,
        "external_id": field(event.payload, "check_run", "external_id"),
        "sender": event.sender_login,
        "delivery_id": event.delivery_id,
    }
    yield JobRequest("rerun_check", kwargs)

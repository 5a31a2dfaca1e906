"""Webhook handlers, one module per feature, each exposing `router`; composed once in `routes`."""

from bot.handlers import checks, comments, installations, issues, pulls, push
from bot.routing import Router

__all__ = ["build_router"]


def build_router() -> Router:
    """Every feature's routes, composed."""
    return Router(issues.router, comments.router, pulls.router, push.router, installations.router, checks.router)

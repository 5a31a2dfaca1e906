"""structlog configuration, applied once by the service entry points (never at import)."""

from __future__ import annotations

import logging
import sys

import structlog

__all__ = ["configure_logging"]

SECRET_KEYS = ("token", "secret", "password", "private_key", "authorization", "api_key")


def redact_secrets(_: object, __: str, event_dict: structlog.typing.EventDict) -> structlog.typing.EventDict:
    """Blank any field whose name says it holds a secret, so a careless log call cannot leak one."""
    for key in list(event_dict):
        if any(word in key.lower() for word in SECRET_KEYS):
            event_dict[key] = "**********"
    return event_dict


def configure_logging(*, json: bool = False, level: int = logging.INFO) -> None:
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso"),
            redact_secrets,
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),  # stdout stays free for command output
        cache_logger_on_first_use=True,
    )

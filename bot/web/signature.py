"""Verify GitHub's X-Hub-Signature-256 on the raw request body."""

from __future__ import annotations

import hashlib
import hmac

from bot.errors import BadSignature

__all__ = ["sign", "verify_signature"]


def sign(body: bytes, secret: str) -> str:
    """The header value GitHub would send for `body`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_signature(body: bytes, header: str | None, secret: str) -> None:
    """Raise BadSignature unless `header` is a valid sha256 HMAC of `body`. sha1 signatures are refused."""
    if not secret:
        raise BadSignature("no webhook secret is configured")
    if not header:
        raise BadSignature("missing X-Hub-Signature-256")
    if not header.startswith("sha256="):
        raise BadSignature("only sha256 signatures are accepted")
    if not hmac.compare_digest(sign(body, secret), header):
        raise BadSignature("signature does not match")

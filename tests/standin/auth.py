"""Who is calling the stand-in: the App (RS256 JWT) or an installation (a `ghs_` token), and may it do this."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import jwt

from tests.standin.state import Installation, StandinState, Token

__all__ = ["AuthFailure", "check_app_jwt", "token_from_headers", "installation_for_token"]

MAX_JWT_LIFETIME_S = 10 * 60 + 60


class AuthFailure(Exception):
    def __init__(self, message: str, status: int = 401) -> None:
        super().__init__(message)
        self.status = status


def _credential(authorization: str) -> str:
    scheme, _, value = authorization.partition(" ")
    scheme = scheme.lower()
    if scheme in {"bearer", "token"}:
        return value.strip()
    if scheme == "basic":
        try:
            decoded = base64.b64decode(value.strip()).decode()
        except ValueError as exc:
            raise AuthFailure("Bad credentials") from exc
        _, _, password = decoded.partition(":")
        return password
    raise AuthFailure("Requires authentication")


def check_app_jwt(state: StandinState, authorization: str | None) -> None:
    """Accept only an RS256 JWT signed by the App's key, issued by the App id, with a short expiry."""
    if not authorization:
        raise AuthFailure("A JSON web token could not be decoded")
    token = _credential(authorization)
    try:
        claims = jwt.decode(
            token, state.public_key_pem, algorithms=["RS256"], options={"require": ["exp", "iat", "iss"]}, leeway=60
        )
    except jwt.PyJWTError as exc:
        raise AuthFailure(f"A JSON web token could not be decoded ({type(exc).__name__})") from exc
    if str(claims["iss"]) != str(state.app_id):
        raise AuthFailure("'Issuer' claim ('iss') must be the App id")
    if int(claims["exp"]) - int(claims["iat"]) > MAX_JWT_LIFETIME_S:
        raise AuthFailure("'Expiration time' claim ('exp') is too far in the future")


def token_from_headers(state: StandinState, authorization: str | None) -> Token:
    """The live installation token in an Authorization header (token, Bearer, or Basic x-access-token:...)."""
    if not authorization:
        raise AuthFailure("Requires authentication")
    value = _credential(authorization)
    token = state.tokens.get(value)
    if token is None or token.revoked or token.expires_at <= datetime.now(UTC):
        raise AuthFailure("Bad credentials")
    return token


def installation_for_token(state: StandinState, token: Token, full_name: str | None) -> Installation:
    """The token's installation; a repository it cannot see is a 404, as on GitHub."""
    inst = state.installations[token.installation_id]
    if full_name is not None and full_name not in inst.repositories:
        raise AuthFailure("Not Found", status=404)
    return inst


def require_permission(inst: Installation, permission: str | None, write: bool) -> None:
    if permission is None:
        return
    granted = inst.permissions.get(permission)
    if granted is None or (write and granted != "write"):
        raise AuthFailure("Resource not accessible by integration", status=403)

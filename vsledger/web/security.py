"""The app's guards: who may connect (host and token), which posts are the app's own (CSRF), and
that no text the app sends shows a personal number in full.

Loopback by default. A page served to other machines needs the token: given once as
`?token=…`, then kept in an HttpOnly, SameSite=Strict cookie. On loopback the Host
header must name loopback, so a page elsewhere cannot reach the app by DNS rebinding.
Every form carries an HMAC of the browser's CSRF cookie under a per-process secret.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, urlencode

from vsledger.core.personal import mask_text

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

TOKEN_COOKIE = "vsledger_token"
CSRF_COOKIE = "vsledger_csrf"
CSRF_FIELD = "csrf"
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")

HEADERS = [
    (b"content-security-policy", b"default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),
]


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def host_name(header: str) -> str:
    """`127.0.0.1:8000` → `127.0.0.1`; `[::1]:8000` → `::1`."""
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def new_token() -> str:
    return secrets.token_urlsafe(24)


class CSRF:
    def __init__(self) -> None:
        self._secret = secrets.token_bytes(32)

    def token_for(self, cookie: str) -> str:
        return hmac.new(self._secret, cookie.encode(), hashlib.sha256).hexdigest()

    def valid(self, cookie: str | None, submitted: str | None) -> bool:
        if not cookie or not submitted:
            return False
        return hmac.compare_digest(self.token_for(cookie), submitted)


class Guard:
    """ASGI middleware: the Host check, the token, and headers every response carries."""

    def __init__(self, app: ASGIApp, token: str | None, loopback_only: bool, refuse: Callable[[str], bytes]) -> None:
        self.app = app
        self.token = token
        self.loopback_only = loopback_only
        self.refuse = refuse
        """Renders the refusal page for a reason code: 'host' or 'token'."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        if self.loopback_only and host_name(headers.get("host", "")) not in LOOPBACK_NAMES:
            await self._plain(send, 421, self.refuse("host"))
            return
        if self.token is not None:
            query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
            given = query.get("token")
            if given is not None and hmac.compare_digest(given.encode(), self.token.encode()):
                # Keep it in a cookie and take it out of the address bar (and of any history or log).
                rest = urlencode([(k, v) for k, v in parse_qsl(scope.get("query_string", b"").decode("latin-1")) if k != "token"])
                # One leading slash: `//host/…` would send the browser to another site.
                location = "/" + scope.get("path", "/").lstrip("/\\") + (f"?{rest}" if rest else "")
                cookie = f"{TOKEN_COOKIE}={self.token}; Path=/; HttpOnly; SameSite=Strict"
                await send(
                    {
                        "type": "http.response.start",
                        "status": 303,
                        "headers": [(b"location", location.encode("latin-1")), (b"set-cookie", cookie.encode()), *HEADERS],
                    }
                )
                await send({"type": "http.response.body", "body": b""})
                return
            if not self._authorised(headers):
                await self._plain(send, 401, self.refuse("token"))
                return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)

    def _authorised(self, headers: dict[str, str]) -> bool:
        assert self.token is not None
        bearer = headers.get("authorization", "")
        if bearer.startswith("Bearer ") and hmac.compare_digest(bearer[7:].encode(), self.token.encode()):
            return True
        jar = SimpleCookie()
        try:
            jar.load(headers.get("cookie", ""))
        except Exception:  # a malformed cookie header is no token
            return False
        morsel = jar.get(TOKEN_COOKIE)
        return morsel is not None and hmac.compare_digest(morsel.value.encode(), self.token.encode())

    @staticmethod
    async def _plain(send: Send, status: int, body: bytes) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"text/html; charset=utf-8"), *HEADERS],
            }
        )
        await send({"type": "http.response.body", "body": body})


TEXT_TYPES = (b"text/", b"application/json")


class MaskNumbers:
    """ASGI middleware: every text response (page, fragment, error page, Markdown download) has its personal
    numbers masked by `mask_text`, the pass the CLI makes over its output, over the whole body as sent: no
    route, template or message can forget it. Hexadecimal words (the CSRF token) are left alone by `mask_text`.
    A form that showed a masked value takes the real one back (see `app._as_meant`); binary downloads (xlsx,
    PDF) are masked as they are built, as the CLI builds them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        held: Message | None = None
        chunks: list[bytes] = []

        async def masked(message: Message) -> None:
            nonlocal held
            if message["type"] == "http.response.start":
                kind = next((v for k, v in message.get("headers", []) if k.lower() == b"content-type"), b"")
                if kind.lower().startswith(TEXT_TYPES):
                    held = message  # sent with the body, once the whole of it is masked
                    return
            elif message["type"] == "http.response.body" and held is not None:
                chunks.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                body = mask_text(b"".join(chunks).decode("utf-8", "surrogateescape")).encode("utf-8", "surrogateescape")
                if scope.get("method") != "HEAD":
                    headers = [(k, v) for k, v in held.get("headers", []) if k.lower() != b"content-length"]
                    held["headers"] = [*headers, (b"content-length", str(len(body)).encode())]
                await send(held)
                await send({"type": "http.response.body", "body": body})
                return
            await send(message)

        await self.app(scope, receive, masked)

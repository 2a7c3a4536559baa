"""Security headers on every response: a Content-Security-Policy per kind of page, no framing,
no MIME sniffing, a referrer policy, a cross-origin opener policy, and HSTS behind HTTPS.

Policies (each also says `frame-ancestors 'none'`, which only a header can carry):

- the UI (the built SvelteKit app): scripts and styles from this origin only, plus the inline
  bootstrap script SvelteKit writes into index.html, allowed by its SHA-256 hash;
- /docs and /redoc (FastAPI's pages): swagger-ui / redoc from this origin (the fastapi-offline
  wheel ships them, so they work without internet), their one inline script by hash;
- the platform simulator's consent pages (`serve --demo`): no script at all, inline styles,
  forms posting to this origin;
- everything else (JSON, problem+json, files): `default-src 'none'`.

Inline scripts are hashed only in the HTML PostWizard itself ships (the built index.html and
FastAPI's docs pages, none of which carries user input): the hash allows exactly the script that
is there, so an injected one would still be refused. Inline styles are allowed in the UI
(`style-src 'unsafe-inline'`): index.html wraps the app in `style="display: contents"`, and
styles cannot run code.
"""

from __future__ import annotations

import base64
import hashlib
from html.parser import HTMLParser

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_COMMON = ("frame-ancestors 'none'",)
UI_POLICY = ("default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data: blob:",
             "font-src 'self'", "connect-src 'self'", "object-src 'none'", "base-uri 'self'", "form-action 'self'",
             *_COMMON)
DOCS_POLICY = ("default-src 'none'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:",
               "font-src 'self' data:", "connect-src 'self'", "worker-src blob:", "base-uri 'none'", "form-action 'self'",
               *_COMMON)
SIMULATOR_POLICY = ("default-src 'self'", "script-src 'none'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:",
                    "base-uri 'none'", "form-action 'self'", *_COMMON)
DATA_POLICY = ("default-src 'none'", "base-uri 'none'", "form-action 'none'", *_COMMON)

_DOCS_PAGES = ("/docs", "/redoc", "/simulator/_docs")  # and below them (swagger's oauth2-redirect page)
_DATA_PAGES = ("/health", "/openapi.json", "/simulator/_openapi.json")
_MAX_HASHED_HTML = 1 << 20  # bigger HTML is not ours to hash: it goes out without inline-script hashes

HSTS = "max-age=31536000"


def policy_for(path: str) -> tuple[tuple[str, ...], bool]:
    """The policy for a path, and whether the inline scripts of its HTML are to be hashed into it."""
    if _at_or_below(path, _DOCS_PAGES):
        return DOCS_POLICY, True
    if path in _DATA_PAGES or _at_or_below(path, ("/api", "/simulator/_control")):
        return DATA_POLICY, False
    if _at_or_below(path, ("/simulator",)):
        return SIMULATOR_POLICY, False
    return UI_POLICY, True


def _at_or_below(path: str, roots: tuple[str, ...]) -> bool:
    return any(path == root or path.startswith(root + "/") for root in roots)


def inline_script_hashes(html: str) -> list[str]:
    """CSP source expressions ('sha256-...') for each inline <script> of an HTML document."""
    parser = _InlineScripts()
    parser.feed(html)
    parser.close()
    # Browsers hash the script text after normalising line breaks to LF.
    texts = (s.replace("\r\n", "\n").replace("\r", "\n") for s in parser.scripts)
    return [f"'sha256-{base64.b64encode(hashlib.sha256(t.encode()).digest()).decode()}'" for t in texts]


def with_script_hashes(policy: tuple[str, ...], hashes: list[str]) -> str:
    if not hashes:
        return "; ".join(policy)
    extra = " " + " ".join(dict.fromkeys(hashes))
    return "; ".join(d + extra if d.startswith("script-src ") else d for d in policy)


class _InlineScripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.scripts: list[str] = []
        self._current: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script" and not any(name == "src" for name, _ in attrs):
            self._current = []

    def handle_data(self, data: str) -> None:
        if self._current is not None:
            self._current.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._current is not None:
            self.scripts.append("".join(self._current))
            self._current = None


class SecurityHeaders:
    """Pure ASGI middleware. Headers a route set itself are kept. HTML whose inline scripts are
    hashed is held until complete (index.html and the docs pages are a few KB)."""

    def __init__(self, app: ASGIApp, *, hsts: bool = False) -> None:
        self.app = app
        self.fixed = [("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY"),
                      ("Referrer-Policy", "strict-origin-when-cross-origin"), ("Cross-Origin-Opener-Policy", "same-origin")]
        if hsts:
            self.fixed.append(("Strict-Transport-Security", HSTS))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy, hash_scripts = policy_for(scope["path"])
        held: list[Message] = []

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                headers = MutableHeaders(scope=message)
                for name, value in self.fixed:
                    headers.setdefault(name, value)
                if "content-security-policy" in headers or message["status"] == 304:
                    await send(message)  # a 304's headers would replace the cached page's policy, hashes and all
                elif hash_scripts and headers.get("content-type", "").startswith("text/html") \
                        and "content-encoding" not in headers and scope["method"] != "HEAD":
                    held.append(message)
                else:
                    headers["Content-Security-Policy"] = "; ".join(policy)
                    await send(message)
            elif held and message["type"] == "http.response.body":
                held.append(message)
                size = sum(len(m.get("body", b"")) for m in held[1:])
                complete = not message.get("more_body", False)
                if complete or size > _MAX_HASHED_HTML:
                    await _release(send, held, policy, complete)
                    held.clear()
            else:
                await send(message)

        await self.app(scope, receive, send_with_headers)


async def _release(send: Send, held: list[Message], policy: tuple[str, ...], complete: bool) -> None:
    """Send a held HTML response, its policy now naming the hashes of its inline scripts."""
    body = b"".join(m.get("body", b"") for m in held[1:])
    hashes = inline_script_hashes(body.decode("utf-8", "replace")) if complete else []
    MutableHeaders(scope=held[0])["Content-Security-Policy"] = with_script_hashes(policy, hashes)
    for message in held:
        await send(message)

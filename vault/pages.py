"""Rendering a page with the strict security headers, a floor below the endpoints and the web app.

The web app (vault/web) adds the signed-in person's menu; an endpoint that serves a page of its own
without an account (the parents' download page in vault/export/api.py) renders it here directly.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

# No inline script or style anywhere: every page can carry this policy.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "media-src 'self' blob:; connect-src 'self'; worker-src 'self' blob:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}

LOCAL = ZoneInfo("Europe/Amsterdam")  # what people read and type; everything is stored in UTC

_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "web" / "templates"),
    autoescape=select_autoescape(default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def language(request: Request) -> str:
    """`lang` cookie if chosen, else the browser's first preference; Dutch unless that is English."""
    chosen = request.cookies.get("lang")
    if chosen in ("nl", "en"):
        return chosen
    first = request.headers.get("accept-language", "").split(",")[0].strip().lower()
    return "en" if first.startswith("en") else "nl"


def _when(value: datetime | date | str | None, with_time: bool = True) -> str:
    if value in (None, ""):
        return "–"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):  # stored in UTC, read in Dutch time
        local = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(LOCAL)
        return local.strftime("%d-%m-%Y %H:%M" if with_time else "%d-%m-%Y")
    return value.strftime("%d-%m-%Y")


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    whole = int(round(seconds))
    return (
        f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"
        if whole >= 3600
        else f"{whole // 60}:{whole % 60:02d}"
    )


_templates.filters["when"] = _when
_templates.filters["day"] = lambda v: _when(v, with_time=False)
_templates.filters["duration"] = _duration


def render_page(
    request: Request, template: str, *, status: int = 200, **context: Any
) -> HTMLResponse:
    lang = language(request)

    def t(nl: str, en: str = "") -> str:
        return en if lang == "en" and en else nl

    context.setdefault("viewer", None)
    context.setdefault("menu", [])
    context.setdefault("role_name", None)
    html = _templates.get_template(template).render(
        request=request, path=request.url.path, lang=lang, t=t, **context
    )
    return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)

"""Rendering a page with the strict security headers, a floor below the endpoints and the web app.

The web app (vault/web) adds the signed-in person's menu; an endpoint that serves a page of its own
without an account (the parents' download page in vault/export/api.py) renders it here directly.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context

from vault import i18n

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

_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "web" / "templates"),
    autoescape=select_autoescape(default=True),
    trim_blocks=True,
    lstrip_blocks=True,
    extensions=["jinja2.ext.i18n"],  # {% trans %}; its gettext callables come with each render
)
_templates.newstyle_gettext = True  # type: ignore[attr-defined]  # {% trans %} passes its values to ours


def language(request: Request) -> str:
    """`lang` cookie if chosen, else the browser's first preference; Dutch unless that is English."""
    chosen = request.cookies.get("lang")
    if chosen in ("nl", "en"):
        return chosen
    first = request.headers.get("accept-language", "").split(",")[0].strip().lower()
    return "en" if first.startswith("en") else "nl"


def _in_language(format: Callable[..., str]) -> Callable[..., str]:
    """A filter that formats for the page's language (`lang` in the template's context)."""

    @pass_context
    def filter(context: Context, value: Any, *args: Any, **kwargs: Any) -> str:
        return format(value, context.get("lang", "nl"), *args, **kwargs)

    return filter


# Numbers, durations and times for the page's language: vault/i18n.py is their one home.
_templates.filters["when"] = _in_language(i18n.when)
_templates.filters["day"] = _in_language(i18n.day)
_templates.filters["number"] = _in_language(i18n.number)
_templates.filters["seconds"] = _in_language(i18n.duration)
_templates.filters["fps"] = _in_language(i18n.frame_rate)
_templates.filters["duration"] = i18n.clock
_templates.filters["container"] = i18n.container


def gettext_callables(lang: str) -> dict[str, Callable[..., str]]:
    """`_`, `gettext`, `ngettext`, `pgettext` and `error_text` in the page's language, passed in each
    render's context (the Environment is shared by every request: nothing language-bound is on it).

    They return plain text, so autoescape escapes it like any value (a message may carry a file
    name): `_("… %(name)s …", name=value)`, `ngettext("%(num)s fragment", "%(num)s fragmenten", n)`,
    and `{% trans %}` blocks (newstyle: they call the same functions with their values)."""
    found = i18n.translations(lang)

    def gettext(message: str, **values: Any) -> str:
        text = found.gettext(message)
        return text % values if values else text

    def ngettext(singular: str, plural: str, n: int, **values: Any) -> str:
        return found.ngettext(singular, plural, n) % {"num": n, **values}

    def pgettext(context: str, message: str, **values: Any) -> str:
        text = found.pgettext(context, message)
        return text % values if values else text

    def error_text(message_nl: str, message_en: str = "") -> str:
        """An error that arrives with both its texts (an API problem's message_nl and message_en, an
        export's stored message): the one in the page's language."""
        return message_en if lang == "en" and message_en else message_nl

    return {
        "_": gettext,
        "gettext": gettext,
        "ngettext": ngettext,
        "pgettext": pgettext,
        "error_text": error_text,
    }


def render_page(
    request: Request, template: str, *, status: int = 200, **context: Any
) -> HTMLResponse:
    lang = language(request)
    context.setdefault("viewer", None)
    context.setdefault("menu", [])
    context.setdefault("role_name", None)
    html = _templates.get_template(template).render(
        request=request, path=request.url.path, lang=lang, **gettext_callables(lang), **context
    )
    return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)

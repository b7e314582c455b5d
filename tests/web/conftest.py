"""The web app in a real browser (Debian's chromium through Playwright) against a real server, on the
embedded default (SQLite, local store, filesystem broker) and on the full stack (PostgreSQL, MinIO,
Redis). Each page is watched for requests to anywhere else and for Content-Security-Policy breaches.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import redis

from ..api.conftest import PASSWORD, Account, Api, api, stream_worker, worker  # noqa: F401 - shared fixtures
from ..ingest.conftest import server, videos  # noqa: F401 - a real HTTP server, real videos

# Words that give away English left in a Dutch page (issue #22); text marked lang="en" (the English
# beside the Dutch in the parents' package) and code (commands, file names) are not read.
# ("download" and "upload" are not among them: they are Dutch too, as noun and imperative.)
ENGLISH_TELLS = ("the", "and", "family", "clip", "clips", "error", "failed", "not", "with", "your")
DUTCH_TEXT = """(tells) => {
  if (document.documentElement.lang !== 'nl') return [];
  const body = document.body.cloneNode(true);
  body.querySelectorAll('[lang]:not([lang="nl"]), code, kbd, pre, samp, script, style').forEach(e => e.remove());
  const words = (body.innerText || body.textContent || '').toLowerCase().match(/[a-z\u00c0-\u024f]+/g) || [];
  return [...new Set(words.filter(w => tells.includes(w)))];
}"""
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
AXE = (
    Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"
)  # axe-core from npm (MPL-2.0), tests only


@pytest.fixture(params=["embedded", "full"])
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> str:
    """Overrides the shared fixture: `embedded` is `make run`'s default, `full` is production's parts."""
    if request.param == "embedded":
        return f"sqlite:///{tmp_path / 'web.db'}"
    request.getfixturevalue("s3_env")
    broker = request.getfixturevalue("redis_db")(3)
    redis.Redis.from_url(broker).flushdb()  # nothing left over from an earlier test's tasks
    monkeypatch.setenv("BEELDKLUIS_BROKER_URL", broker)
    return str(request.getfixturevalue("fresh_postgres"))


@dataclass
class Browser:
    """One browser context on the test server; records what a strict page must never do."""

    server: str
    context: Any
    page: Any
    elsewhere: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)

    def go(self, path: str) -> Any:
        self.page.goto(self.server + path)
        return self.page

    def sign_in(self, site: Api, account: Account, offset_steps: int = 0) -> Any:
        """Sign in through the form (a code works once: pass offset_steps=1 after an API sign-in)."""
        self.go("/aanmelden")
        self.page.get_by_label("E-mailadres").fill(account.email)
        self.page.get_by_label("Wachtwoord").fill(PASSWORD)
        self.page.get_by_label("Code uit de authenticator-app").fill(
            site.code(account, offset_steps)
        )
        self.page.get_by_role("button", name="Aanmelden").click()
        self.page.wait_for_load_state()
        return self.page

    def barriers(self) -> list[str]:
        """WCAG 2.1 A/AA problems axe-core finds on the current page (serious and critical ones), and
        tell-tale English words left in a Dutch page. Evaluated through the DevTools protocol, so the
        page's own CSP stays as strict as it is."""
        self.page.evaluate(AXE.read_text())
        found = self.page.evaluate(
            "async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}))"
            ".violations.filter(v => ['serious', 'critical'].includes(v.impact))"
            ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))"
        )
        english = self.page.evaluate(DUTCH_TEXT, list(ENGLISH_TELLS))
        return list(found) + [f"English in a Dutch page ({self.page.url}): {w}" for w in english]

    def shot(self, name: str) -> Path:
        """Keep a screenshot as a test artefact (build/screenshots); the README shows the start pages."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def browser(chromium: Any, server: str) -> Iterator[Browser]:  # noqa: F811 - uses the shared server
    context = chromium.new_context(viewport={"width": 1180, "height": 820}, locale="nl-NL")
    context.set_default_timeout(30_000)
    page = context.new_page()
    b = Browser(server, context, page)
    page.on(
        "request",
        lambda r: (
            None if r.url.startswith((server, "data:", "blob:")) else b.elsewhere.append(r.url)
        ),
    )
    page.on(
        "console",
        lambda m: b.violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    yield b
    context.close()
    assert b.elsewhere == [], f"requests outside the server: {b.elsewhere}"
    assert b.violations == [], f"Content-Security-Policy violations: {b.violations}"

"""Chromium driven by Playwright, with the checks every page must pass (Dutch, accessible)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support.api import PASSWORD, Account, Api

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
    Path(__file__).parent.parent / "web" / "vendor" / "axe-4.14.1.min.js"
)  # axe-core from npm (MPL-2.0), tests only


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

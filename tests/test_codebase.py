"""The house rules hold: ruff (with security rules), import-linter contracts, mypy strict on the engines."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent
BIN = Path(sys.executable).parent


def run(tool: str, *args: str) -> None:
    out = subprocess.run(
        [str(BIN / tool), *args], cwd=ROOT, capture_output=True, text=True, timeout=600, check=False
    )  # noqa: S603
    assert out.returncode == 0, f"{tool} failed:\n{out.stdout}\n{out.stderr}"


def test_ruff() -> None:
    run("ruff", "check", "keys", "consent", "retention", "vault", "tests", "bench")


def test_import_contracts() -> None:
    run("lint-imports", "--no-cache")


def test_mypy_strict_on_the_engines() -> None:
    run("mypy", "keys", "consent", "retention")


def test_only_the_database_module_commits() -> None:
    """A request or task commits at its unit of work's end; the only other commits are named for their
    reason in vault/db.py (`keep`: remembered although the request fails; `release`: before slow
    work). Alembic's environment commits its own migration transaction."""
    import ast

    root = Path(__file__).parent.parent / "vault"
    found = []
    for path in sorted(root.rglob("*.py")):
        if path.relative_to(root).as_posix() in {"db.py", "migrations/env.py"}:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "commit"
            ):
                found.append(f"{path.relative_to(root)}:{node.lineno}")
    assert found == []


def test_the_keys_of_the_settings_are_opened_in_one_place() -> None:
    """The master key and the signing key are opened from the settings in vault/keyring/repository.py
    only (`master_key_provider`, `signing_key`, `signing_public_key`); everything else asks it."""
    import ast

    root = ROOT / "vault"
    found = []
    for path in sorted(root.rglob("*.py")):
        if path.relative_to(root).as_posix() == "keyring/repository.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            name = node.id if isinstance(node, ast.Name) else getattr(node, "name", None)
            if name in {"LocalSigningKey", "LocalMasterKey", "TransitMasterKey"}:
                found.append(f"{path.relative_to(root)}:{getattr(node, 'lineno', '?')}: {name}")
    assert found == []


# The whole tree is held to ruff's formatting, with no ruff escape (`fmt: skip`, issue #21): one style a reader
# never has to decode, and no escape hatch that outlives its reason.
FORMATTED = ["keys", "consent", "retention", "vault", "tests", "bench", "tools"]
ESCAPE = "# fmt" + ": skip"  # spelled in two, so this file does not find itself


def test_clean_packages_are_formatted_without_escapes() -> None:
    run("ruff", "format", "--check", *FORMATTED)
    skipped = [
        f"{path.relative_to(ROOT)}:{number}"
        for folder in FORMATTED
        for path in sorted((ROOT / folder).rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if ESCAPE in line
    ]
    assert skipped == []


# Bare `type: ignore`s in files other branches are editing now (issue #21): each waits for its branch
# to merge, then gets its type fixed or a reason. The counts only shrink.
BARE_IGNORES_WAITING = {
    f"{name}.py": count
    for name, count in {
        "tests/accounts/test_auth": 2,
        "tests/consent/test_annotations": 1,
        "tests/consent/test_properties": 5,
        "tests/consents/test_consent_flow": 1,
        "tests/export/test_exports": 1,
        "tests/export/test_fail_closed": 2,
        "tests/export/test_package": 1,
        "tests/export/test_streamed": 2,
        "tests/ingest/test_camera_files": 3,
        "tests/ingest/test_tus": 9,
        "tests/ingest/test_tus_scale_out": 3,
        "tests/ingest/test_tus_seams": 11,
        "tests/media/test_camera_files": 4,
        "tests/recordings/test_removal": 1,
        "tests/security/test_tenants": 5,
        "tests/security/test_tokens": 3,
        "tests/web/test_consent": 3,
        "tests/web/test_wok": 1,
    }.items()
}


def test_every_type_ignore_says_why() -> None:
    """A `type: ignore` silences the type checker, so the line says why it is right anyway (after the
    ignore, on the same line; a formatter escape is no reason). Better still is a type that needs none."""
    bare: dict[str, int] = {}
    for folder in ["vault", "tests", "bench", "tools", "keys", "consent", "retention"]:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for line in path.read_text().splitlines():
                if "# type: ignore" not in line:
                    continue
                after = line.split("# type: ignore", 1)[1]
                after = after.split("]", 1)[1] if after.startswith("[") else after
                if not after.replace(ESCAPE, "").strip(" #"):
                    name = path.relative_to(ROOT).as_posix()
                    bare[name] = bare.get(name, 0) + 1
    assert {name: n for name, n in bare.items() if n > BARE_IGNORES_WAITING.get(name, 0)} == {}
    stale = {name: n for name, n in BARE_IGNORES_WAITING.items() if bare.get(name, 0) < n}
    assert stale == {}, "fewer bare ignores now: lower their count in BARE_IGNORES_WAITING"


def test_the_user_guides_show_screenshots_that_exist() -> None:
    """docs/handleiding: one page per role, each image a screenshot the browser tests took, kept in
    docs/screenshots (copied from build/screenshots), every link to another page of the guide alive."""
    import re

    guides = ROOT / "docs" / "handleiding"
    pages = {p.name for p in guides.glob("*.md")}
    assert {
        "trainer.md",
        "opleider.md",
        "wok-deelnemer.md",
        "privacyfunctionaris.md",
        "beheerder.md",
        "ouders.md",
    } <= pages
    missing = [
        f"{page}: {target}"
        for page in sorted(pages)
        for target in re.findall(r"\]\(([^)#\s]+)", (guides / page).read_text())
        if not target.startswith("http") and not (guides / target).exists()
    ]
    assert missing == []


def imports_of_other_tests(root: Path) -> dict[str, list[str]]:
    """For each module under `root`/tests, what it imports from a test module (`test_*.py`) or from a
    conftest.py of another directory."""
    import ast

    tests = root / "tests"
    found: dict[str, list[str]] = {}
    for path in sorted(tests.rglob("*.py")):
        package = path.relative_to(root).parent.parts
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                base = package[: len(package) - node.level + 1] if node.level else ()
                module = (*base, *(node.module or "").split(".")) if node.module else base
                targets = [module] + [(*module, alias.name) for alias in node.names]
            elif isinstance(node, ast.Import):
                targets = [tuple(alias.name.split(".")) for alias in node.names]
            else:
                continue
            for target in targets:
                source = (root / Path(*target)).with_suffix(".py")
                if target[:1] != ("tests",) or not source.is_file():
                    continue
                name, folder = target[-1], Path(*target[:-1])
                if name.startswith("test_") or (name == "conftest" and folder != Path(*package)):
                    found.setdefault(path.relative_to(root).as_posix(), []).append(".".join(target))
    return found


def test_no_test_module_imports_another() -> None:
    """Helpers shared between test modules live in tests/support/ and tests/factories.py (factory_boy
    rows), fixtures in a conftest.py: tests/conftest.py for the app and the services, a room's own for
    its room. pytest finds fixtures there by itself; importing one from a test module or from another
    room's conftest runs that module twice and ties rooms together."""
    found = imports_of_other_tests(ROOT)
    assert found == {}


def test_the_web_pages_import_no_route_module() -> None:
    """Every route module of vault (api.py, endpoints.py) is forbidden to vault.web by the import
    contract (issue #21), so a new one is covered from its first commit; the pages that still call a
    route are named there as exceptions, each with its reason, and the list only shrinks."""
    import tomllib

    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    name = "The web pages call the services, never a route"
    rule = next(c for c in contracts["contracts"] if c["name"] == name)
    routes = {
        ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for name in ("api.py", "endpoints.py")
        for path in (ROOT / "vault").rglob(name)
    }
    assert rule["source_modules"] == ["vault.web"]
    assert routes <= set(rule["forbidden_modules"]), sorted(routes - set(rule["forbidden_modules"]))
    assert sorted(rule["ignore_imports"]) == [
        "vault.web.export -> vault.export.api",
    ]

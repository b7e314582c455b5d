"""Convert the hand-made pairs `t("nl", "en")` into gettext messages (issue #22, ADR 0012).

    .venv/bin/python tools/to_gettext.py [ROOT]      # ROOT: the checkout, default: this one

Python (vault/**/*.py):  t("Gezin", "Family")            -> _("Gezin")
                          t(f"{n} gezinnen", f"{n} families") -> _("%(n)s gezinnen") % {"n": n}
                          count(n, "a", "b", "c", "d")    -> ngettext("%(num)s a", "%(num)s b", n) % {"num": n}
Templates:                {{ t("Gezin", "Family") }}      -> {{ _("Gezin") }}
                          count(n, "a", "b", "c", "d")    -> ngettext("%(num)s a", "%(num)s b", n)
and `from vault.i18n import t` -> `_` (`i18n.t(` -> `i18n._(`). Every pair it removes goes into
vault/locale/en/LC_MESSAGES/messages.po (msgid the Dutch, msgstr the English); a msgid already there
keeps its translation (a different English is reported). Idempotent: a converted tree has no pairs
left, so a second run changes nothing. What it does not recognise it leaves alone and lists as
file:line (a pair built from variables, a concatenation, an f-string format it cannot map, a module
that assigns `_`), and exits 0: fix those by hand.
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

CATALOGUE = Path("vault/locale/en/LC_MESSAGES/messages.po")
SKIP = {
    "vault/i18n.py",
    "vault/pages.py",
}  # the machinery itself (the deprecated t and count live there)


@dataclass
class Run:
    root: Path
    pairs: dict[str | tuple[str, str], str | tuple[str, str]] = field(default_factory=dict)
    left: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)

    def pair(self, nl: str | tuple[str, str], en: str | tuple[str, str], where: str) -> None:
        known = self.pairs.setdefault(nl, en)
        if known != en:
            self.left.append(f"{where}: {nl!r} has two Englishes, kept {known!r} (not {en!r})")


def literal(text: str) -> str:
    """A double-quoted Python (and Jinja) string literal."""
    out = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{out}"'


# --- Python -------------------------------------------------------------------------------------


def _name(expr: ast.expr) -> str:
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        return expr.attr
    if (
        isinstance(expr, ast.Subscript)
        and isinstance(expr.slice, ast.Constant)
        and isinstance(expr.slice.value, str)
    ):
        return re.sub(r"\W", "_", expr.slice.value) or "value"
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.args:
        return _name(expr.args[0])
    return "value"


class Unmappable(Exception):
    pass


def template(node: ast.expr, names: dict[str, str], values: dict[str, str]) -> str:
    """A literal or f-string as a %-template; `names` maps each expression's source to its name,
    `values` a name to the expression that fills it in where that is not the source itself."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.replace("%", "%%")
    if not isinstance(node, ast.JoinedStr):
        raise Unmappable("not a string")
    out = []
    for part in node.values:
        if isinstance(part, ast.Constant):
            out.append(str(part.value).replace("%", "%%"))
            continue
        if not isinstance(part, ast.FormattedValue):
            raise Unmappable("an f-string part")
        source = ast.unparse(part.value)
        if source not in names:
            base = _name(part.value)
            name, n = base, 2
            while name in names.values():
                name, n = f"{base}{n}", n + 1
            names[source] = name
        conversion = {-1: "s", 115: "s", 114: "r", 97: "a"}[part.conversion]
        if (
            part.format_spec is not None
        ):  # {when:%d-%m-%Y} -> %(when)s with format(when, "%d-%m-%Y")
            spec = getattr(part.format_spec, "values", [])
            if len(spec) != 1 or not isinstance(spec[0], ast.Constant) or part.conversion != -1:
                raise Unmappable("a computed format spec")
            value = f"format({ast.unparse(part.value)}, {literal(str(spec[0].value))})"
            values.setdefault(names[source], value)
            if values[names[source]] != value:
                raise Unmappable("one value in two formats")
        out.append(f"%({names[source]}){conversion}")
    return "".join(out)


def _is_text(node: ast.expr) -> bool:
    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.Constant) and isinstance(node.value, str)
    )


def _plain(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def convert_python(run: Run, path: Path) -> None:
    rel = path.relative_to(run.root).as_posix()
    source = path.read_bytes()
    try:
        tree = ast.parse(source)
    except SyntaxError as e:
        run.left.append(f"{rel}:{e.lineno}: does not parse")
        return
    lines = source.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(lineno: int, col: int) -> int:
        return starts[lineno - 1] + col

    edits: list[tuple[int, int, str]] = []
    imports: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = (
            func.id
            if isinstance(func, ast.Name)
            else func.attr
            if isinstance(func, ast.Attribute)
            else ""
        )
        via = ast.unparse(func.value) + "." if isinstance(func, ast.Attribute) else ""
        if isinstance(func, ast.Attribute) and via != "i18n.":
            continue
        where = f"{rel}:{node.lineno}"
        span = (
            offset(node.lineno, node.col_offset),
            offset(node.end_lineno or 0, node.end_col_offset or 0),
        )
        if name == "t":
            args = node.args
            if len(args) != 2 or node.keywords or not all(_is_text(a) for a in args):
                run.left.append(
                    f"{where}: t(...) with a value that is not a literal: {ast.unparse(node)[:90]}"
                )
                continue
            nl, en = _plain(args[0]), _plain(args[1])
            if nl is not None and en is not None:
                seg = source[
                    offset(args[0].lineno, args[0].col_offset) : offset(
                        args[0].end_lineno or 0, args[0].end_col_offset or 0
                    )
                ]
                edits.append((*span, f"{via}_({seg.decode()})"))
                run.pair(nl, en, where)
                imports.add("_")
                continue
            names: dict[str, str] = {}
            formatted: dict[str, str] = {}
            try:
                nl_t, en_t = (
                    template(args[0], names, formatted),
                    template(args[1], names, formatted),
                )
            except Unmappable as e:
                run.left.append(f"{where}: {e}: {ast.unparse(node)[:90]}")
                continue
            values = ", ".join(f"{literal(n)}: {formatted.get(n, s)}" for s, n in names.items())
            edits.append((*span, f"{via}_({literal(nl_t)}) % {{{values}}}"))
            run.pair(nl_t, en_t, where)
            imports.add("_")
        elif name == "count" and via in ("", "i18n."):
            args = node.args
            words = [_plain(a) for a in args[1:]]
            if len(args) != 5 or node.keywords or None in words:
                run.left.append(
                    f"{where}: count(...) that is not count(n, 4 literals): {ast.unparse(node)[:90]}"
                )
                continue
            one_nl, other_nl, one_en, other_en = (f"%(num)s {w}" for w in words if w is not None)
            n = ast.unparse(args[0])
            edits.append(
                (
                    *span,
                    f'{via}ngettext({literal(one_nl)}, {literal(other_nl)}, {n}) % {{"num": {n}}}',
                )
            )
            run.pair((one_nl, other_nl), (one_en, other_en), where)
            imports.add("ngettext")
    if not edits:
        return
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == "_" and isinstance(node.ctx, ast.Store):
            run.left.append(f"{rel}:{node.lineno}: assigns `_`, which now is gettext: rename it")
    out = bytearray(source)
    for start, end, text in sorted(edits, reverse=True):
        out[start:end] = text.encode()
    text = out.decode()

    # from vault.i18n import ..., t, ...  ->  _ (and ngettext where a count was converted)
    def fix_import(m: re.Match[str]) -> str:
        names = [
            n.strip() for n in m["names"].replace("(", "").replace(")", "").split(",") if n.strip()
        ]
        names = ["_" if n == "t" else n for n in names] + [
            n for n in sorted(imports) if n not in names and n != "_"
        ]
        if "_" in imports and "_" not in names:
            names.append("_")
        return f"from vault.i18n import {', '.join(sorted(set(names), key=lambda n: (n != '_', n.lower())))}"

    if "i18n." in {e[2][:5] for e in edits}:
        pass  # `from vault import i18n` already brings i18n._ and i18n.ngettext
    if re.search(r"^from vault\.i18n import ", text, re.M):
        text = re.sub(
            r"^from vault\.i18n import (?P<names>\([^)]*\)|[^\n]*)",
            fix_import,
            text,
            count=1,
            flags=re.M,
        )
    elif any(not e[2].startswith("i18n.") for e in edits):
        run.left.append(
            f"{rel}:1: no `from vault.i18n import`: add `from vault.i18n import {', '.join(sorted(imports))}`"
        )
    ast.parse(text)  # never write a file that does not parse
    path.write_text(text)
    run.changed.append(rel)


# --- templates ----------------------------------------------------------------------------------

STRING = r"""(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')"""
PAIR = re.compile(rf"(?<![\w.])t\(\s*(?P<nl>{STRING})\s*,\s*(?P<en>{STRING})\s*\)", re.S)
COUNT = re.compile(
    rf"(?<![\w.])count\(\s*(?P<n>[\w.\[\]'\"|]+?)\s*,\s*(?P<a>{STRING})\s*,\s*(?P<b>{STRING})\s*,"
    rf"\s*(?P<c>{STRING})\s*,\s*(?P<d>{STRING})\s*\)",
    re.S,
)
LEFT = re.compile(r"(?<![\w.])(?:t|count)\(")


def jinja_string(token: str) -> str:
    """A Jinja string literal's value, as Jinja's lexer reads it."""
    return token[1:-1].encode("ascii", "backslashreplace").decode("unicode-escape")


def convert_template(run: Run, path: Path) -> None:
    rel = path.relative_to(run.root).as_posix()
    text = path.read_text()

    def line(at: int) -> str:
        return f"{rel}:{text.count(chr(10), 0, at) + 1}"

    def pair(m: re.Match[str]) -> str:
        run.pair(jinja_string(m["nl"]), jinja_string(m["en"]), line(m.start()))
        return f"_({m['nl']})"

    def count(m: re.Match[str]) -> str:
        a, b, c, d = (jinja_string(m[k]) for k in "abcd")
        run.pair(
            (f"%(num)s {a}", f"%(num)s {b}"), (f"%(num)s {c}", f"%(num)s {d}"), line(m.start())
        )
        return f"ngettext({literal(f'%(num)s {a}')}, {literal(f'%(num)s {b}')}, {m['n']})"

    new = COUNT.sub(count, PAIR.sub(pair, text))
    for m in LEFT.finditer(new):
        end = new.find("\n", m.start())
        run.left.append(
            f"{rel}:{new.count(chr(10), 0, m.start()) + 1}: {new[m.start() : end if end > 0 else None][:90].strip()}"
        )
    if new != text:
        path.write_text(new)
        run.changed.append(rel)


# --- the catalogue ------------------------------------------------------------------------------


def merge(run: Run) -> int:
    path = run.root / CATALOGUE
    with path.open("rb") as po:
        catalogue: Catalog = read_po(po, locale="en")
    added = 0
    for nl, en in run.pairs.items():
        msgid = nl if isinstance(nl, str) else nl[0]
        entry = catalogue.get(msgid)
        if entry is not None and entry.string and not entry.fuzzy:
            if entry.string != en:
                run.left.append(f"{CATALOGUE}: {msgid!r} is already {entry.string!r} (not {en!r})")
            continue
        flags = ["python-format"] if "%(" in (nl if isinstance(nl, str) else nl[0] + nl[1]) else []
        catalogue.add(nl, en, flags=flags)
        added += 1
    with path.open("wb") as po:
        write_po(
            po, catalogue, width=100, no_location=True, sort_output=True, include_previous=False
        )
    return added


def main(root: Path) -> int:
    run = Run(root)
    for path in sorted((root / "vault").rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if rel in SKIP or "/migrations/" in rel:
            continue
        convert_python(run, path)
    for path in sorted((root / "vault" / "web" / "templates").rglob("*.html")):
        convert_template(run, path)
    added = merge(run)
    print(
        f"converted {len(run.pairs)} messages in {len(run.changed)} files; {added} new in {CATALOGUE}"
    )
    if run.left:
        print(f"\nleft for a person ({len(run.left)}):")
        print("\n".join(run.left))
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()))

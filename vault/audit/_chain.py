"""Signed tree heads (checkpoints) in the write-once store, proofs against them, and verification.

Formats: docs/audit-log.md. Each checkpoint (v2) names its predecessor inside the signed statement, so the
checkpoints form a chain; the newest one written is also kept in the database (`audit_checkpoint`), outside
the bucket. Verification is one streaming pass over the records with the RFC 6962 stack of subtree roots.
"""

from __future__ import annotations

import base64
import json
import re
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select as core_select
from sqlalchemy import text
from sqlmodel import Field, Session, SQLModel, col, func, select

from keys import SigningKey, key_id, verify_signature
from vault.audit import merkle
from vault.audit._log import AuditRecord, canonical
from vault.errors import Conflict, NotFound
from vault.store import Backend, BlobVersion

PREFIX = "checkpoints/"
NAME = re.compile(r"^checkpoints/(\d{12})-(\d{1,20})\.json$")
_CHECKPOINT_LOCK = (
    7514  # beside the append lock (7513): writers of checkpoints queue, appends go on
)
_BATCH = 20_000
NONE = "-"


class AuditCheckpoint(SQLModel, table=True):
    """Every checkpoint written, kept outside the bucket: the bucket's chain may not end before the last."""

    __tablename__ = "audit_checkpoint"

    name: str = Field(primary_key=True, max_length=64)
    tree_size: int
    root_hash: str = Field(max_length=64)
    written_at: datetime


def statement_v1(size: int, root_hex: str, timestamp: str) -> bytes:
    return f"beeldkluis-audit-checkpoint-v1\n{size}\n{root_hex}\n{timestamp}\n".encode()


def statement_v2(
    name: str, size: int, root_hex: str, timestamp: str, previous: dict[str, Any] | None
) -> bytes:
    prev = previous or {}
    return (
        f"beeldkluis-audit-checkpoint-v2\n{name}\n{size}\n{root_hex}\n{timestamp}\n"
        f"{prev.get('name', NONE)}\n{prev.get('tree_size', NONE)}\n{prev.get('root_hash', NONE)}\n"
    ).encode()


# Reading the log -------------------------------------------------------------------------------------


def _leaf_hashes(
    session: Session, start: int, end: int | None = None
) -> Iterator[tuple[int, bytes]]:
    """(seq, stored leaf hash) from `start`, streamed through a server-side cursor."""
    table = AuditRecord.__table__  # type: ignore[attr-defined]  # SQLModel sets __table__ at runtime
    query = core_select(table.c.seq, table.c.leaf_hash).where(table.c.seq >= start)
    if end is not None:
        query = query.where(table.c.seq < end)
    result = session.connection().execute(
        query.order_by(table.c.seq).execution_options(yield_per=_BATCH)
    )
    try:
        for seq, leaf in result:
            yield seq, bytes.fromhex(leaf)
    finally:
        result.close()


class _LeafInput:
    """canonical() for raw rows, without a type test per field: the verifier's hot path. Each column's
    conversion is chosen once from its type; the output is the same bytes (the vectors and every verification
    test check that)."""

    def __init__(self) -> None:
        table = AuditRecord.__table__  # type: ignore[attr-defined]  # SQLModel sets __table__ at runtime
        self.names = [c.name for c in table.columns]
        plan = []
        for i, column in enumerate(table.columns):
            if column.name == "leaf_hash":
                continue
            plan.append((column.name, i, _CONVERT.get(_python_type(column.type), _any)))
        self.plan = sorted(plan)
        self._encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

    def __call__(self, row: Sequence[Any]) -> bytes:
        return self._encode({name: convert(row[i]) for name, i, convert in self.plan}).encode()

    def fields(self, row: Sequence[Any]) -> dict[str, Any]:
        return dict(zip(self.names, row, strict=True))


def _python_type(kind: Any) -> Any:
    for candidate in (kind, getattr(kind, "impl", None)):
        try:
            return candidate.python_type
        except (NotImplementedError, AttributeError):
            continue
    return object


def _uuid(value: Any) -> Any:
    return str(value) if isinstance(value, uuid.UUID) else value


def _time(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _any(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    return value.isoformat() if isinstance(value, datetime) else value


def _plain(value: Any) -> Any:
    return value


_CONVERT = {str: _plain, int: _plain, uuid.UUID: _uuid, datetime: _time}


def _rows(session: Session, start: int) -> Iterator[Sequence[Any]]:
    """Every column of the records from `start`, raw (no ORM objects), streamed."""
    table = AuditRecord.__table__  # type: ignore[attr-defined]  # SQLModel sets __table__ at runtime
    query = core_select(*table.columns).where(table.c.seq >= start).order_by(table.c.seq)
    result = session.connection().execute(query.execution_options(yield_per=_BATCH))
    try:
        yield from result
    finally:
        result.close()


def range_root(session: Session, start: int, end: int) -> bytes:
    """MTH of the stored leaves [start, end), streamed."""
    stack = merkle.Stack()
    for seq, leaf in _leaf_hashes(session, start, end):
        if seq != start + stack.size:
            raise Conflict(
                f"Record {start + stack.size} ontbreekt in de log.",
                f"Record {start + stack.size} is missing from the log.",
            )
        stack.append(leaf)
    if stack.size != end - start:
        raise Conflict(
            f"De log is korter dan {end} records.", f"The log is shorter than {end} records."
        )
    return stack.root()


# Writing checkpoints ---------------------------------------------------------------------------------


def checkpoint(session: Session, backend: Backend, key: SigningKey) -> dict[str, object]:
    """Sign the current tree head, naming the previous checkpoint, and write it to the object-locked area.

    The tree is extended from the previous checkpoint's signed subtree roots, so only the new records are
    read, and a checkpoint never signs over history rewritten since the last one. The database row is
    flushed in the caller's transaction before the object is written (a failed write leaves no row); the
    caller commits."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHECKPOINT_LOCK})
    last = session.exec(select(func.max(AuditRecord.seq))).one()
    size = 0 if last is None else last + 1
    previous, stack = _previous(session, backend)
    for seq, leaf in _leaf_hashes(session, stack.size, size):
        if seq != stack.size:
            break
        stack.append(leaf)
    if stack.size != size:
        raise Conflict(
            "De log heeft een gat of is korter dan het vorige checkpoint; er wordt niets ondertekend.",
            "The log has a gap or is shorter than the previous checkpoint; nothing is signed.",
        )
    head = signed_head(
        key,
        f"{PREFIX}{size:012d}-{time.time_ns()}.json",
        stack,
        datetime.now(UTC).isoformat(),
        previous,
    )
    session.add(
        AuditCheckpoint(
            name=str(head["name"]),
            tree_size=size,
            root_hash=str(head["root_hash"]),
            written_at=datetime.now(UTC),
        )
    )
    session.flush()
    backend.put_worm(str(head["name"]), json.dumps(head, sort_keys=True).encode())
    return head


def signed_head(
    key: SigningKey, name: str, stack: merkle.Stack, timestamp: str, previous: dict[str, Any] | None
) -> dict[str, object]:
    """A v2 checkpoint (docs/audit-log.md)."""
    root_hex = stack.root().hex()
    return {
        "version": 2,
        "name": name,
        "tree_size": stack.size,
        "root_hash": root_hex,
        "timestamp": timestamp,
        "previous": previous,
        "subtrees": [h.hex() for h in stack.subtrees],
        "key_id": key.key_id,
        "public_key": base64.b64encode(key.public_bytes()).decode(),
        "signature": base64.b64encode(
            key.sign(statement_v2(name, stack.size, root_hex, timestamp, previous))
        ).decode(),
    }


def _previous(session: Session, backend: Backend) -> tuple[dict[str, Any] | None, merkle.Stack]:
    """The newest checkpoint the database knows (before the first v2 checkpoint, the bucket's newest) and the
    tree to extend: its signed subtree roots, or an empty tree when it has none (v1)."""
    row = session.exec(select(AuditCheckpoint).order_by(col(AuditCheckpoint.name).desc())).first()
    if row is not None:
        name = row.name
    else:
        names = sorted(n for n in backend.worm_names(PREFIX) if NAME.match(n))
        if not names:
            return None, merkle.Stack()
        name = names[-1]
    try:
        head = read_checkpoint(backend, name)
    except NotFound:
        raise Conflict(
            f"Het laatste checkpoint ({name}) ontbreekt in de bucket; voer een ketencontrole uit.",
            f"The latest checkpoint ({name}) is missing from the bucket; run a verification.",
        ) from None
    previous = {
        "name": name,
        "tree_size": int(head["tree_size"]),
        "root_hash": str(head["root_hash"]),
    }
    if row is not None and (row.tree_size, row.root_hash) != (
        previous["tree_size"],
        previous["root_hash"],
    ):
        raise Conflict(
            "Het laatste checkpoint verschilt van de database; voer een ketencontrole uit.",
            "The latest checkpoint differs from the database; run a verification.",
        )
    try:
        stack = merkle.Stack(
            previous["tree_size"], [bytes.fromhex(h) for h in head.get("subtrees") or []]
        )
    except ValueError:
        return previous, merkle.Stack()
    return previous, stack if stack.root().hex() == previous["root_hash"] else merkle.Stack()


def read_checkpoint(backend: Backend, name: str) -> dict[str, Any]:
    """The original (oldest) version of a checkpoint object, NotFound if there is none."""
    if not NAME.match(name):
        raise NotFound("Onbekend checkpoint.", "Unknown checkpoint.")
    versions = [v for v in backend.worm_versions(name) if v.name == name and not v.is_delete_marker]
    if not versions:
        raise NotFound("Onbekend checkpoint.", "Unknown checkpoint.")
    try:
        head = json.loads(backend.get_worm(name, versions[0].version_id))
    except ValueError:
        head = None
    if not isinstance(head, dict):
        raise Conflict("Onleesbaar checkpoint.", "Unreadable checkpoint.")
    return head


# Checking one checkpoint -----------------------------------------------------------------------------


@dataclass
class Checkpoint:
    name: str
    size: int
    root: bytes
    timestamp: str
    version: int
    previous: dict[str, Any] | None
    subtrees: list[bytes] | None


def _parse(name: str, raw: bytes, public_key: bytes) -> Checkpoint | str:
    """A checked checkpoint, or why it is not one (Dutch / English)."""
    match = NAME.match(name)
    if match is None:
        return f"checkpoint {name}: onbekende naam / unknown name"
    try:
        head = json.loads(raw)
        size, root_hex, timestamp = (
            int(head["tree_size"]),
            str(head["root_hash"]),
            str(head["timestamp"]),
        )
        signature = base64.b64decode(head["signature"])
        version = int(head.get("version", 1))
        previous = head.get("previous") if version >= 2 else None
        if previous is not None:
            previous = {
                "name": str(previous["name"]),
                "tree_size": int(previous["tree_size"]),
                "root_hash": str(previous["root_hash"]),
            }
        subtrees = [bytes.fromhex(h) for h in head["subtrees"]] if "subtrees" in head else None
        root = bytes.fromhex(root_hex)
    except (ValueError, KeyError, TypeError, AttributeError):
        return f"checkpoint {name} is onleesbaar / is unreadable"
    if int(match.group(1)) != size:
        return (
            f"checkpoint {name}: de grootte in de naam ({int(match.group(1))}) verschilt van de inhoud ({size}) "
            f"/ the size in the name differs from the content"
        )
    if version == 1:
        message = statement_v1(size, root_hex, timestamp)
    elif version == 2:
        message = statement_v2(str(head.get("name")), size, root_hex, timestamp, previous)
    else:
        return f"checkpoint {name}: onbekende versie {version} / unknown version"
    if not verify_signature(public_key, message, signature):
        return (
            f"checkpoint {name}: handtekening ongeldig voor sleutel {key_id(public_key)} "
            f"/ bad signature for key {key_id(public_key)}"
        )
    if version == 2 and head.get("name") != name:
        return (
            f"checkpoint {name}: ondertekend als {head.get('name')}, hier teruggezet (replay) "
            f"/ signed as {head.get('name')}, replayed here"
        )
    if subtrees is not None:
        try:
            fits = merkle.Stack(size, subtrees).root() == root
        except ValueError:
            fits = False
        if not fits:
            return f"checkpoint {name}: de deelbomen passen niet bij de wortel / the subtrees do not fit the root"
    return Checkpoint(name, size, root, timestamp, version, previous, subtrees)


# Verification ----------------------------------------------------------------------------------------


@dataclass
class VerifyReport:
    """What verification found; `ok` only if the records, the tree and every checkpoint agree."""

    records: int = 0
    checkpoints: int = 0
    first_bad_seq: int | None = None
    suspect: tuple[int, int] | None = None  # the first change lies in these records (rehashed log)
    problems: list[str] = field(default_factory=list)
    latest: dict[str, Any] | None = None  # the newest checkpoint in the bucket that checked out
    expected: dict[str, Any] | None = None  # the newest checkpoint the database knows
    start: str | None = None  # incremental: the checkpoint the pass started from

    @property
    def ok(self) -> bool:
        return not self.problems

    def fail(self, message: str, seq: int | None = None) -> None:
        self.problems.append(message)
        if seq is not None and (self.first_bad_seq is None or seq < self.first_bad_seq):
            self.first_bad_seq = seq

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "records": self.records,
            "checkpoints": self.checkpoints,
            "first_bad_seq": self.first_bad_seq,
            "suspect_range": list(self.suspect) if self.suspect else None,
            "problems": self.problems,
            "latest_checkpoint": self.latest,
            "expected_checkpoint": self.expected,
            "start": self.start,
        }


def verify_detail(report: VerifyReport) -> dict[str, str]:
    """What a verification leaves in the log: its result and, if intact, the checkpoint it reached (where an
    incremental verification may start next time)."""
    return {
        "ok": str(report.ok).lower(),
        "records": str(report.records),
        "checkpoints": str(report.checkpoints),
        "first_bad_seq": "" if report.first_bad_seq is None else str(report.first_bad_seq),
        "checkpoint": str(report.latest["name"]) if report.ok and report.latest else "",
    }


def _brief(cp: Checkpoint) -> dict[str, Any]:
    return {"name": cp.name, "tree_size": cp.size, "root_hash": cp.root.hex()}


def _load(
    backend: Backend, public_key: bytes, report: VerifyReport, skip_below: int
) -> tuple[dict[str, Checkpoint], set[str]]:
    """Every checkpoint whose every version checks out; the names of those below `skip_below` (not read)."""
    by_name: dict[str, list[BlobVersion]] = {}
    for v in backend.worm_versions(PREFIX):
        by_name.setdefault(v.name, []).append(v)
    good: dict[str, Checkpoint] = {}
    skipped: set[str] = set()
    for name in sorted(by_name):
        versions = by_name[name]
        data = [v for v in versions if not v.is_delete_marker]
        markers = len(versions) - len(data)
        report.checkpoints += 1
        if markers:
            report.fail(
                f"checkpoint {name} is verborgen met een verwijdermarkering ({markers}x) "
                f"/ was hidden by a delete marker"
            )
        if len(data) > 1:
            report.fail(
                f"checkpoint {name} is overschreven: {len(data)} versies, de oorspronkelijke telt "
                f"/ was overwritten: {len(data)} versions, the original counts"
            )
        if not data:
            continue
        match = NAME.match(name)
        if match and int(match.group(1)) < skip_below:
            skipped.add(name)
            continue
        parsed = _parse(name, backend.get_worm(name, data[0].version_id), public_key)
        if isinstance(parsed, str):
            report.fail(parsed)
        else:
            good[name] = parsed
    return good, skipped


def _check_chain(
    session: Session, good: dict[str, Checkpoint], skipped: set[str], report: VerifyReport
) -> None:
    names = sorted(good)
    for i, name in enumerate(names):
        cp = good[name]
        if cp.version < 2:
            continue
        prev = cp.previous
        if prev is None:
            if i > 0 or skipped:
                report.fail(
                    f"checkpoint {name} begint een nieuwe keten en noemt {names[i - 1] if i else 'zijn voorganger'} niet "
                    f"/ starts a new chain, its predecessor is not named"
                )
            continue
        before = good.get(prev["name"])
        if before is None and prev["name"] not in skipped:
            report.fail(
                f"checkpoint {name} noemt {prev['name']} als vorige, maar die ontbreekt of is ongeldig "
                f"/ names {prev['name']} as its predecessor, which is missing or invalid"
            )
        elif before is not None and (before.size, before.root.hex()) != (
            prev["tree_size"],
            prev["root_hash"],
        ):
            report.fail(
                f"checkpoint {name}: de vorige ({prev['name']}) verschilt van wat hij ondertekende "
                f"/ its predecessor differs from what it signed"
            )
        elif prev["tree_size"] > cp.size:
            report.fail(
                f"checkpoint {name} is kleiner dan zijn voorganger / is smaller than its predecessor"
            )
    rows = session.exec(select(AuditCheckpoint).order_by(col(AuditCheckpoint.name))).all()
    if rows:
        last = rows[-1]
        report.expected = {
            "name": last.name,
            "tree_size": last.tree_size,
            "root_hash": last.root_hash,
        }
    for row in rows:
        cp = good.get(row.name)
        if cp is None and row.name in skipped:
            continue
        if cp is None:
            if row is rows[-1]:
                report.fail(
                    f"de keten in de bucket eindigt vóór het laatste checkpoint dat de database kent ({row.name}, "
                    f"{row.tree_size} records) / the bucket's chain ends before the latest checkpoint the database knows"
                )
            else:
                report.fail(
                    f"checkpoint {row.name} staat in de database maar ontbreekt in de bucket of is ongeldig "
                    f"/ is recorded in the database but missing from the bucket or invalid"
                )
        elif (cp.size, cp.root.hex()) != (row.tree_size, row.root_hash):
            report.fail(
                f"checkpoint {row.name} verschilt van de database / differs from the database"
            )


def _classify(row: dict[str, Any], position: int, stored: bytes, report: VerifyReport) -> None:
    """Name the first bad record exactly: an altered record, one moved by an insertion before it, or one
    moved down by a deletion or swap. A moved record still carries its original leaf hash, which covers its
    original position."""
    for distance in range(1, 65):
        if (
            position - distance >= 0
            and merkle.leaf_hash(canonical({**row, "seq": position - distance})) == stored
        ):
            first = position - distance
            what = f"record {first}" if distance == 1 else f"records {first}..{position - 1}"
            report.fail(
                f"{what} ingevoegd: de records erna zijn {distance} plaats(en) opgeschoven "
                f"/ {what} inserted: the records after moved {distance} place(s)",
                first,
            )
            return
        if merkle.leaf_hash(canonical({**row, "seq": position + distance})) == stored:
            report.fail(
                f"record {position} hoort op plaats {position + distance}: records verwijderd of verwisseld "
                f"/ record {position} belongs at {position + distance}: records deleted or swapped",
                position,
            )
            return
    report.fail(f"record {position} is gewijzigd / record {position} was altered", position)


def verify(
    session: Session, backend: Backend, public_key: bytes, *, start: str | None = None
) -> VerifyReport:
    """One streaming pass: every record's leaf, folded into the stack of subtree roots; each checkpoint is
    compared when the pass reaches its size. With `start` (a checkpoint name), records before it are taken as
    verified earlier and the pass begins from that checkpoint's signed subtree roots."""
    report = VerifyReport(start=start)
    stack = merkle.Stack()
    start_size = 0
    if start is not None:
        try:
            begin = _parse(start, json.dumps(read_checkpoint(backend, start)).encode(), public_key)
        except NotFound:
            begin = f"checkpoint {start} bestaat niet / does not exist"
        if isinstance(begin, str) or not begin.subtrees:
            report.fail(
                f"kan niet beginnen bij {start} / cannot start from {start}: "
                f"{begin if isinstance(begin, str) else 'geen deelbomen / no subtrees'}"
            )
            return report
        try:
            stack = merkle.Stack(begin.size, begin.subtrees)
        except ValueError:
            stack = merkle.Stack()
        if stack.size != begin.size or stack.root() != begin.root:
            report.fail(
                f"checkpoint {start}: de deelbomen passen niet bij de wortel / subtrees do not fit the root"
            )
            return report
        start_size = begin.size
    good, skipped = _load(backend, public_key, report, start_size)
    _check_chain(session, good, skipped, report)
    pending = sorted((cp for cp in good.values() if cp.size >= start_size), key=lambda c: c.name)
    position = start_size
    matched = start_size  # the largest size whose signed root matched the log
    altered = 0
    broken = False  # after a gap or a shifted record, later roots cannot be compared usefully
    unexplained = 0

    def reach() -> None:
        nonlocal matched, broken, unexplained
        while pending and pending[0].size <= position:
            cp = pending.pop(0)
            if cp.size < position:
                continue
            if stack.root() == cp.root:
                matched = max(matched, cp.size)
                continue
            if broken or report.first_bad_seq is not None:
                unexplained += 1
                continue
            broken = True
            lo, hi = _narrow(stack, cp, matched)
            report.suspect = (lo, hi - 1)
            where = f"record {lo}" if hi - lo == 1 else f"tussen record {lo} en {hi - 1}"
            report.fail(
                f"checkpoint {cp.name}: de log wijkt af van de ondertekende boom; de eerste wijziging ligt {where} "
                f"(de records zijn consistent herberekend) / the log differs from the signed tree; the first change "
                f"lies in records {lo}..{hi - 1} (they were rehashed consistently)",
                lo if hi - lo == 1 else None,
            )

    reach()
    leaf_input = _LeafInput()
    at_seq, at_leaf = leaf_input.names.index("seq"), leaf_input.names.index("leaf_hash")
    for row in _rows(session, start_size):
        seq = row[at_seq]
        if seq != position:
            report.fail(
                f"record {position}..{seq - 1} ontbreekt (verwijderd) / missing (deleted)", position
            )
            broken = True
            position = seq
            pending.clear()
        stored = bytes.fromhex(row[at_leaf])
        if merkle.leaf_hash(leaf_input(row)) != stored:
            if report.first_bad_seq is None:
                _classify(leaf_input.fields(row), position, stored, report)
                broken = True
            else:
                altered += 1
        report.records += 1
        stack.append(stored)
        position += 1
        reach()
    report.records += start_size
    if altered:
        report.problems.append(f"nog {altered} records wijken af / {altered} more records differ")
    for cp in pending:
        report.fail(
            f"checkpoint {cp.name}: de log is korter dan ondertekend, records {position}..{cp.size - 1} ontbreken "
            f"/ the log is shorter than signed, records missing",
            position,
        )
        break
    if unexplained:
        report.problems.append(
            f"{unexplained} latere checkpoints kloppen daardoor niet meer / later checkpoints no longer match"
        )
    verified = [cp for cp in good.values() if cp.size <= matched]
    if verified:
        report.latest = _brief(max(verified, key=lambda c: c.name))
    return report


def _narrow(stack: merkle.Stack, cp: Checkpoint, matched: int) -> tuple[int, int]:
    """Where the first change lies, from the last matching size and the checkpoint's signed subtree roots."""
    lo, hi = matched, cp.size
    if cp.subtrees and len(cp.subtrees) == len(stack.subtrees):
        signed = merkle.Stack(cp.size, cp.subtrees)
        if signed.root() == cp.root:
            for (a, b), ours, theirs in zip(
                stack.ranges(), stack.subtrees, signed.subtrees, strict=True
            ):
                if ours != theirs:
                    lo, hi = max(lo, a), min(hi, b)
                    break
    return lo, max(hi, lo + 1)


# Proofs against signed checkpoints ---------------------------------------------------------------------


def _covering(session: Session, backend: Backend, size: int) -> str:
    row = session.exec(
        select(AuditCheckpoint)
        .where(AuditCheckpoint.tree_size >= size)
        .order_by(col(AuditCheckpoint.name).desc())
    ).first()
    if row is not None:
        return row.name
    names = [
        n for n in backend.worm_names(PREFIX) if (m := NAME.match(n)) and int(m.group(1)) >= size
    ]
    if not names:
        raise NotFound(
            "Dit record valt nog onder geen ondertekend checkpoint.",
            "This record is not yet under a signed checkpoint.",
        )
    return max(names)


def _signed(backend: Backend, name: str, public_key: bytes) -> tuple[dict[str, Any], Checkpoint]:
    head = read_checkpoint(backend, name)
    parsed = _parse(name, json.dumps(head).encode(), public_key)
    if isinstance(parsed, str):
        raise Conflict(
            f"Het checkpoint is ongeldig: {parsed}", f"The checkpoint is invalid: {parsed}"
        )
    return {"object_name": name, **head}, parsed


def inclusion(
    session: Session,
    seq: int,
    *,
    backend: Backend,
    public_key: bytes,
    checkpoint_name: str | None = None,
) -> dict[str, object]:
    """PATH(seq, D[n]) for the tree a signed checkpoint covers (by default the newest covering the record)."""
    name = checkpoint_name or _covering(session, backend, seq + 1)
    head, cp = _signed(backend, name, public_key)
    if not 0 <= seq < cp.size:
        raise NotFound(
            "Dit record valt niet onder dit checkpoint.",
            "This record is not under this checkpoint.",
        )
    stored = session.exec(select(AuditRecord.leaf_hash).where(AuditRecord.seq == seq)).first()
    if stored is None:
        raise NotFound("Dit record bestaat niet.", "No such record.")
    leaf = bytes.fromhex(stored)
    proof = [range_root(session, a, b) for a, b in merkle.inclusion_ranges(seq, cp.size)]
    if not merkle.verify_inclusion(seq, cp.size, leaf, proof, cp.root):
        raise Conflict(
            "De log klopt niet met het ondertekende checkpoint; voer een ketencontrole uit.",
            "The log does not match the signed checkpoint; run a verification.",
        )
    return {
        "seq": seq,
        "tree_size": cp.size,
        "leaf_hash": leaf.hex(),
        "root_hash": cp.root.hex(),
        "proof": [p.hex() for p in proof],
        "checkpoint": head,
    }


def consistency(
    session: Session, backend: Backend, public_key: bytes, first: str, second: str
) -> dict[str, object]:
    """PROOF(m, D[n]) between two signed checkpoints."""
    head1, old = _signed(backend, first, public_key)
    head2, new = _signed(backend, second, public_key)
    if old.size > new.size:
        raise NotFound(
            "Het eerste checkpoint is groter dan het tweede.",
            "The first checkpoint is larger than the second.",
        )
    proof = (
        [range_root(session, a, b) for a, b in merkle.consistency_ranges(old.size, new.size)]
        if old.size
        else []
    )
    if old.size and not merkle.verify_consistency(old.size, new.size, old.root, new.root, proof):
        raise Conflict(
            "De log klopt niet met de ondertekende checkpoints; voer een ketencontrole uit.",
            "The log does not match the signed checkpoints; run a verification.",
        )
    return {"from": head1, "to": head2, "proof": [p.hex() for p in proof]}


def last_verified(session: Session) -> str | None:
    """The checkpoint the newest successful verification reached (from the log itself)."""
    rows = session.exec(
        select(AuditRecord.detail)
        .where(AuditRecord.object_type == "verify", AuditRecord.action == "audit_read")
        .order_by(col(AuditRecord.seq).desc())
        .limit(200)
    )
    for detail in rows:
        found = json.loads(detail)
        if found.get("ok") == "true" and found.get("checkpoint"):
            return str(found["checkpoint"])
    return None

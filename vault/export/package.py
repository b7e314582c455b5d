"""The parents' package: Opnames/, index.html, LEESMIJ.txt, the consent records and the access report
(AVG art. 15/20), and SHA256SUMS over every file; written into a folder (a mounted USB stick) or into a
ZIP (AES-256 when a passphrase is given) streamed into the encrypted store for download.

`prepare` reads everything the package needs in one short transaction and unwraps the keys; `write`
then does the long work (probe, remux or transcode) without any database session, so the embedded
SQLite default is never locked for the length of an export.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import html
import json
import re
import secrets
import shutil
import subprocess
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path
from typing import BinaryIO

import pyzipper
from sqlmodel import Session, col, select

from keys import KeyDestroyed, TamperedError
from vault import audit
from vault.access import authorize
from vault.annotations.models import Annotation, Codebook
from vault.consents.service import overview
from vault.errors import Conflict, NotFound, ServiceUnavailable, VaultError
from vault.export.messages import LEFT_OUT, SITUATIONS, detail, message, recording_name
from vault.families.models import Family, Trajectory
from vault.ingest.models import Upload
from vault.media import MediaError, ProbeResult, probe, qualifies, scratch_dir, serve_range
from vault.media.convert import convert_command
from vault.media.ffmpeg import Process, TookTooLong, time_limit
from vault.media.rangeserver import PIECE
from vault.media.sequential import Drain, Feed, Part, Read, plan
from vault.purge import family_plan
from vault.recordings.models import Recording
from vault.settings import Settings
from vault.store import open_store

PAGE = """<!doctype html>
<html lang="nl"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; media-src 'self'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Uw video-opnames</title>
<style>body{{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}}
video{{width:100%;max-width:48rem;background:#000}} li{{margin:1.5rem 0}} small{{color:#555}}</style></head>
<body><h1>Uw video-opnames</h1>
<p>Dit zijn de opnames die tijdens het traject video-hometraining bij uw gezin thuis zijn gemaakt. Ze zijn van u.
Klik op een opname om die af te spelen; u hebt er geen internet voor nodig.</p>
<p lang="en"><small>Your family's video recordings from video home training. They are yours; click one to play it, no internet needed.</small></p>
<ol>{items}</ol>{left_out}
<p><small>In LEESMIJ.txt staat meer uitleg, in toegang.html wie de beelden heeft bekeken.</small></p>
<p lang="en"><small>LEESMIJ.txt (read me) explains more; toegang.html shows who viewed the footage.</small></p>
</body></html>
"""
README = """Uw video-opnames
===============

Op deze stick (of in deze map) staan de video-opnames die tijdens het traject video-hometraining bij uw
gezin thuis zijn gemaakt. Ze zijn van u.

Afspelen: open index.html in een webbrowser, of open de bestanden in de map Opnames met een
videospeler. Ze spelen op elke computer, telefoon en televisie; u hebt er geen internet voor nodig.

Bewaar ze veilig: het zijn beelden van uw kinderen. Maak een kopie op een plek die alleen u kunt
bereiken en geef de stick niet aan anderen.

Beeldkluis verwijdert zijn eigen kopie van deze beelden {deletion}.

Wie heeft de beelden bekeken? Dat staat in toegang.html (en toegang.json). Uw toestemmingen staan in
toestemmingen.html (en toestemmingen.json). Met SHA256SUMS kunt u controleren dat de bestanden niet veranderd zijn.

{left_out}Vragen? Neem contact op met uw video-hometrainer.

--
Your family's video recordings from video home training; they belong to you. Open index.html in a
browser to play them (no internet needed). Keep them safe. Beeldkluis deletes its own copy {deletion_en}.
"""


# Passphrases and codes avoid look-alike characters (0/O, 1/l/I), so they survive being read aloud.
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def new_secret(groups: int, size: int = 4) -> str:
    """Random groups like `k7mq-x2bd`: 6 groups carry 118 bits, 2 groups (a code behind a link) 39."""
    return "-".join("".join(secrets.choice(ALPHABET) for _ in range(size)) for _ in range(groups))


class RecordingFailed(VaultError):
    """One recording could not be read or converted; names it (its card file name, else its date)."""

    status = 422

    def __init__(self, code: str, item: Item, reason_nl: str = "", reason_en: str = "") -> None:
        self.code = code
        self.detail = detail(item.recording, reason_nl, reason_en, name=item.label)
        said = message(code, json.dumps(self.detail)) or ("", "")
        super().__init__(*said)


class Cancelled(VaultError):
    status = 409
    code = "export_cancelled"

    def __init__(self) -> None:
        super().__init__("Het pakket is geannuleerd.", "The export was cancelled.")


@dataclass(frozen=True)
class Item:
    """One recording to hand over, with a reader that needs no database (its key is already unwrapped)."""

    name: str
    recording: Recording
    size: int
    read: Callable[[int, int], bytes]
    label: str = ""  # how the trainer knows it: the file name on the card, else date and situation
    # What the trainer wrote about it for the family (ADR 0011 decision 12): (second, code, note).
    notes: tuple[tuple[float, str, str], ...] = ()


@dataclass(frozen=True)
class Package:
    family_id: uuid.UUID
    family_code: str
    trajectory_id: uuid.UUID
    items: list[Item]
    deletion_on: str | None  # dd-mm-YYYY, or None when not yet dated
    consents: object
    access: dict[
        str, list[str]
    ]  # the readable report: one sentence per viewing, grouped by purpose

    @property
    def folder_name(self) -> str:
        return f"Beeldkluis - {self.family_code}"


def prepare(
    db: Session,
    settings: Settings,
    principal: audit.Principal,
    trajectory_id: uuid.UUID,
    recording_ids: list[uuid.UUID] | None = None,
) -> Package:
    """Decide (and log), then gather what the package needs; refuses an empty selection."""
    authorize(db, principal, "export", trajectory_id=trajectory_id)
    trajectory = db.get(Trajectory, trajectory_id)
    family = db.get(Family, trajectory.family_id) if trajectory else None
    if trajectory is None or family is None:
        raise NotFound("Traject niet gevonden.", "Trajectory not found.")
    query = (
        select(Recording)
        .where(
            Recording.trajectory_id == trajectory_id, col(Recording.original_object_id).is_not(None)
        )
        .order_by(Recording.recorded_at)
    )
    recordings = [r for r in db.exec(query) if recording_ids is None or r.id in recording_ids]
    if not recordings:
        raise Conflict(
            "Er zijn geen opnames om mee te geven.", "There are no recordings to hand over."
        )
    store = open_store(db, settings)
    uploads = db.exec(
        select(Upload).where(col(Upload.recording_id).in_([r.id for r in recordings]))
    )
    on_card = {u.recording_id: json.loads(u.meta or "{}").get("filename") for u in uploads}
    notes = _family_notes(db, [r.id for r in recordings])
    items = []
    for number, r in enumerate(recordings, start=1):
        name = (
            f"{number:02d} - {r.recorded_at:%Y-%m-%d} - {SITUATIONS.get(r.situation, 'opname')}.mp4"
        )
        items.append(
            Item(
                name,
                r,
                *store.range_reader(r.original_object_id),  # type: ignore[arg-type]  # the query above keeps only recordings whose original is stored
                label=recording_name(r, on_card.get(r.id)),
                notes=notes.get(r.id, ()),
            )
        )
    now = datetime.now(UTC)
    originals = {r.original_object_id for r in recordings}
    dates = [
        i.due for i in family_plan(db, family.id, now.date()).items if i.object_id in originals
    ]
    return Package(
        family.id,
        family.code,
        trajectory_id,
        items,
        f"{min(dates):%d-%m-%Y}" if dates else None,
        overview(db, family.id, now),
        audit.access_report(db, family.id),
    )


def _family_notes(
    db: Session, recording_ids: list[uuid.UUID]
) -> dict[uuid.UUID, tuple[tuple[float, str, str], ...]]:
    """The annotations the trainer marked for the family, per recording, in time order: the second it
    starts, its code in the parents' words (the codebook's Dutch name) and the note. Nothing else of an
    annotation goes into the package: not its author, its codebook key, an unmarked one or a comment."""
    rows = db.exec(
        select(Annotation)
        .where(col(Annotation.recording_id).in_(recording_ids), col(Annotation.for_family))
        .order_by(col(Annotation.frame_in))
    ).all()
    names: dict[uuid.UUID, dict[str, str]] = {}
    for book_id in {a.codebook_id for a in rows}:
        book = db.get(Codebook, book_id)
        entries = json.loads(book.entries) if book else {}
        names[book_id] = {
            e["key"]: e.get("nl") or e["key"]
            for group in ("codes", "moments")
            for e in entries.get(group, [])
        }
    notes: dict[uuid.UUID, list[tuple[float, str, str]]] = {}
    for a in rows:
        second = float(Fraction(a.frame_in) / Fraction(a.rate_num, a.rate_den))
        code = names.get(a.codebook_id, {}).get(a.code, a.code)
        notes.setdefault(a.recording_id, []).append((second, code, a.note))
    return {r: tuple(n) for r, n in notes.items()}


# Each piece is hashed and written in slices small enough to stay in the core's L1 cache between the
# two passes; hashing a whole piece (up to a MiB) and then writing it reads it from memory twice. Here,
# 1 GiB drained from a pipe, hashed and written to a file took a median 1.88 CPU seconds in whole
# pieces and 1.15 in 32 KiB slices (4 rounds each, page cache emptied before each).
HOT = 32 * 1024


class Sink:
    """Where the package goes. Every file passes through `file` once, front to back, and is hashed on
    the way for SHA256SUMS: nothing is read back, and no whole recording waits anywhere."""

    def __init__(self) -> None:
        self.sums: list[tuple[str, str]] = []

    def _open(self, name: str, compress: bool) -> BinaryIO:
        """A writer for file `name` of the package (closed by `file`)."""
        raise NotImplementedError

    def file(self, name: str, pieces: Iterable[bytes], compress: bool = False) -> None:
        """Write file `name` from `pieces`, hashing them as they are written. If `pieces` fails, the
        failure passes on and the caller decides whether to `drop` what was written."""
        digest = hashlib.sha256()
        with self._open(name, compress) as out:
            for piece in pieces:
                view = memoryview(piece)
                for at in range(0, len(view), HOT):
                    part = view[at : at + HOT]
                    digest.update(part)
                    out.write(part)
        self.sums.append((digest.hexdigest(), name))

    def text(self, name: str, data: bytes) -> None:
        self.file(name, [data], compress=True)

    def drop(self, name: str) -> None:
        """Leave file `name` out after all (a recording that failed part way)."""
        raise NotImplementedError

    def close(self) -> None:
        """Finish the package."""

    def abort(self) -> None:
        """Leave nothing behind."""


class FolderSink(Sink):
    """A plain folder, e.g. on the USB stick the trainer hands over in person."""

    def __init__(self, folder: Path) -> None:
        super().__init__()
        if folder.exists():
            raise Conflict(
                "Op deze plek staat al een pakket van dit gezin.",
                "A package of this family is already there.",
            )
        self.folder = folder
        (folder / "Opnames").mkdir(parents=True)

    def _open(self, name: str, compress: bool) -> BinaryIO:
        return open(self.folder / name, "xb")  # noqa: SIM115 - closed by `file`

    def drop(self, name: str) -> None:
        (self.folder / name).unlink(missing_ok=True)

    def abort(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


class _OpenSSLHmac:
    """pyzipper's HMAC-SHA1 (WinZip AE-2) through hashlib's OpenSSL instead of pycryptodome's: the same
    MAC, about three times faster, which is most of the cost of an encrypted ZIP."""

    @staticmethod
    def new(key: bytes, digestmod: object = None) -> hmac.HMAC:
        return hmac.new(key, digestmod=hashlib.sha1)


pyzipper.zipfile_aes.HMAC = _OpenSSLHmac


class ZipSink(Sink):
    """A ZIP written front to back into `out` (any writable stream, e.g. a sealed store writer); with a
    passphrase every entry is AES-256 encrypted (WinZip AE-2). Recordings stream from ffmpeg straight
    into their entries."""

    def __init__(self, out: BinaryIO, top: str, passphrase: str | None) -> None:
        super().__init__()
        self.top = top
        self.zip = pyzipper.AESZipFile(
            out,
            "w",
            compression=pyzipper.ZIP_STORED,
            encryption=pyzipper.WZ_AES if passphrase else None,
        )
        if passphrase:
            self.zip.setpassword(passphrase.encode())
            self.zip.setencryption(pyzipper.WZ_AES, nbits=256)

    def _open(self, name: str, compress: bool) -> BinaryIO:
        info = self.zip.zipinfo_cls(
            f"{self.top}/{name}", date_time=datetime.now(UTC).timetuple()[:6]
        )
        info.external_attr = 0o644 << 16
        info.compress_type = pyzipper.ZIP_DEFLATED if compress else pyzipper.ZIP_STORED
        return self.zip.open(info, "w", force_zip64=not compress)  # type: ignore[no-any-return]  # typeshed's ZipFile.open overloads resolve to Any for mode 'w'

    def drop(self, name: str) -> None:
        """Out of the ZIP's directory, so no unzip tool shows it. Its bytes stay in the stream, which
        cannot be rewound: the family's own footage, in the family's (encrypted) package."""
        name = f"{self.top}/{name}"
        self.zip.filelist = [i for i in self.zip.filelist if i.filename != name]
        self.zip.NameToInfo.pop(name, None)

    def close(self) -> None:
        self.zip.close()


F_SETPIPE_SZ = 1031  # Linux


def _widen(fd: int) -> None:
    """Make a pipe hold a piece (4 MiB) where the process may, else as much as an unprivileged process
    may (/proc/sys/fs/pipe-max-size, 1 MiB by default), instead of the kernel's 64 KiB."""
    for size in (PIECE, _PIPE_MAX):
        with contextlib.suppress(OSError):
            fcntl.fcntl(fd, F_SETPIPE_SZ, size)
            return


try:
    _PIPE_MAX = int(Path("/proc/sys/fs/pipe-max-size").read_text())
except (OSError, ValueError):
    _PIPE_MAX = 1024 * 1024


def _out_time(progress: Path) -> float:
    """How long the copy ffmpeg made lasts, from its final progress counts (0.0 if it never said)."""
    try:
        said = re.findall(r"^out_time_us=(\d+)$", progress.read_text(), re.MULTILINE)
    except OSError:
        return 0.0
    return int(said[-1]) / 1e6 if said else 0.0


def _converted(
    source: str,
    info: ProbeResult,
    settings: Settings,
    made: list[float],
    feed: tuple[list[Part], Read] | None = None,
) -> Iterator[bytes]:
    """The playable copy as ffmpeg writes it into a pipe, piece by piece; at the end its duration is
    appended to `made`. `source` is the range server's URL, or "pipe:0" with `feed` (the plan and the
    reader ffmpeg's stdin is fed from). MediaError if ffmpeg fails or takes too long."""
    progress = scratch_dir() / f"progress-{uuid.uuid4().hex}"  # ffmpeg's counts; no footage
    proc = Process(
        convert_command(source, info, "pipe:1", settings.ffmpeg, progress=progress),
        what="convert",
        stdout=subprocess.PIPE,
        stdin=subprocess.PIPE if feed else subprocess.DEVNULL,
    )
    assert proc.proc.stdout is not None  # noqa: S101 - PIPE was asked for
    for pipe in (proc.proc.stdout, proc.proc.stdin):  # wide pipes: fewer waits on either side
        if pipe is not None:
            _widen(pipe.fileno())
    feeding = Feed(proc.proc.stdin, *feed) if feed and proc.proc.stdin else None  # type: ignore[arg-type]  # Popen's stdin is typed IO[bytes]; Feed only writes and closes it
    timer = threading.Timer(time_limit(info.duration_s, per_second=6.0), proc.proc.kill)
    timer.start()
    drain = Drain(proc.proc.stdout.fileno())
    try:
        yield from drain.pieces()
        proc.wait()
        if not timer.is_alive():
            raise TookTooLong("convert")
        if feeding is not None:
            feeding.stop()
            if feeding.failed is not None:
                raise feeding.failed
        proc.check()
        made.append(_out_time(progress))
    finally:
        timer.cancel()
        if proc.poll() is None:
            proc.proc.kill()  # its end of the pipe closes, so the drain's read returns
        drain.stop()
        proc.kill()  # waits, and closes our end (only now: the drain no longer reads it)
        if feeding is not None:
            feeding.stop()
        progress.unlink(missing_ok=True)


def _convert(item: Item, name: str, sink: Sink, settings: Settings) -> tuple[float, bool]:
    """Convert one recording into file `name` of `sink`: (its duration, whether it was only remuxed).
    Fails closed: RecordingFailed when its original cannot be read whole (a chunk failed
    authentication, even if ffmpeg took the broken connection for the end of the file), ffmpeg refuses
    it, or the result is shorter (or longer) than the source; the store's own errors pass on (they are
    no recording's). The caller drops what was written of a recording that failed."""
    broken: list[Exception] = []

    def read(offset: int, length: int) -> bytes:
        try:
            return item.read(offset, length)
        except Exception as exc:
            broken.append(exc)
            raise

    refused: VaultError | None = None
    made: list[float] = []
    # Around the range server too: it may itself fail the job once a read failed. ServiceUnavailable:
    # ffmpeg exited non-zero (or the store failed: then `broken` says so).
    try:
        with serve_range(item.size, read) as url:
            info = probe(url, ffprobe=settings.ffprobe)
            parts = plan(item.size, read, info.container)
            if parts is None:  # the container needs seeking: ffmpeg reads over the range server
                sink.file(name, _converted(url, info, settings, made))
        if parts is not None:  # front to back through ffmpeg's stdin (ADR 0009)
            sink.file(name, _converted("pipe:0", info, settings, made, feed=(parts, read)))
    except (MediaError, ServiceUnavailable) as exc:
        refused = exc
    except Exception:
        if not broken:
            raise
    if broken:
        if any(isinstance(e, TamperedError | KeyDestroyed) for e in broken):
            raise RecordingFailed(
                "recording_unreadable",
                item,
                "het origineel in de kluis is beschadigd of niet te openen",
                "the original in the vault is damaged or cannot be opened",
            )
        raise broken[0]
    if refused is not None:
        if isinstance(refused, MediaError):
            raise RecordingFailed(
                "recording_unusable", item, refused.message_nl, refused.message_en
            )
        raise RecordingFailed(
            "recording_unusable", item, "het omzetten mislukte", "conversion failed"
        )
    if not made or abs(made[0] - info.duration_s) > max(1.0, 0.02 * info.duration_s):
        made_s = made[0] if made else 0.0
        raise RecordingFailed(
            "recording_short",
            item,
            f"de omgezette video duurt {made_s:.1f} s in plaats van {info.duration_s:.1f} s".replace(
                ".", ","
            ),
            f"the converted video lasts {made_s:.1f} s instead of {info.duration_s:.1f} s",
        )
    return info.duration_s, qualifies(info)


def write(
    package: Package,
    sink: Sink,
    settings: Settings,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    skip_failed: bool = False,
) -> dict[str, object]:
    """Convert every recording and write the package into `sink`. Needs no database session.
    A recording that fails fails the package (RecordingFailed, naming it), or with `skip_failed` is left
    out with a note in LEESMIJ.txt and index.html (`result["left_out"]`); a package with nothing left
    fails. On any failure or cancellation the sink is aborted; the caller's own output (a store
    writer) too."""
    try:
        rows, remuxed, left_out = [], 0, []
        for done, item in enumerate(package.items):
            if cancelled is not None and cancelled():
                raise Cancelled()
            name = f"Opnames/{item.name}"
            try:
                duration, copied = _convert(item, name, sink, settings)
            except RecordingFailed as failure:
                sink.drop(name)
                if not skip_failed:
                    raise
                left_out.append(failure.detail)
            else:
                remuxed += copied
                rows.append((item, duration))
            if progress is not None:
                progress(done + 1, len(package.items))
        if not rows:
            raise Conflict(
                "Er bleef geen opname over om mee te geven.", "No recording was left to hand over."
            )
        _texts(package, sink, rows, left_out)
        sink.text(
            "SHA256SUMS",
            "".join(f"{d}  {n}\n" for d, n in sorted(sink.sums, key=lambda s: s[1])).encode(),
        )
        sink.close()
    except BaseException:
        sink.abort()
        raise
    return {
        "recordings": len(rows),
        "remuxed": remuxed,
        "files": len(sink.sums),
        "left_out": left_out,
    }


def _texts(
    package: Package,
    sink: Sink,
    rows: list[tuple[Item, float]],
    left_out: list[dict[str, str]] | None = None,
) -> None:
    notes = [
        (
            LEFT_OUT[0].format(
                recording=f"“{i['recording']}”", reason_nl=i["reason_nl"], reason_en=i["reason_en"]
            ),
            LEFT_OUT[1].format(
                recording=f"“{i['recording']}”", reason_nl=i["reason_nl"], reason_en=i["reason_en"]
            ),
        )
        for i in left_out or []
    ]
    readme_notes = "".join(f"Let op: {nl}\n{en}\n\n" for nl, en in notes)
    page_notes = (
        "<h2>Niet meegegeven</h2><ul>"
        + "".join(
            f'<li>{html.escape(nl)}<br><small lang="en">{html.escape(en)}</small></li>'
            for nl, en in notes
        )
        + "</ul>"
        if notes
        else ""
    )
    if package.deletion_on:
        deletion, deletion_en = f"op {package.deletion_on}", f"on {package.deletion_on}"
    else:
        deletion = "zodra het traject en de nazorg zijn afgerond"
        deletion_en = "once the trajectory and its follow-up have ended"
    sink.text(
        "LEESMIJ.txt",
        README.format(deletion=deletion, deletion_en=deletion_en, left_out=readme_notes).encode(),
    )
    items = "".join(
        f"<li><strong>{html.escape(i.name)}</strong><br><small>{i.recording.recorded_at:%d-%m-%Y} · {html.escape(SITUATIONS.get(i.recording.situation, 'opname'))} · "
        f'{int(d // 60)}:{int(d % 60):02d} min</small><br><video controls preload="metadata" src="Opnames/{html.escape(i.name)}"></video>'
        f"{_notes_html(i.notes)}</li>"
        for i, d in rows
    )
    sink.text("index.html", PAGE.format(items=items, left_out=page_notes).encode())
    sink.text(
        "toestemmingen.json",
        json.dumps(package.consents, indent=1, ensure_ascii=False, default=str).encode(),
    )
    sink.text(
        "toegang.json",
        json.dumps(package.access, indent=1, ensure_ascii=False, default=str).encode(),
    )
    consents = [
        (
            PURPOSES.get(str(c["purpose"]), str(c["purpose"])),
            STATUSES.get(str(c["status"]), str(c["status"])),
            str(c["valid_from"])[:10],
            str(c["valid_until"] or "")[:10] or "-",
            "alle opnames"
            if c["recording_ids"] is None
            else f"{len(c['recording_ids'])} opname(s)",
            ", ".join(
                f"{EVENTS.get(str(e['kind']), str(e['kind']))} {str(e['at'])[:10]}"
                for e in c["events"]
            )
            or "-",
        )
        for c in package.consents  # type: ignore[attr-defined]  # the package plan is a dict of JSON-like objects; these values are lists at run time
    ]
    sink.text(
        "toestemmingen.html",
        _table_page(
            "Uw toestemmingen",
            "The consents you gave, for what, and what became of them.",
            ("Waarvoor", "Status", "Vanaf", "Tot", "Welke opnames", "Gebeurtenissen"),
            consents,
        ),
    )
    # The readable report (NEN 7513 client view): Dutch, Dutch time, one line per viewing session, no
    # addresses, session ids or internal codes; the JSON holds the same sentences for a computer.
    sink.text(
        "toegang.html",
        audit.access_report_html(
            f"gezin {package.family_code}", package.access, datetime.now(UTC)
        ).encode(),
    )


def _notes_html(notes: tuple[tuple[float, str, str], ...]) -> str:
    """What the trainer wrote for the family about one recording, under its video."""
    if not notes:
        return ""
    lines = "".join(
        f"<li><strong>{int(s // 60)}:{int(s % 60):02d}</strong> · {html.escape(code[:1].upper() + code[1:])}"
        + (f": {html.escape(note)}" if note else "")
        + "</li>"
        for s, code, note in notes
    )
    return (
        '<p>Wat uw trainer u bij deze opname meegeeft <small lang="en">(your trainer\'s notes for '
        "you)</small>:</p><ul>" + lines + "</ul>"
    )


PURPOSES = {
    "review": "terugkijken met de trainer",
    "supervision": "supervisie van de trainer",
    "wok": "intervisie (WOK) met andere trainers",
    "teaching": "onderwijs",
    "research": "onderzoek",
}
STATUSES = {
    "given": "gegeven",
    "incomplete": "onvolledig",
    "withdrawn": "ingetrokken",
    "expired": "verlopen",
    "invalidated": "ongeldig verklaard",
    "not_yet_valid": "nog niet ingegaan",
}
EVENTS = {
    "withdrawn": "ingetrokken",
    "expired": "verlopen",
    "invalidated": "ongeldig verklaard",
    "reconfirmed": "opnieuw bevestigd",
}


def _table_page(
    title: str, english: str, head: tuple[str, ...], rows: list[tuple[str, ...]]
) -> bytes:
    """A plain, readable table page in Dutch (with one line of English), no scripts, for the package."""
    cells = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows
    )
    return (
        f'<!doctype html><html lang="nl"><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>body{{font-family:system-ui,sans-serif;margin:2rem}} td,th{{padding:.3rem .6rem;text-align:left}}</style>"
        f'<h1>{html.escape(title)}</h1><p lang="en"><small>{html.escape(english)}</small></p>'
        "<table border=1><tr>"
        + "".join(f"<th>{html.escape(h)}</th>" for h in head)
        + f"</tr>{cells}</table></html>"
    ).encode()


def export_to_folder(
    settings: Settings,
    principal: audit.Principal,
    trajectory_id: uuid.UUID,
    target: Path,
    recording_ids: list[uuid.UUID] | None = None,
) -> dict[str, object]:
    """The whole export onto a mounted stick, in three short transactions around the long work."""
    from vault.db import unit_of_work

    with unit_of_work() as db:
        package = prepare(db, settings, principal, trajectory_id, recording_ids)
    folder = target / package.folder_name
    result = write(package, FolderSink(folder), settings)
    with unit_of_work() as db:
        audit.record(
            db,
            action="export",
            outcome="success",
            actor=principal,
            family_id=package.family_id,
            object_id=trajectory_id,
            object_type="export_package",
            detail={
                "recordings": str(result["recordings"]),
                "remuxed": str(result["remuxed"]),
                "to": "folder",
            },
        )
    return {"folder": str(folder), **result}

"""Exports over HTTP: the trainer builds, follows, downloads, shares and hands over the parents' package;
parents fetch it as a plain ZIP through a link plus a code (no account needed), resumable by HTTP Range
for as long as the link lives (ADR 0015)."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated, Any

import anyio
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse, StreamingResponse
from sqlalchemy import update
from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool

import consent
from keys import KeyDestroyed, TamperedError, ciphertext_size
from vault import audit
from vault.accounts import Principal
from vault.bootstrap import token_secret
from vault.db import DB, keep, release, unit_of_work
from vault.errors import Conflict, ServiceUnavailable, VaultError
from vault.export import service
from vault.export.messages import left_out
from vault.export.models import Export, ExportStatus
from vault.export.schemas import (
    ExportableRecording,
    ExportHandedOver,
    ExportIn,
    ExportLink,
    ExportPublic,
    HandoverIn,
)
from vault.export.service import PackageDamaged, aware, codes
from vault.i18n import N_
from vault.pages import render_page
from vault.routes import operation_ids, problems
from vault.settings import get_settings
from vault.store import BlobNotFound, open_store

router = APIRouter(
    tags=["export"],
    generate_unique_id_function=operation_ids("exports"),
    responses=problems(401, 403),
)
public_router = APIRouter(tags=["export"], include_in_schema=True)


@router.post(
    "/trajectories/{trajectory_id}/exports",
    status_code=202,
    response_model=ExportPublic,
    responses=problems(404, 409, 422),
    summary="Pakket voor de ouders maken / build the parents' package",
)
def create(
    trajectory_id: uuid.UUID, body: ExportIn, principal: Principal, db: DB
) -> dict[str, Any]:
    return service.view(service.create(db, principal, trajectory_id, body))


@router.get(
    "/trajectories/{trajectory_id}/exports",
    response_model=list[ExportPublic],
    operation_id="exports_list",
    responses=problems(404, 422),
    summary="Pakketten van een traject / a trajectory's exports",
)
def list_exports(trajectory_id: uuid.UUID, principal: Principal, db: DB) -> list[dict[str, Any]]:
    return [service.view(e) for e in service.list_exports(db, principal, trajectory_id)]


@router.get(
    "/trajectories/{trajectory_id}/exports/recordings",
    response_model=list[ExportableRecording],
    operation_id="exports_recordings",
    responses=problems(404, 422),
    summary="Opnames die mee kunnen in een pakket / recordings a package can hold",
)
def exportable(trajectory_id: uuid.UUID, principal: Principal, db: DB) -> list[dict[str, Any]]:
    return service.exportable(db, principal, trajectory_id)


@router.get(
    "/exports/{export_id}",
    response_model=ExportPublic,
    responses=problems(404, 422),
    summary="Voortgang van een pakket / an export's progress",
)
def get(export_id: uuid.UUID, principal: Principal, db: DB) -> dict[str, Any]:
    return service.view(service.get(db, principal, export_id))


@router.delete(
    "/exports/{export_id}",
    status_code=204,
    response_class=Response,
    responses=problems(404, 422),
    summary="Annuleren of verwijderen / cancel or remove",
)
def cancel(export_id: uuid.UUID, principal: Principal, db: DB) -> Response:
    service.cancel(db, principal, export_id)
    return Response(status_code=204)


PIECE = 1024 * 1024  # what one ranged read of the stored package opens
CHUNK = 65536  # a sealed chunk's plaintext (docs/object-format.md)


class RangeNotSatisfiable(Exception):
    """The asked range lies outside the package: 416, with the size."""


def _span(request: Request, etag: str, size: int) -> tuple[int, int] | None:
    """The one byte range asked for, [start, end] inclusive, or None for the whole package: no Range,
    an If-Range that no longer matches (the package changed: start again, never a mixed file), several
    ranges, or a header we do not understand (RFC 9110 lets a server ignore those)."""
    asked, if_range = request.headers.get("range"), request.headers.get("if-range")
    if not asked or (if_range is not None and if_range.strip() != etag):
        return None
    unit, _, spec = asked.partition("=")
    first, dash, last = spec.strip().partition("-")
    if unit.strip().lower() != "bytes" or "," in spec or not dash:
        return None
    try:
        if not first.strip():  # the last N bytes
            count = int(last)
            start, end = size - count, size - 1
            if count <= 0:
                raise RangeNotSatisfiable()
            start = max(0, start)
        else:
            start = int(first)
            end = int(last) if last.strip() else size - 1
    except ValueError:
        return None
    if start < 0 or start >= size or end < start:
        raise RangeNotSatisfiable()
    return start, min(end, size - 1)


def _opened(
    db: Session, actor: audit.Principal, export: Export, start: int, end: int
) -> Iterator[bytes]:
    """Plaintext bytes [start, end] of the package, opened at `start` without decrypting what comes
    before (ranged reads of whole chunks, each authenticated). Checked before any answer is given: the
    sizes agree and the header and the first chunk of the range authenticate. A refusal is logged as a
    failed download and committed (the request fails); a package found damaged is no longer ready."""
    if export.status != ExportStatus.ready or export.object_id is None:
        raise Conflict(
            "Het pakket is niet (meer) beschikbaar.", "The package is not available (any more)."
        )
    store = open_store(db, get_settings())
    try:
        try:
            row = store.get(export.object_id)
            if row.size != export.size or store.backend.size(row.name) != ciphertext_size(row.size):
                raise TamperedError("grootte / size")
            # The whole package: one streaming read (bench/parents_download.py: several times cheaper
            # than ranged reads); a range: ranged reads from its first chunk, which is read first.
            if start == 0 and end == row.size - 1:
                whole = store.iter_plaintext(row.id)
                first = next(whole, b"")
            else:
                _, read = store.range_reader(row.id)
                first = read(start, min(CHUNK - start % CHUNK, end + 1 - start))
        except (TamperedError, KeyDestroyed, BlobNotFound):
            raise PackageDamaged() from None
    except VaultError as error:
        _failed(db, export, actor, error.code)
        keep(db)  # the failure is logged even though the request fails
        raise
    if start == 0 and end == row.size - 1:
        return itertools.chain([first], whole)

    def rest() -> Iterator[bytes]:
        offset = start + len(first)
        while offset <= end:
            piece = read(offset, min(PIECE, end + 1 - offset))
            if not piece:
                raise TamperedError("korter dan opgeslagen / shorter than stored")
            yield piece
            offset += len(piece)

    return itertools.chain([first], rest())


def _failed(db: Session, export: Export, actor: audit.Principal | None, reason: str) -> None:
    audit.record(
        db,
        action="download",
        outcome="failure",
        reason=reason,
        actor=actor,
        family_id=export.family_id,
        object_id=export.id,
        object_type="export_package",
    )
    if reason == PackageDamaged.code and export.status == ExportStatus.ready:
        export.status, export.error, export.error_detail = ExportStatus.failed, reason, ""
        audit.record(
            db,
            action="export",
            outcome="failure",
            reason=reason,
            family_id=export.family_id,
            object_id=export.id,
            object_type="export_package",
        )
    db.add(export)


def _outcome(
    export_id: uuid.UUID,
    actor: audit.Principal,
    parents: bool,
    failure: str,
    whole: bool,
    reserved: str | None,
) -> None:
    """Log how a download ended and, for the parents, settle what it reserved (`reserved`: the link's
    token hash when it started): a download that delivered the package's last byte keeps its place as
    one complete download, and the last one allowed spends the link; one that broke off gives it back.
    The request's transaction is over by then, so this is a unit of work of its own."""
    with unit_of_work() as db:
        export = db.get(Export, export_id)
        if export is None:
            return
        if failure:
            _failed(db, export, actor, failure)
        else:
            audit.record(
                db,
                action="download",
                outcome="success",
                actor=actor,
                family_id=export.family_id,
                object_id=export.id,
                object_type="export_package",
                detail={"complete": str(whole).lower()},
            )
        if not parents:
            return
        if failure:
            export.download_failed_at = datetime.now(UTC)
            if reserved is not None:  # given back to the link it was taken from (not a newer one)
                db.execute(
                    update(Export)
                    .where(
                        col(Export.id) == export_id,
                        col(Export.link_token_sha256) == reserved,
                        col(Export.link_downloads) > 0,
                    )
                    .values(link_downloads=col(Export.link_downloads) - 1)
                    .execution_options(synchronize_session=False)
                )
                db.refresh(export)
        elif reserved is not None:
            export.downloaded_at = datetime.now(UTC)
            if (
                export.link_token_sha256 == reserved
                and export.link_downloads >= get_settings().export_link_downloads
            ):
                export.link_used_at = export.link_used_at or datetime.now(UTC)
        db.add(export)


def _reserve(db: Session, export: Export) -> bool:
    """Take one of the link's complete downloads for a download that may become one, by one conditional
    UPDATE committed at once: downloads that start together cannot each count against an old total."""
    done = db.execute(
        update(Export)
        .where(
            col(Export.id) == export.id,
            col(Export.link_used_at).is_(None),
            col(Export.link_token_sha256) == export.link_token_sha256,
            col(Export.link_downloads) < get_settings().export_link_downloads,
        )
        .values(link_downloads=col(Export.link_downloads) + 1)
        .execution_options(synchronize_session=False)
    )
    release(db)  # the reservation is visible to every other download at once
    return bool(done.rowcount == 1)  # type: ignore[attr-defined]  # an UPDATE's Result has rowcount; its stubs do not say so


class _Delivery(StreamingResponse):
    """The package (or the asked range of it) going out. Its outcome is logged when the answer has
    ended, whichever way: success only once the last byte was handed to the server; else a damaged
    chunk, a store error, or a client that went away ("interrupted"). A failure mid-way raises, so the
    server breaks the connection off short of its Content-Length: it never ends looking complete."""

    def __init__(
        self,
        chunks: Iterator[bytes],
        export: Export,
        actor: audit.Principal,
        parents: bool,
        span: tuple[int, int],
        partial: bool,
        whole: bool,
        reserved: str | None,
    ) -> None:
        size, (start, end) = export.size or 0, span
        self._failure = "interrupted"
        self._done = (export.id, actor, parents)
        self._whole, self._reserved = whole, reserved  # see _deliver
        headers = {
            "Content-Disposition": 'attachment; filename="Beeldkluis-opnames.zip"',
            "Cache-Control": "no-store",
            "Accept-Ranges": "bytes",
            "ETag": _etag(export),
            "Content-Length": str(end + 1 - start),
        }
        if partial:
            headers["Content-Range"] = f"bytes {start}-{end}/{size}"
        super().__init__(
            self._passed(chunks),
            status_code=206 if partial else 200,
            media_type="application/zip",
            headers=headers,
        )

    def _passed(self, chunks: Iterator[bytes]) -> Iterator[bytes]:
        try:
            yield from chunks
        except (TamperedError, KeyDestroyed):
            self._failure = PackageDamaged.code
            raise
        except Exception:
            self._failure = "store_failed"
            raise
        self._failure = ""  # asked for more after the last chunk was sent

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            with anyio.CancelScope(shield=True):
                await run_in_threadpool(
                    _outcome, *self._done, self._failure, self._whole, self._reserved
                )


def _etag(export: Export) -> str:
    return f'"{export.sha256}"'


def _deliver(
    db: Session, actor: audit.Principal, export: Export, request: Request, parents: bool
) -> Response:
    """The package, whole or the one range asked for (resuming a broken download); VaultError when it
    cannot be opened (nothing was sent). Every start is logged, with its range."""
    size = export.size or 0
    try:
        asked = _span(request, _etag(export), size)
    except RangeNotSatisfiable:
        return Response(
            status_code=416, headers={"Content-Range": f"bytes */{size}", "Accept-Ranges": "bytes"}
        )
    span = asked or (0, size - 1)
    chunks = _opened(db, actor, export, *span)
    # A complete download: the last byte goes out, in an answer that begins at byte 0 or resumes a
    # download the browser had begun (If-Range matched). A probe of the last bytes does not count. One
    # that may become complete reserves its place first; it gives it back if it breaks off (_outcome).
    resumed = asked is not None and request.headers.get("if-range") is not None  # _span checked it
    whole = span[1] == size - 1 and (span[0] == 0 or resumed)
    reserved = export.link_token_sha256 if parents and whole else None
    if reserved is not None and not _reserve(db, export):
        audit.record(
            db,
            action="download",
            outcome="denied",
            reason="link_invalid",
            actor=actor,
            family_id=export.family_id,
            object_id=export.id,
            object_type="export_package",
        )
        return _page(request, "gone", 410)
    if parents:  # the trainer's own start is logged by the access decision that let them in
        audit.record(
            db,
            action="download",
            outcome="allowed",
            reason="allowed",
            actor=actor,
            family_id=export.family_id,
            object_id=export.id,
            object_type="export_package",
            detail={"bytes": f"{span[0]}-{span[1]}/{size}"},
        )
    return _Delivery(
        chunks,
        export,
        actor,
        parents,
        span,
        partial=asked is not None,
        whole=whole,
        reserved=reserved,
    )


_ZIP = {"application/zip": {"schema": {"type": "string", "format": "binary"}}}
_RANGE_HEADERS = {
    "Accept-Ranges": {"schema": {"type": "string", "enum": ["bytes"]}},
    "ETag": {"schema": {"type": "string"}, "description": "Voor If-Range / for If-Range"},
}
DOWNLOAD = {
    200: {
        "description": "Het hele pakket / the whole package (ZIP)",
        "content": _ZIP,
        "headers": _RANGE_HEADERS,
    },
    206: {
        "description": "Het gevraagde bereik / the range asked for (Range, If-Range)",
        "content": _ZIP,
        "headers": {**_RANGE_HEADERS, "Content-Range": {"schema": {"type": "string"}}},
    },
    416: {
        "description": "Bereik buiten het pakket / range not satisfiable",
        "headers": {"Content-Range": {"schema": {"type": "string", "example": "bytes */1048576"}}},
    },
    **problems(404, 409, 422, 503),
}


@router.get(
    "/exports/{export_id}/download",
    response_class=Response,
    responses=DOWNLOAD,
    summary="Het pakket downloaden (trainer; HTTP Range) / download it (trainer; HTTP Range)",
)
def download(export_id: uuid.UUID, principal: Principal, db: DB, request: Request) -> Response:
    export = service.get(db, principal, export_id)
    return _deliver(db, principal, export, request, parents=False)


@router.post(
    "/exports/{export_id}/link",
    status_code=201,
    response_model=ExportLink,
    responses=problems(404, 409, 422),
    summary="Link en code voor de ouders / link and code for the parents",
)
def create_link(
    export_id: uuid.UUID, principal: Principal, db: DB, request: Request
) -> dict[str, Any]:
    link = service.create_link(db, principal, export_id, str(request.base_url))
    return {
        "url": link.url,
        "code": link.code,
        "expires_at": link.expires_at,
        "downloads_allowed": link.downloads_allowed,
        "note": "Geef de code apart van de link door. / Pass the code on separately from the link.",
    }


@router.post(
    "/exports/{export_id}/handover",
    response_model=ExportHandedOver,
    responses=problems(404, 409, 422),
    summary="Overdracht bevestigen / confirm the hand-over",
)
def handover(
    export_id: uuid.UUID, body: HandoverIn, principal: Principal, db: DB
) -> dict[str, Any]:
    export, today = service.handover(db, principal, export_id, body.how)
    return service.view(export) | {"export_handed_over_on": today.isoformat()}


# The parents' side: plain Dutch pages, no account, no scripts -----------------------------------


GRANT = "ophalen"  # the cookie that says: this browser gave the right code for this link


def _page(
    request: Request,
    state: str,
    status: int = 200,
    left: int | None = None,
    export: Export | None = None,
) -> HTMLResponse:
    """The parents' page in the web app's look, with its strict policy (web/templates/export/parent.html):
    state "form" (enter the code; `left` tries after a wrong one), "ready" (the code was right: the
    download), "gone" (the link no longer works), "damaged" or "unavailable" (nothing was sent)."""
    facts = None
    if export is not None:
        facts = {
            "expires_at": export.link_expires_at,
            "size": export.size or 0,
            "downloaded_at": export.downloaded_at,
            "recordings": export.total - len(left_out(export.skipped)),
            "downloads_left": max(0, get_settings().export_link_downloads - export.link_downloads),
        }
    return render_page(
        request,
        "export/parent.html",
        status=status,
        state=state,
        left=left,
        facts=facts,
        link=request.url.path.removesuffix("/download"),
        heading=N_("Uw video-opnames ophalen"),
    )


def _link(db: Session, token: str) -> Export | None:
    """The export behind a link that can still be used; None for unknown, spent, expired or blocked links."""
    digest = hashlib.sha256(token.encode()).hexdigest()
    export = db.exec(select(Export).where(Export.link_token_sha256 == digest)).first()
    if export is None or export.link_used_at is not None or export.status != ExportStatus.ready:
        return None
    settings = get_settings()
    if (
        aware(export.link_expires_at) <= datetime.now(UTC)
        or export.link_failures >= settings.export_link_attempts
        or export.link_downloads >= settings.export_link_downloads
    ):
        return None
    return export


def _grant(export: Export) -> bytes:
    """The grant cookie's value for this link: an HMAC of the link and its code under the token secret,
    so it opens this link only, and dies with it (a new link has a new token and a new code)."""
    key = hashlib.sha256(b"ophalen:" + token_secret(get_settings()).encode()).digest()
    seed = f"{export.id}:{export.link_token_sha256}:{export.link_code_hash}".encode()
    return hmac.new(key, seed, hashlib.sha256).hexdigest().encode()


def _granted(request: Request, export: Export) -> bool:
    return hmac.compare_digest(
        request.cookies.get(GRANT, "").encode(errors="replace"), _grant(export)
    )


def _normal(code: str) -> str:
    """The code as it was made (`k7mq-x2bd`) from how people type it: capitals, spaces, no dash."""
    plain = "".join(c for c in code.lower() if c.isascii() and c.isalnum())
    return "-".join(plain[i : i + 4] for i in range(0, len(plain), 4))


def _parent(
    export: Export, verified: bool, network: str | None
) -> tuple[audit.Principal, consent.Decision]:
    """The parent as the access rule sees them: no account, their family, and whether the code was right."""
    actor = consent.Actor(uuid.UUID(int=0), consent.Role.parent, None, export.family_id, verified)
    decision = consent.decide(
        actor,
        consent.Action.download,
        consent.Resource(consent.ResourceKind.export, export.family_id),
        datetime.now(UTC),
    )
    return audit.Principal(
        None, "ouder (downloadlink)", consent.Role.parent, network=network
    ), decision


def _network(request: Request) -> str | None:
    return request.client.host if request.client else None


def _refused_link(db: Session, request: Request, token: str) -> HTMLResponse:
    """A link that no longer works; said as "damaged" when its package was found damaged, so the parents
    know a new link alone will not help."""
    audit.record(
        db,
        action="download",
        outcome="denied",
        reason="link_invalid",
        network=_network(request),
        object_type="export_package",
    )
    digest = hashlib.sha256(token.encode()).hexdigest()
    export = db.exec(select(Export).where(Export.link_token_sha256 == digest)).first()
    if export is not None and export.error == PackageDamaged.code:
        return _page(request, "damaged", 409)
    return _page(request, "gone", 410)


@public_router.get(
    "/ophalen/{token}",
    response_class=HTMLResponse,
    summary="Downloadpagina voor ouders / parents' page",
)
def parent_page(token: str, db: DB, request: Request) -> HTMLResponse:
    export = _link(db, token)
    if export is None:
        return _refused_link(db, request, token)
    return (
        _page(request, "ready", export=export)
        if _granted(request, export)
        else _page(request, "form")
    )


@public_router.post(
    "/ophalen/{token}",
    summary="De code geven / give the code",
    response_model=None,
)
def parent_code(
    token: str, code: Annotated[str, Form(max_length=64)], db: DB, request: Request
) -> Response:
    """A right code sets the grant cookie (for this link's path, until it expires) and sends the browser
    back to the page, which now offers the download: no stale error, and a download the browser can
    resume with a plain GET."""
    export = _link(db, token)
    if export is None:
        return _refused_link(db, request, token)
    try:
        verified: bool = codes.verify(export.link_code_hash or "", _normal(code))
    except (VerificationError, InvalidHashError):
        verified = False
    actor, decision = _parent(export, verified, _network(request))
    if not decision.allowed:
        # A wrong code is counted by one conditional UPDATE (unspent, unblocked *now*), so parallel
        # guesses cannot each be counted against an old total.
        counted = _count_failure(db, export)
        audit.record(
            db,
            action="download",
            outcome="denied",
            reason=decision.reason,
            actor=actor,
            family_id=export.family_id,
            object_id=export.id,
            object_type="export_package",
            basis=decision.basis,
        )
        left = 0 if counted is None else max(0, get_settings().export_link_attempts - counted)
        return _page(request, "form", 403, left) if left else _page(request, "gone", 410)
    audit.record(
        db,
        action="download",
        outcome="allowed",
        reason="code_verified",
        actor=actor,
        family_id=export.family_id,
        object_id=export.id,
        object_type="export_package",
        basis=decision.basis,
    )
    page = f"/ophalen/{token}"
    answer = RedirectResponse(page, status_code=303)
    lasts = int((aware(export.link_expires_at) - datetime.now(UTC)).total_seconds())
    answer.set_cookie(
        GRANT,
        _grant(export).decode(),
        max_age=max(1, lasts),
        path=page,
        httponly=True,
        secure=request.url.scheme == "https",
        samesite="lax",
    )
    return answer


@public_router.get(
    "/ophalen/{token}/download",
    summary="Het pakket downloaden (ouders; HTTP Range) / download it (parents; HTTP Range)",
    response_model=None,
)
def parent_download(token: str, db: DB, request: Request) -> Response:
    """The plain ZIP after the code was given in this browser; resumable (Range, If-Range) for as long
    as the link lives. Each start is decided and logged; nothing is sent before the range's first chunk
    authenticated."""
    export = _link(db, token)
    if export is None:
        return _refused_link(db, request, token)
    granted = _granted(request, export)
    actor, decision = _parent(export, granted, _network(request))
    if not granted or not decision.allowed:
        audit.record(
            db,
            action="download",
            outcome="denied",
            reason="code_not_given" if not granted else decision.reason,
            actor=actor,
            family_id=export.family_id,
            object_id=export.id,
            object_type="export_package",
        )
        return _page(request, "form", 403)
    try:
        return _deliver(db, actor, export, request, parents=True)
    except VaultError as error:  # checked before any byte
        return _page(
            request,
            "damaged" if isinstance(error, PackageDamaged) else "unavailable",
            error.status if isinstance(error, (PackageDamaged, ServiceUnavailable)) else 409,
        )


def _count_failure(db: Session, export: Export) -> int | None:
    """Count one wrong code; the new count, or None when the link was already spent, replaced or blocked."""
    done = db.execute(
        update(Export)
        .where(
            col(Export.id) == export.id,
            col(Export.link_used_at).is_(None),
            col(Export.link_token_sha256) == export.link_token_sha256,
            col(Export.link_failures) < get_settings().export_link_attempts,
        )
        .values(link_failures=col(Export.link_failures) + 1)
        .execution_options(synchronize_session=False)
    )
    db.expire(export)
    return export.link_failures if done.rowcount == 1 else None  # type: ignore[attr-defined]  # as above

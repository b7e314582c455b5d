"""The parents' path (issue #22, ADR 0015): link + code open a plain ZIP that any computer or phone
opens without a password; the download resumes by HTTP Range for as long as the link lives; the link
is spent by its expiry date or a number of complete downloads, never by a download that starts. Attacked
first: wrong codes, an expired link, a range past the end, another family's grant, a damaged chunk."""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import subprocess
import time
import uuid
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from keys import HEADER_SIZE, ciphertext_size
from tests.support.api import Api
from tests.support.export import SEALED_CHUNK, damage, downloads, parent_link, ready_export
from tests.support.web import _signed_in
from vault.db import unit_of_work
from vault.export import Export
from vault.settings import get_settings

GRANT = "ophalen"  # the cookie that says this browser gave the right code for this link


def verified(client: httpx.Client | Any, path: str, code: str) -> str:
    """Give the code as a parent would; the grant cookie's value."""
    answer = client.post(path, data={"code": code}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"].endswith(path)
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{GRANT}=")
    assert "httponly" in cookie.lower()
    assert f"path={path}".lower() in cookie.lower()
    return cookie.split(";", 1)[0].split("=", 1)[1]


def package(export_id: str) -> tuple[int, str]:
    with unit_of_work() as db:
        export = db.get(Export, uuid.UUID(export_id))
        assert export is not None
        assert export.size is not None
        assert export.sha256 is not None
        return export.size, export.sha256


def test_the_parents_get_a_zip_that_opens_without_a_password(
    api: Api, server: str, tmp_path: Path
) -> None:
    world = ready_export(api, server, tmp_path, body={})  # the default a trainer gets
    path, code = parent_link(api, world)
    assert len(code.replace("-", "")) == 8
    assert not set(code) & set("01oil")  # nothing to mistake when read aloud

    # The code as people type it: capitals, spaces instead of the dash.
    verified(api.client, path, code.upper().replace("-", " "))
    page = api.client.get(path)
    assert page.status_code == 200
    assert "De code klopt" in page.text
    assert "klopt niet" not in page.text  # no stale error after success
    answer = api.client.get(f"{path}/download")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/zip"
    assert answer.headers["accept-ranges"] == "bytes"
    size, sha256 = package(world["export_id"])
    assert hashlib.sha256(answer.content).hexdigest() == sha256
    assert answer.headers["etag"] == f'"{sha256}"'

    with zipfile.ZipFile(io.BytesIO(answer.content)) as z:  # the standard library: no password
        assert z.testzip() is None
        top = z.namelist()[0].split("/")[0]
        assert "Ze zijn van u." in z.read(f"{top}/LEESMIJ.txt").decode()
        assert not any(i.flag_bits & 0x1 for i in z.infolist())  # no entry is encrypted
    if shutil.which("unzip"):  # Info-ZIP, as Linux and macOS's command line have it
        archive = tmp_path / "pakket.zip"
        archive.write_bytes(answer.content)
        tested = subprocess.run(
            ["unzip", "-t", str(archive)],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert tested.returncode == 0, tested.stdout + tested.stderr
        assert "No errors detected" in tested.stdout

    # A complete download counts, and says so; the link still works for a second computer.
    page = api.client.get(path)
    assert "volledig gedownload" in page.text
    assert api.client.get(f"{path}/download").status_code == 200
    view = api.client.get(f"/api/v1/exports/{world['export_id']}", headers=world["headers"]).json()
    assert view["downloaded_at"] is not None
    assert view["link"]["downloads"] == 2


def test_an_encrypted_download_is_refused_in_dutch(api: Api, server: str, tmp_path: Path) -> None:
    world = ready_export(api, server, tmp_path)
    asked = api.client.post(
        f"/api/v1/trajectories/{world['trajectory']['id']}/exports",
        headers=world["headers"],
        json={"encrypted": True},
    )
    assert asked.status_code == 422, asked.text
    assert "usb-stick" in asked.json()["detail"]


def test_an_interrupted_download_resumes_by_range_and_is_whole(
    api: Api, server: str, tmp_path: Path
) -> None:
    """Over a real HTTP server: the parent's connection breaks after a part; the browser asks for the
    rest with Range and If-Range; the two parts are the package, byte for byte."""
    world = ready_export(api, server, tmp_path)
    path, code = parent_link(api, world)
    size, sha256 = package(world["export_id"])
    with httpx.Client(base_url=server, timeout=30) as parent:
        verified(parent, path, code)
        first = bytearray()
        with parent.stream("GET", f"{path}/download") as answer:
            assert answer.status_code == 200
            assert int(answer.headers["content-length"]) == size
            etag = answer.headers["etag"]
            for piece in answer.iter_raw(65536):
                first += piece
                if len(first) > size // 3:
                    break  # the train goes into a tunnel
        assert 0 < len(first) < size
        rest = parent.get(
            f"{path}/download", headers={"Range": f"bytes={len(first)}-", "If-Range": etag}
        )
        assert rest.status_code == 206, rest.text
        assert rest.headers["content-range"] == f"bytes {len(first)}-{size - 1}/{size}"
        assert int(rest.headers["content-length"]) == size - len(first)
        assert hashlib.sha256(bytes(first) + rest.content).hexdigest() == sha256
        # The outcome is recorded once the server has ended the answer, which may be just after the
        # client read its last byte: wait for it rather than race it.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and ("success", "") not in downloads(world):
            time.sleep(0.2)
        view = api.client.get(
            f"/api/v1/exports/{world['export_id']}", headers=world["headers"]
        ).json()
        assert view["link"]["used"] is False  # starting (and breaking off) does not spend the link
        assert view["downloaded_at"] is not None  # the resumed download finished the package

        # A range in the middle, and one counted from the end (probes: no complete download).
        middle = parent.get(f"{path}/download", headers={"Range": "bytes=70000-70009"})
        assert middle.status_code == 206
        tail = parent.get(f"{path}/download", headers={"Range": "bytes=-10"})
        assert tail.status_code == 206
        assert tail.headers["content-range"] == f"bytes {size - 10}-{size - 1}/{size}"
        # A validator that no longer matches gets the whole package again, not a mixed file.
        whole = parent.get(
            f"{path}/download", headers={"Range": "bytes=100-", "If-Range": '"other"'}
        )
        assert whole.status_code == 200
        assert len(whole.content) == size
        assert middle.content == whole.content[70000:70010]
        assert tail.content == whole.content[-10:]
    assert downloads(world).count(("allowed", "allowed")) == 5  # every start is logged


def test_a_range_past_the_end_is_416(api: Api, server: str, tmp_path: Path) -> None:
    world = ready_export(api, server, tmp_path)
    path, code = parent_link(api, world)
    verified(api.client, path, code)
    size, _ = package(world["export_id"])
    answer = api.client.get(f"{path}/download", headers={"Range": f"bytes={size}-"})
    assert answer.status_code == 416
    assert answer.headers["content-range"] == f"bytes */{size}"
    assert api.client.get(f"{path}/download", headers={"Range": "bytes=9-3"}).status_code == 416


def test_a_grant_for_one_familys_link_opens_no_other(api: Api, server: str, tmp_path: Path) -> None:
    ours = ready_export(api, server, tmp_path / "a")
    theirs = ready_export(api, server, tmp_path / "b")
    our_path, our_code = parent_link(api, ours)
    their_path, _ = parent_link(api, theirs)
    grant = verified(api.client, our_path, our_code)
    api.client.cookies.clear()
    stolen = api.client.get(
        f"{their_path}/download", headers={"Range": "bytes=0-", "Cookie": f"{GRANT}={grant}"}
    )
    assert stolen.status_code == 403
    assert stolen.headers["content-type"].startswith("text/html")
    assert b"PK" not in stolen.content[:4]
    assert "Vul de code in" in stolen.text
    assert ("denied", "code_not_given") in downloads(theirs)
    assert all(o != "success" for o, _ in downloads(theirs))
    # Without any grant: the same.
    assert api.client.get(f"{their_path}/download").status_code == 403


def test_wrong_codes_block_the_link_and_an_expired_link_is_gone(
    api: Api, server: str, tmp_path: Path
) -> None:
    world = ready_export(api, server, tmp_path)
    path, code = parent_link(api, world)
    for left in range(get_settings().export_link_attempts - 1, 0, -1):
        wrong = api.client.post(path, data={"code": "aaaa-aaaa"})
        assert wrong.status_code == 403
        assert f"nog {left} keer" in wrong.text
    assert api.client.post(path, data={"code": "aaaa-aaaa"}).status_code == 410
    assert api.client.post(path, data={"code": code}, follow_redirects=False).status_code == 410

    path, code = parent_link(api, world)  # a new link, and its grant
    verified(api.client, path, code)
    with unit_of_work() as db:
        export = db.get(Export, uuid.UUID(world["export_id"]))
        assert export is not None
        export.link_expires_at = datetime.now(UTC) - timedelta(seconds=1)
        db.add(export)
    gone = api.client.get(f"{path}/download", headers={"Range": "bytes=0-"})
    assert gone.status_code == 410
    assert "werkt niet meer" in gone.text
    assert api.client.get(path).status_code == 410


def test_the_link_is_spent_after_its_complete_downloads(
    api: Api, server: str, tmp_path: Path
) -> None:
    world = ready_export(api, server, tmp_path)
    path, code = parent_link(api, world)
    verified(api.client, path, code)
    for _ in range(get_settings().export_link_downloads):
        assert api.client.get(f"{path}/download").status_code == 200
    assert api.client.get(f"{path}/download").status_code == 410
    view = api.client.get(f"/api/v1/exports/{world['export_id']}", headers=world["headers"]).json()
    assert view["link"]["used"] is True
    assert downloads(world).count(("success", "")) == get_settings().export_link_downloads


def test_a_damaged_chunk_breaks_a_ranged_download_off(
    api: Api, server: str, tmp_path: Path
) -> None:
    """A chunk that no longer authenticates, in the middle of the requested range: the answer has
    started (the range's first chunk was fine), so it breaks off and never ends looking complete; a
    range that starts in the damaged chunk is refused before the first byte."""
    world = ready_export(api, server, tmp_path)
    path, code = parent_link(api, world)
    size, _ = package(world["export_id"])
    damage(world["export_id"], "middle")
    broken = (
        (ciphertext_size(size) - HEADER_SIZE) // SEALED_CHUNK // 2 * 65536
    )  # as `damage` counts
    with httpx.Client(base_url=server, timeout=30) as parent:
        verified(parent, path, code)
        got = bytearray()
        with (  # noqa: PT012 - the answer starts, then breaks off part way
            pytest.raises(httpx.HTTPError),
            parent.stream("GET", f"{path}/download", headers={"Range": "bytes=10-"}) as answer,
        ):
            assert answer.status_code == 206
            for piece in answer.iter_raw(65536):
                got += piece
        assert len(got) < size - 10
        refused = parent.get(f"{path}/download", headers={"Range": f"bytes={broken + 5}-"})
        assert refused.status_code == 409
        assert "beschadigd" in refused.text
    outcomes = downloads(world)
    assert ("failure", "package_damaged") in outcomes
    assert ("success", "") not in outcomes


def test_the_privacy_log_names_the_parents_download_in_dutch(
    api: Api, server: str, tmp_path: Path
) -> None:
    """The officer reads who downloaded the package as "Ouder", through the real link and code."""
    world = ready_export(api, server, tmp_path, body={})
    path, code = parent_link(api, world)
    verified(api.client, path, code)
    assert api.client.get(f"{path}/download").status_code == 200
    _signed_in(api, "privacy_officer")
    log = api.client.get("/privacy?handeling=download", headers={"accept": "text/html"})
    assert log.status_code == 200
    roles = [r.strip() for r in re.findall(r"<br><small>([^<·]*)", log.text)]
    assert "Ouder" in roles, roles
    assert "parent" not in roles

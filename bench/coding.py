"""Coding latency (issue #23): on the trainer's recording page, a code's key pressed on a paused frame
until the annotation is stored (the POST's response has arrived in the page) and until it is drawn (its
row is in the list and the page has painted it), measured in Chromium with performance.now(); against,
in the same run and the same database table, a plain SQLAlchemy core INSERT of the same row with its
commit, and the bare API POST of the annotation over HTTP (httpx, no browser; once with a bearer token
as API clients send it, once with the page's own session cookie and CSRF header as the page sends it).
Prints the median and p95 of each and their ratios to the INSERT; asserts no time.

Beeldkluis runs as `beeldkluis serve` on its embedded defaults (SQLite, the local store, its own
workers) in a temporary data directory; the recording is a short generated video, imported through tus
and verified by the embedded worker, and the page plays it through the stream worker as in real use.

    python bench/coding.py [--presses 50] [--height 720] [--pause-ms 150] [--postgres]

The key's time is the keydown event's own timeStamp (when the browser made the event, before the page's
handler ran); "stored" is the responseEnd of the POST's resource timing entry (the server has committed
the row and its audit record before it answers); "drawn" is the first task after the animation frame
that follows the row's insertion into the list, by when the renderer's main thread has produced the
frame showing it (the compositor's hand-over to the screen is not in it). The measurements take turns,
press by press, so all see the same machine load; the machine's load average is printed with them.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent.parent))

PASSWORD = "een lang en geheim wachtwoord"  # noqa: S105 - a throwaway account in a temporary vault
RATE = 25

# The page's own clock: the keydown's timeStamp, the row's insertion into the list (the annotations
# script rebuilds the list in the task that handles the POST's response), the animation frame after it
# and the first task after that frame (by then the frame with the row has been produced).
INSTRUMENT = """() => {
  performance.setResourceTimingBufferSize(100000);
  const b = window.__bench = {keys: [], handled: [], rows: [], frames: [], drawn: []};
  window.addEventListener('keydown', e => {
    if (e.key === 'i') { b.keys.push(e.timeStamp); b.handled.push(performance.now()); }
  }, true);
  const body = document.querySelector('#annotation-list tbody');
  let seen = body.rows.length;
  new MutationObserver(() => {
    if (body.rows.length <= seen) { return; }
    seen = body.rows.length;
    b.rows.push(performance.now());
    requestAnimationFrame(ts => {
      b.frames.push(ts);
      const channel = new MessageChannel();
      channel.port1.onmessage = () => b.drawn.push(performance.now());
      channel.port2.postMessage(0);
    });
  }).observe(body, {childList: true});
}"""
# The POST that stored press n: the annotations URL fetched after its key.
STORED = """([url, n]) => {
  const key = window.__bench.keys[n];
  const posts = performance.getEntriesByType('resource')
    .filter(e => e.name.endsWith(url) && e.initiatorType === 'fetch' && e.startTime >= key);
  const p = posts[0];
  return p ? [p.startTime, p.responseEnd, p.responseStart - p.requestStart] : null;
}"""
READY = "() => document.getElementById('video').readyState >= 2"
ON_FRAME = """([n, rate]) => { const v = document.getElementById('video');
  return !v.seeking && v.readyState >= 2 && Math.floor(v.currentTime * rate + 1e-3) === n; }"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--presses", type=int, default=50)
    parser.add_argument("--height", type=int, default=720)
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="a fresh database on the test services' PostgreSQL (make bench) instead of SQLite",
    )
    parser.add_argument(
        "--pause-ms",
        type=int,
        default=150,
        help="idle time on the new frame before each key, as a trainer looks before coding",
    )
    args = parser.parse_args()
    chromium_path = shutil.which("chromium")
    if chromium_path is None:
        sys.exit("Debian's chromium is not installed: deploy/services.sh install installs it")
    services_db = os.environ.get("BEELDKLUIS_TEST_DATABASE_URL", "")
    if args.postgres and not services_db:
        sys.exit("--postgres needs the test services: make bench, or source their env file")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for key in [k for k in os.environ if k.startswith("BEELDKLUIS_")]:
            del os.environ[key]
        os.environ["BEELDKLUIS_DATA_DIR"] = str(root / "data")
        database = "SQLite"
        if args.postgres:
            from sqlalchemy import create_engine, make_url, text

            name = f"bench_coding_{uuid.uuid4().hex[:8]}"
            admin = create_engine(services_db, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            os.environ["BEELDKLUIS_DATABASE_URL"] = (
                make_url(services_db).set(database=name).render_as_string(hide_password=False)
            )
            database = "PostgreSQL"
        try:
            run(args, root, database)
        finally:
            if args.postgres:
                from vault.db import dispose_engines

                dispose_engines()
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))


def run(args: argparse.Namespace, root: Path, database: str) -> None:
    n = args.presses
    chromium_path = shutil.which("chromium")
    assert chromium_path is not None  # noqa: S101 - checked by main()
    import httpx
    import pyotp
    from playwright.sync_api import sync_playwright
    from sqlalchemy import insert, select

    from vault.accounts import create_user
    from vault.annotations.models import Annotation
    from vault.bootstrap import prepare
    from vault.db import get_engine, unit_of_work
    from vault.domain.models import Organisation
    from vault.settings import get_settings

    prepare(get_settings())
    with unit_of_work() as db:
        org = Organisation(name="GGD Hollands Midden")
        db.add(org)
        db.flush()
        user, uri = create_user(
            db,
            organisation_id=org.id,
            email="ria@example.org",
            name="Ria de Vries",
            role="trainer",
            password=PASSWORD,
        )
        user_id = user.id
    totp = pyotp.TOTP(pyotp.parse_uri(uri).secret)

    # One recording, frames 1..n for the browser, then n each for the API POST with a token, the API
    # POST with the page's session cookie and the INSERT.
    seconds = max(4, -(-(4 * n + 2 * RATE) // RATE))
    video = root / "MVI_0001.MP4"
    width = args.height * 16 // 9
    subprocess.run(  # noqa: S603 - our own argv
        [
            "ffmpeg",
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            f"testsrc2=size={width}x{args.height}:rate={RATE}:duration={seconds}",
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency=440:duration={seconds}",
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-shortest",
            str(video),
        ],
        check=True,
    )

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(root / "serve.log", "wb")  # noqa: SIM115 - open for the server's whole life
    server = subprocess.Popen(  # noqa: S603 - our own argv
        [sys.executable, "-m", "vault.cli", "serve", "--port", str(port)],
        env=os.environ.copy(),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{base}/api/v1/version").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None, (root / "serve.log").read_text()[-3000:]  # noqa: S101
            time.sleep(0.1)
        world = recording_of_a_family(base, totp, video)
        recording_id = world["recording_id"]
        url = f"/api/v1/recordings/{recording_id}/annotations"
        api = httpx.Client(base_url=base, headers=world["headers"], timeout=60)

        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=chromium_path, args=["--no-sandbox"]
            )
            context = chromium.new_context(viewport={"width": 1180, "height": 820}, locale="nl-NL")
            context.set_default_timeout(60_000)
            page = context.new_page()
            page.goto(base + "/aanmelden")
            page.get_by_label("E-mailadres").fill("ria@example.org")
            page.get_by_label("Wachtwoord").fill(PASSWORD)
            # each code works once: the API signed in with this window's
            page.get_by_label("Code uit de authenticator-app").fill(
                totp.at(time.time() + totp.interval)
            )
            page.get_by_role("button", name="Aanmelden").click()
            page.wait_for_load_state()
            page.goto(f"{base}/opnames/{recording_id}")
            page.wait_for_function(READY, timeout=180_000)
            page.wait_for_function(
                "() => document.getElementById('annotations').dataset.loaded === '1'"
            )
            page.keyboard.press("2")  # the parent acts
            page.evaluate(INSTRUMENT)
            # The page's own session (its cookie and CSRF header) for the second bare POST.
            session = httpx.Client(
                base_url=base,
                cookies={c["name"]: c["value"] for c in context.cookies(base)},
                headers={
                    "X-CSRF-Token": page.get_attribute('meta[name="csrf-token"]', "content") or ""
                },
                timeout=60,
            )

            load = os.getloadavg()
            engine = get_engine()
            codebook_id = None
            insert_s, post_s, cookie_s, stored_ms, drawn_ms = [], [], [], [], []
            handled_ms, fetch_ms = [], []  # key to the page's handler, key to the fetch
            waited_ms = []  # the POST's request sent to its response's first byte
            listed_ms = []  # key to the row in the list (before the frame that paints it)
            for i in range(n):
                # The key on the browser's page: step a frame, look, press.
                page.keyboard.press(".")
                page.wait_for_function(ON_FRAME, arg=[i + 1, RATE])
                page.wait_for_timeout(args.pause_ms)
                page.keyboard.press("i")
                page.wait_for_function("(k) => window.__bench.drawn.length >= k", arg=i + 1)
                key = page.evaluate("(k) => window.__bench.keys[k]", i)
                stored = page.evaluate(STORED, [url, i])
                drawn = page.evaluate("(k) => window.__bench.drawn[k]", i)
                handled = page.evaluate("(k) => window.__bench.handled[k]", i)
                listed_ms.append(page.evaluate("(k) => window.__bench.rows[k]", i) - key)
                if stored is None:
                    sys.exit(f"press {i + 1}: no POST of the annotation seen in the page")
                fetch_ms.append(stored[0] - key)
                waited_ms.append(stored[2])
                stored = stored[1]
                stored_ms.append(stored - key)
                drawn_ms.append(drawn - key)
                handled_ms.append(handled - key)

                # The bare API POST of the same annotation, another frame.
                t = time.perf_counter()
                made = api.post(
                    url, json={"frame_in": n + 1 + i, "code": "initiatief", "actor": "ouder"}
                )
                post_s.append(time.perf_counter() - t)
                if made.status_code != 201:
                    sys.exit(f"API POST refused: {made.status_code} {made.text}")

                # The same POST with the browser's session cookie and CSRF header.
                t = time.perf_counter()
                made = session.post(
                    url,
                    json={"frame_in": 2 * n + 1 + i, "code": "initiatief", "actor": "ouder"},
                )
                cookie_s.append(time.perf_counter() - t)
                if made.status_code != 201:
                    sys.exit(f"API POST with the cookie refused: {made.status_code} {made.text}")

                # The plain INSERT of the same row into the same table, and its commit.
                if codebook_id is None:
                    with engine.connect() as conn:
                        codebook_id = conn.execute(
                            select(Annotation.__table__.c.codebook_id).limit(1)
                        ).scalar_one()
                now = datetime.now(UTC)
                row = {
                    "id": uuid.uuid4(),
                    "recording_id": uuid.UUID(recording_id),
                    "codebook_id": codebook_id,
                    "frame_in": 3 * n + 1 + i,
                    "frame_out": None,
                    "rate_num": RATE,
                    "rate_den": 1,
                    "code": "initiatief",
                    "actor": "ouder",
                    "modifiers": "[]",
                    "note": "",
                    "created_by": user_id,
                    "created_at": now,
                    "updated_at": now,
                }
                t = time.perf_counter()
                with engine.connect() as conn:
                    conn.execute(insert(Annotation.__table__).values(**row))
                    conn.commit()
                insert_s.append(time.perf_counter() - t)

            lanes = page.locator(".timeline .lane[data-actor='ouder'] .mark").count()
            rows = page.locator("#annotation-list tbody tr").count()
            session.close()
            context.close()
            chromium.close()

        # Honest numbers only: the page stored what it was asked, on the frames it showed.
        listed = api.get(url).json()["items"]
        api.close()
        coded = sorted(
            a["frame_in"]
            for a in listed
            if a["frame_in"] <= n and (a["code"], a["actor"]) == ("initiatief", "ouder")
        )
        if coded != list(range(1, n + 1)) or lanes != n or rows != n or len(listed) != 4 * n:
            sys.exit(
                f"the page did not code what it was asked: frames {coded}, {lanes} marks, "
                f"{rows} rows, {len(listed)} stored"
            )
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.close()

    base_ms = statistics.median(insert_s) * 1000
    print(
        f"coding latency, {n} key presses on a paused {args.height}p recording "
        f"(frame stepped between them), embedded defaults on {database}, headless Chromium:"
    )
    print(f"  {'':34} {'median':>9} {'p95':>9}  median / INSERT")
    for label, values in [
        (f"plain INSERT + commit ({database})", [s * 1000 for s in insert_s]),
        ("API POST (httpx, token)", [s * 1000 for s in post_s]),
        ("API POST (httpx, page's cookie)", [s * 1000 for s in cookie_s]),
        ("key -> stored (POST response)", stored_ms),
        ("key -> drawn (row painted)", drawn_ms),
    ]:
        m = statistics.median(values)
        print(f"  {label:34} {m:7.1f} ms {p95(values):6.1f} ms  {m / base_ms:6.1f}x")
    to_list = [r - s for r, s in zip(listed_ms, stored_ms, strict=True)]
    to_paint = [d - r for d, r in zip(drawn_ms, listed_ms, strict=True)]
    in_flight = [s - f for s, f in zip(stored_ms, fetch_ms, strict=True)]
    med = statistics.median
    print("  where key -> drawn goes (medians):")
    print(f"    key to the page's handler          {med(handled_ms):7.1f} ms")
    print(f"    key to the POST's start            {med(fetch_ms):7.1f} ms")
    print(
        f"    the POST in the browser            {med(in_flight):7.1f} ms "
        f"(request sent to first byte back {med(waited_ms):.1f} ms)"
    )
    print(f"    response to the row in the list    {med(to_list):7.1f} ms")
    print(f"    row in the list to painted         {med(to_paint):7.1f} ms")
    print(
        f"  load average (1, 5, 15 min) before the presses {' '.join(f'{x:.2f}' for x in load)}, "
        f"after {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cores)"
    )


def recording_of_a_family(base: str, totp: Any, video: Path) -> dict[str, Any]:
    """Through the API as a trainer does it: a family, an active trajectory, the card's file through
    tus; then wait until the embedded worker has verified it and made its proxy (so no background job
    competes with the measurements)."""
    import httpx
    from tusclient import client as tus

    token = httpx.post(
        f"{base}/api/v1/auth/sign-in",
        json={"email": "ria@example.org", "password": PASSWORD, "totp": totp.now()},
    )
    token.raise_for_status()
    h = {"Authorization": f"Bearer {token.json()['access_token']}"}
    with httpx.Client(base_url=base, headers=h, timeout=60) as c:
        family = c.post("/api/v1/families").json()
        child = c.post(
            f"/api/v1/families/{family['id']}/people",
            json={"kind": "child", "birth_date": "2024-01-02"},
        ).json()
        mother = c.post(f"/api/v1/families/{family['id']}/people", json={"kind": "parent"}).json()
        c.post(
            f"/api/v1/families/{family['id']}/authorities",
            json={"child_id": child["id"], "parent_id": mother["id"]},
        ).raise_for_status()
        trajectory = c.post(
            f"/api/v1/families/{family['id']}/trajectories", json={"type": "k_vht"}
        ).json()
        c.patch(
            f"/api/v1/trajectories/{trajectory['id']}", json={"phase": "active"}
        ).raise_for_status()
        with open(video, "rb") as stream:
            uploader = tus.TusClient(f"{base}/api/v1/uploads", headers=h).uploader(
                file_stream=stream,
                chunk_size=16 * 1024 * 1024,
                metadata={
                    "trajectory": trajectory["id"],
                    "filename": video.name,
                    "situation": "bath",
                    "sha256": hashlib.sha256(video.read_bytes()).hexdigest(),
                },
            )
            uploader.upload()
        upload = str(uploader.url).rstrip("/").rsplit("/", 1)[-1]
        deadline = time.monotonic() + 600
        while True:
            status = c.get(f"/api/v1/uploads/{upload}").json()
            if status["status"] == "stored":
                recording = c.get(f"/api/v1/recordings/{status['recording_id']}").json()
                if recording.get("proxy_object_id"):
                    break
            if status["status"] == "rejected":
                sys.exit(f"the import failed: {status}")
            if time.monotonic() > deadline:
                sys.exit(f"the import did not finish: {status}")
            time.sleep(0.5)
    return {"recording_id": status["recording_id"], "headers": h}


if __name__ == "__main__":
    main()

"""The attacks of issue #19 against real MinIO and PostgreSQL, with the service's own S3 credentials: hiding
checkpoints behind delete markers or replaying an old signed checkpoint as a new version, then rewriting a
record and its hash. `beeldkluis audit verify` and `/api/v1/audit/verify` must fail and say what was done."""

from __future__ import annotations

import io
import json

import pytest
from minio import Minio
from sqlalchemy import text
from sqlmodel import Session
from typer.testing import CliRunner

from keys import LocalSigningKey
from tests.support.api import Api
from vault import audit
from vault.audit.cli import app as audit_cli
from vault.db import engine_for, unit_of_work
from vault.settings import get_settings
from vault.store import backend_from_settings

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


def _grow(n: int) -> dict[str, object]:
    with unit_of_work() as db:
        for i in range(n):
            audit.record(
                db, action="view", outcome="allowed", object_id=f"o{i}", object_type="recording"
            )
    settings = get_settings()
    with unit_of_work() as db:
        return audit.checkpoint(
            db, backend_from_settings(settings), LocalSigningKey.open(settings.signing_key_file)
        )


def _three_checkpoints(api: Api) -> tuple[dict[str, str], list[str]]:
    headers = api.as_(api.account("privacy_officer"))
    names = [str(_grow(n)["name"]) for n in (3, 4, 5)]
    return headers, names


def _client(s3_env: dict[str, str]) -> Minio:
    """A client with exactly the credentials the service itself uses."""
    return Minio(
        s3_env["BEELDKLUIS_S3_ENDPOINT"],
        access_key=s3_env["BEELDKLUIS_S3_ACCESS_KEY"],
        secret_key=s3_env["BEELDKLUIS_S3_SECRET_KEY"],
        secure=False,
    )


def _rewrite_record(seq: int) -> None:
    """Edit a record in the database and recompute its hash, as someone with database access would."""
    engine = engine_for(get_settings().effective_database_url)
    with Session(engine) as session:
        row = session.get(audit.AuditRecord, seq)
        assert row is not None
        row.user_name = "Iemand anders"
        leaf = row.compute_leaf()
        session.rollback()
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE audit_record DISABLE TRIGGER audit_record_no_change"))
        conn.execute(
            text(
                "UPDATE audit_record SET user_name = 'Iemand anders', leaf_hash = :h WHERE seq = :s"
            ),
            {"h": leaf, "s": seq},
        )
        conn.execute(text("ALTER TABLE audit_record ENABLE TRIGGER audit_record_no_change"))


def _both_fail(api: Api, headers: dict[str, str], *expected: str) -> None:
    result = CliRunner().invoke(audit_cli, ["verify"])
    assert result.exit_code == 1, result.output
    assert "NIET ongeschonden" in result.output
    assert "De log is ongeschonden." not in result.output
    body = api.client.get("/api/v1/audit/verify", headers=headers)
    assert body.status_code == 200, body.text
    report = body.json()
    assert report["ok"] is False
    for words in expected:
        assert words in result.output, result.output
        assert any(words in p for p in report["problems"]), report["problems"]


def test_an_honest_log_verifies(s3_env: dict[str, str], api: Api) -> None:
    headers, names = _three_checkpoints(api)
    result = CliRunner().invoke(audit_cli, ["verify"])
    assert result.exit_code == 0, result.output
    assert "De log is ongeschonden." in result.output
    assert (
        names[-1] in result.output
    )  # the expected latest checkpoint is printed, to be kept elsewhere
    report = api.client.get("/api/v1/audit/verify", headers=headers).json()
    assert report["ok"] is True, report["problems"]
    assert report["checkpoints"] == 3
    assert report["expected_checkpoint"]["name"] == names[-1]


def test_checkpoints_hidden_by_delete_markers(s3_env: dict[str, str], api: Api) -> None:
    headers, names = _three_checkpoints(api)
    client = _client(s3_env)
    for name in names[1:]:
        client.remove_object(
            s3_env["BEELDKLUIS_WORM_BUCKET"], name
        )  # a plain DELETE: a marker is added
    assert list(backend_from_settings(get_settings()).worm_names(audit.PREFIX)) == names[:1]
    _rewrite_record(5)
    _both_fail(
        api, headers, "verwijdermarkering", "delete marker", "wijkt af van de ondertekende boom"
    )


def test_an_old_checkpoint_replayed_as_a_new_version(s3_env: dict[str, str], api: Api) -> None:
    headers, names = _three_checkpoints(api)
    client = _client(s3_env)
    bucket = s3_env["BEELDKLUIS_WORM_BUCKET"]
    old = client.get_object(bucket, names[0])
    replay = old.read()
    old.close()
    old.release_conn()
    for name in names[1:]:
        client.put_object(bucket, name, io.BytesIO(replay), len(replay))
    _rewrite_record(5)
    _both_fail(api, headers, "overschreven", "overwritten", "wijkt af van de ondertekende boom")


def test_a_replay_under_a_new_name_and_a_cut_chain(s3_env: dict[str, str], api: Api) -> None:
    """An old checkpoint copied to a new name fails its signed name."""
    headers, names = _three_checkpoints(api)
    client = _client(s3_env)
    bucket = s3_env["BEELDKLUIS_WORM_BUCKET"]
    old = client.get_object(bucket, names[1])
    replay = old.read()
    old.close()
    old.release_conn()
    forged = names[1].rsplit("-", 1)[0] + "-1.json"
    client.put_object(bucket, forged, io.BytesIO(replay), len(replay))
    client.remove_object(bucket, names[2])
    _both_fail(api, headers, "replay", "verwijdermarkering")
    head = json.loads(replay)
    assert head["previous"]["name"] == names[0]


def test_the_public_key_and_proofs_against_signed_checkpoints(
    s3_env: dict[str, str], api: Api
) -> None:
    headers, names = _three_checkpoints(api)
    published = api.client.get("/api/v1/audit/public-key")  # public: no sign-in
    assert published.status_code == 200
    key = published.json()
    assert key["key_id"] == LocalSigningKey.open(get_settings().signing_key_file).key_id
    assert (get_settings().data_dir / "audit-public-key.pem").read_text() == key["public_key_pem"]
    proof = api.client.get(
        f"/api/v1/audit/records/2/proof?checkpoint={names[0]}", headers=headers
    ).json()
    assert proof["checkpoint"]["object_name"] == names[0]
    assert proof["checkpoint"]["signature"]
    both = api.client.get(
        f"/api/v1/audit/proofs/consistency?from={names[0]}&to={names[2]}", headers=headers
    )
    assert both.status_code == 200, both.text
    assert both.json()["from"]["object_name"] == names[0]
    assert both.json()["proof"]
    missing = api.client.get(
        "/api/v1/audit/proofs/consistency?from=checkpoints/x&to=checkpoints/y", headers=headers
    )
    assert missing.status_code == 404
    assert missing.json()["detail_en"] == "Unknown checkpoint."
    later = api.client.get("/api/v1/audit/records/100000/proof", headers=headers)
    assert later.status_code == 404

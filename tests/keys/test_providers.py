"""Master key providers: the local 0600 file and the transit engine's HTTP API."""

from __future__ import annotations

import base64
import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from keys import LocalMasterKey, ProviderUnavailable, TamperedError, TransitMasterKey, UnsafeKeyFile


def test_created_with_mode_0600_and_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "master.key"
    provider = LocalMasterKey.create(path)
    assert path.stat().st_mode & 0o777 == 0o600
    wrapped = provider.wrap(b"k" * 32, b"aad")
    assert provider.unwrap(wrapped, b"aad") == b"k" * 32
    assert LocalMasterKey(path).unwrap(wrapped, b"aad") == b"k" * 32
    with pytest.raises(TamperedError):
        provider.unwrap(wrapped, b"other aad")


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644, 0o660])
def test_refuses_a_readable_key_file(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "master.key"
    LocalMasterKey.create(path)
    path.chmod(mode)
    with pytest.raises(UnsafeKeyFile, match="te ruim"):
        LocalMasterKey(path)


def test_refuses_a_malformed_key_file(tmp_path: Path) -> None:
    path = tmp_path / "master.key"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, b"not json")
    os.close(fd)
    with pytest.raises(UnsafeKeyFile):
        LocalMasterKey(path)


def test_rotate_rewrap_and_trim(tmp_path: Path) -> None:
    provider = LocalMasterKey.create(tmp_path / "master.key")
    old = provider.wrap(b"x" * 32, b"a")
    assert provider.rotate() == 2
    new = provider.rewrap(old, b"a")
    assert new != old
    assert provider.unwrap(new, b"a") == b"x" * 32
    provider.trim(2)
    with pytest.raises(TamperedError, match="bestaat niet meer"):
        LocalMasterKey(provider.path).unwrap(old, b"a")  # an old backup copy is now useless
    assert LocalMasterKey(provider.path).unwrap(new, b"a") == b"x" * 32
    assert "x" * 32 not in repr(provider)


class TransitServer(BaseHTTPRequestHandler):
    """Implements the transit endpoints we use, per the OpenBao/Vault API docs (versioned AES-GCM keys,
    `vault:vN:` ciphertexts, associated_data, rotate, min_decryption_version, trim)."""

    keys: dict[int, bytes] = {}
    latest = 0
    min_decryption = 1
    token = "s.test-token"

    def log_message(self, *args: object) -> None:
        pass

    def _reply(self, status: int, body: dict[str, object] | None = None) -> None:
        raw = json.dumps(body or {}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def _encrypt(self, version: int, plain: bytes, aad: bytes) -> str:
        nonce = os.urandom(12)
        return (
            f"vault:v{version}:"
            + base64.b64encode(
                nonce + AESGCM(self.keys[version]).encrypt(nonce, plain, aad)
            ).decode()
        )

    def _decrypt(self, ciphertext: str, aad: bytes) -> bytes | None:
        _, v, blob = ciphertext.split(":", 2)
        version = int(v[1:])
        if version < type(self).min_decryption or version not in self.keys:
            return None
        raw = base64.b64decode(blob)
        try:
            return AESGCM(self.keys[version]).decrypt(raw[:12], raw[12:], aad)
        except Exception:  # noqa: BLE001
            return None

    def do_GET(self) -> None:  # noqa: N802
        if self.headers.get("X-Vault-Token") != self.token:
            return self._reply(403)
        self._reply(200, {"data": {"latest_version": type(self).latest}})

    def do_POST(self) -> None:  # noqa: N802
        cls = type(self)
        if self.headers.get("X-Vault-Token") != self.token:
            return self._reply(403, {"errors": ["permission denied"]})
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
        aad = base64.b64decode(body.get("associated_data", ""))
        action = self.path.split("/")[3]
        if action == "encrypt":
            return self._reply(
                200,
                {
                    "data": {
                        "ciphertext": self._encrypt(
                            cls.latest, base64.b64decode(body["plaintext"]), aad
                        )
                    }
                },
            )
        if action in ("decrypt", "rewrap"):
            plain = self._decrypt(body["ciphertext"], aad)
            if plain is None:
                return self._reply(400, {"errors": ["cipher: message authentication failed"]})
            if action == "decrypt":
                return self._reply(200, {"data": {"plaintext": base64.b64encode(plain).decode()}})
            return self._reply(200, {"data": {"ciphertext": self._encrypt(cls.latest, plain, aad)}})
        if self.path.endswith("/rotate"):
            cls.latest += 1
            cls.keys[cls.latest] = AESGCM.generate_key(256)
            return self._reply(204)
        if self.path.endswith("/config"):
            cls.min_decryption = int(body["min_decryption_version"])
            return self._reply(204)
        if self.path.endswith("/trim"):
            for v in [v for v in cls.keys if v < int(body["min_available_version"])]:
                del cls.keys[v]
            return self._reply(204)
        return self._reply(404)


@pytest.fixture
def transit() -> Iterator[str]:
    TransitServer.keys = {1: AESGCM.generate_key(256)}
    TransitServer.latest = 1
    TransitServer.min_decryption = 1
    server = ThreadingHTTPServer(("127.0.0.1", 0), TransitServer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_transit_provider_round_trip_rotate_trim(transit: str) -> None:
    provider = TransitMasterKey(transit, TransitServer.token, "beeldkluis")
    assert TransitServer.token not in repr(provider)
    wrapped = provider.wrap(b"f" * 32, b"family-1")
    assert wrapped.startswith(b"vault:v1:")
    assert provider.unwrap(wrapped, b"family-1") == b"f" * 32
    with pytest.raises(TamperedError):
        provider.unwrap(wrapped, b"family-2")
    assert provider.rotate() == 2
    rewrapped = provider.rewrap(wrapped, b"family-1")
    assert rewrapped.startswith(b"vault:v2:")
    provider.trim(2)
    with pytest.raises(TamperedError):
        provider.unwrap(wrapped, b"family-1")
    assert provider.unwrap(rewrapped, b"family-1") == b"f" * 32


def test_transit_wrong_token_and_unreachable(transit: str) -> None:
    with pytest.raises(ProviderUnavailable, match="403"):
        TransitMasterKey(transit, "wrong", "beeldkluis").wrap(b"x" * 32, b"")
    with pytest.raises(ProviderUnavailable):
        TransitMasterKey("http://127.0.0.1:9", "t", "k", timeout=2).wrap(b"x" * 32, b"")

"""Master key providers: a local key file (embedded default) and the OpenBao/Vault transit engine."""

from __future__ import annotations

import base64
import json
import os
import stat
import struct
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from keys._errors import CryptoError, TamperedError, UnsafeKeyFile


class MasterKeyProvider(Protocol):
    """Wraps family keys. In production the master key never leaves the provider."""

    def wrap(self, key: bytes, aad: bytes) -> bytes: ...

    def unwrap(self, wrapped: bytes, aad: bytes) -> bytes: ...

    def rewrap(self, wrapped: bytes, aad: bytes) -> bytes: ...

    def rotate(self) -> int: ...

    def current_version(self) -> int: ...

    def trim(self, min_version: int) -> None: ...


class ProviderUnavailable(CryptoError):
    code = "key_provider_unavailable"

    def __init__(self, why: str) -> None:
        super().__init__(
            f"De sleutelbeheerder is niet bereikbaar ({why}).",
            f"The key provider is unavailable ({why}).",
        )


def write_private_file(path: Path, data: bytes) -> None:
    """Write `data` atomically to `path` with mode 0600 (created 0600, never widened in between)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def read_private_file(path: Path) -> bytes:
    """Read a key file, refusing one that group or others may read or write."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise UnsafeKeyFile(str(path), "bestaat niet / does not exist") from None
    if not stat.S_ISREG(info.st_mode):
        raise UnsafeKeyFile(str(path), "geen gewoon bestand / not a regular file")
    if info.st_mode & 0o077:
        raise UnsafeKeyFile(
            str(path), f"rechten {oct(info.st_mode & 0o777)} zijn te ruim, verwacht 0600"
        )
    return path.read_bytes()


_WRAP_MAGIC = b"BKW1"


class LocalMasterKey:
    """Versioned 256-bit master keys in one 0600 file: the embedded default."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            doc = json.loads(read_private_file(self.path))
            self._keys = {int(v): base64.b64decode(k) for v, k in doc["versions"].items()}
            self._current = int(doc["current"])
        except (ValueError, KeyError, TypeError) as exc:
            raise UnsafeKeyFile(str(self.path), "onleesbaar / malformed") from exc
        if self._current not in self._keys or any(len(k) != 32 for k in self._keys.values()):
            raise UnsafeKeyFile(str(self.path), "onleesbaar / malformed")

    def __repr__(self) -> str:
        return f"LocalMasterKey(path={str(self.path)!r}, current={self._current})"

    @classmethod
    def create(cls, path: Path) -> LocalMasterKey:
        path = Path(path)
        if path.exists():
            raise FileExistsError(path)
        cls._save(path, {1: AESGCM.generate_key(256)}, 1)
        return cls(path)

    @classmethod
    def open_or_create(cls, path: Path) -> LocalMasterKey:
        path = Path(path)
        return cls(path) if path.exists() else cls.create(path)

    @staticmethod
    def _save(path: Path, keys: dict[int, bytes], current: int) -> None:
        doc = {
            "versions": {str(v): base64.b64encode(k).decode() for v, k in keys.items()},
            "current": current,
        }
        write_private_file(path, json.dumps(doc).encode())

    def wrap(self, key: bytes, aad: bytes) -> bytes:
        nonce = os.urandom(12)
        sealed = AESGCM(self._keys[self._current]).encrypt(nonce, key, aad)
        return _WRAP_MAGIC + struct.pack(">I", self._current) + nonce + sealed

    def unwrap(self, wrapped: bytes, aad: bytes) -> bytes:
        if wrapped[:4] != _WRAP_MAGIC or len(wrapped) < 8 + 12 + 16:
            raise TamperedError("verpakte sleutel / wrapped key")
        (version,) = struct.unpack(">I", wrapped[4:8])
        master = self._keys.get(version)
        if master is None:
            raise TamperedError(
                f"hoofdsleutelversie {version} bestaat niet meer / master version gone"
            )
        try:
            return AESGCM(master).decrypt(wrapped[8:20], wrapped[20:], aad)
        except InvalidTag:
            raise TamperedError("verpakte sleutel / wrapped key") from None

    def rewrap(self, wrapped: bytes, aad: bytes) -> bytes:
        return self.wrap(self.unwrap(wrapped, aad), aad)

    def rotate(self) -> int:
        new = max(self._keys) + 1
        self._keys[new] = AESGCM.generate_key(256)
        self._current = new
        self._save(self.path, self._keys, new)
        return new

    def current_version(self) -> int:
        return self._current

    def trim(self, min_version: int) -> None:
        """Forget master versions below `min_version`: keys wrapped with them (also in backups) are lost."""
        if min_version > self._current:
            raise ValueError("cannot trim the current master version")
        self._keys = {v: k for v, k in self._keys.items() if v >= min_version}
        self._save(self.path, self._keys, self._current)


class TransitMasterKey:
    """The OpenBao/Vault transit engine: wrap and unwrap happen inside it; the master never leaves."""

    def __init__(
        self, url: str, token: str, key_name: str, *, mount: str = "transit", timeout: float = 10.0
    ) -> None:
        self._url = url.rstrip("/")
        self._token = token
        self._key = key_name
        self._mount = mount
        self._timeout = timeout

    def __repr__(self) -> str:
        return f"TransitMasterKey(url={self._url!r}, key={self._key!r})"

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        request = urllib.request.Request(  # noqa: S310 - the operator configures an http(s) URL
            f"{self._url}/v1/{self._mount}/{path}",
            data=json.dumps(body).encode() if body is not None else None,
            method=method,
            headers={"X-Vault-Token": self._token, "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:  # noqa: S310
                raw = response.read()
        except urllib.error.HTTPError as exc:
            if exc.code == 400:
                raise TamperedError(
                    "transit weigert de sleutel / transit refused the key"
                ) from None
            raise ProviderUnavailable(f"HTTP {exc.code}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise ProviderUnavailable(type(exc).__name__) from None
        return dict(json.loads(raw)) if raw else {}

    def wrap(self, key: bytes, aad: bytes) -> bytes:
        out = self._call(
            "POST",
            f"encrypt/{self._key}",
            {
                "plaintext": base64.b64encode(key).decode(),
                "associated_data": base64.b64encode(aad).decode(),
            },
        )
        return str(out["data"]["ciphertext"]).encode()

    def unwrap(self, wrapped: bytes, aad: bytes) -> bytes:
        out = self._call(
            "POST",
            f"decrypt/{self._key}",
            {"ciphertext": wrapped.decode(), "associated_data": base64.b64encode(aad).decode()},
        )
        return base64.b64decode(out["data"]["plaintext"])

    def rewrap(self, wrapped: bytes, aad: bytes) -> bytes:
        out = self._call(
            "POST",
            f"rewrap/{self._key}",
            {"ciphertext": wrapped.decode(), "associated_data": base64.b64encode(aad).decode()},
        )
        return str(out["data"]["ciphertext"]).encode()

    def rotate(self) -> int:
        self._call("POST", f"keys/{self._key}/rotate", {})
        return self.current_version()

    def current_version(self) -> int:
        return int(self._call("GET", f"keys/{self._key}")["data"]["latest_version"])

    def trim(self, min_version: int) -> None:
        self._call("POST", f"keys/{self._key}/config", {"min_decryption_version": min_version})
        self._call("POST", f"keys/{self._key}/trim", {"min_available_version": min_version})

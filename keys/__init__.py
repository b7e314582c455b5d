"""Keys: the key hierarchy, the chunked object format, key providers, rotation, shredding and signing.

Recipes only. Primitives stay in the private modules; other packages import from here.
"""

from keys._errors import CryptoError, KeyDestroyed, TamperedError, UnsafeKeyFile
from keys._format import (
    CHUNK_SIZE,
    HEADER_SIZE,
    TAG_SIZE,
    Header,
    Sealer,
    cipher_range,
    ciphertext_size,
    open_range,
    open_stream,
    parse_header,
    plaintext_size,
    seal,
)
from keys._keyring import KeyRepository, Keyring, WrappedFamilyKey, WrappedObjectKey
from keys._providers import LocalMasterKey, MasterKeyProvider, ProviderUnavailable, TransitMasterKey
from keys._secret import FamilyKey, ObjectKey
from keys._signing import (
    LocalSigningKey,
    SigningKey,
    key_id,
    public_pem,
    read_public_key,
    verify_signature,
)

__all__ = [
    "CHUNK_SIZE",
    "HEADER_SIZE",
    "TAG_SIZE",
    "CryptoError",
    "FamilyKey",
    "Header",
    "KeyDestroyed",
    "KeyRepository",
    "Keyring",
    "LocalMasterKey",
    "LocalSigningKey",
    "MasterKeyProvider",
    "ObjectKey",
    "ProviderUnavailable",
    "Sealer",
    "SigningKey",
    "TamperedError",
    "TransitMasterKey",
    "UnsafeKeyFile",
    "WrappedFamilyKey",
    "WrappedObjectKey",
    "cipher_range",
    "ciphertext_size",
    "key_id",
    "open_range",
    "open_stream",
    "parse_header",
    "plaintext_size",
    "public_pem",
    "read_public_key",
    "seal",
    "verify_signature",
]

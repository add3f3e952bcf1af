"""Device credentials: secrets, their encryption at rest, and request signatures.

signature = hex(HMAC-SHA256(secret, f"{timestamp}.".encode() + body))

The timestamp is Unix seconds as sent in ``X-Timestamp`` (HTTP) or ``ts`` (MQTT);
binding it into the MAC is what lets the window check refuse a replayed request.
Secrets are encrypted with Fernet under a key derived (HKDF) from SECRET_KEY.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

SECRET_BYTES = 32


def new_secret() -> str:
    """A fresh device secret (URL-safe text, 256 bits)."""
    return secrets.token_urlsafe(SECRET_BYTES)


@lru_cache(maxsize=4)
def _fernet(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"tiyu-devices", info=b"secret-at-rest")
    return Fernet(base64.urlsafe_b64encode(key.derive(secret_key.encode())))


def encrypt_secret(secret: str) -> str:
    return _fernet(settings.SECRET_KEY).encrypt(secret.encode()).decode()


def decrypt_secret(token: str) -> str | None:
    """The plain secret, or None if it was encrypted under another SECRET_KEY."""
    try:
        return _fernet(settings.SECRET_KEY).decrypt(token.encode()).decode()
    except InvalidToken:
        return None


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    """The signature a device sends for ``body`` at ``timestamp``."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def verify(secret: str, timestamp: int | str, body: bytes, signature: str) -> bool:
    """Whether ``signature`` is right, compared in constant time."""
    return hmac.compare_digest(sign(secret, timestamp, body), signature.lower())

"""A share link's password, kept only as a salted scrypt hash (hashlib.scrypt, a salt of its own per
link) and checked in constant time.  The stored form names its parameters, so they can be raised later
without breaking older links:  scrypt$<n>$<r>$<p>$<salt hex>$<hash hex>."""

from __future__ import annotations

import hashlib
import hmac
import secrets

N, R, P = 2 ** 14, 8, 1  # ~16 MB and a few tens of ms per check: a guess costs, a viewer does not wait
SALT_BYTES, HASH_BYTES = 16, 32
PASSWORD_MAX_CHARS = 200  # longer input is refused before hashing (no work amplification)


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024,
                          dklen=HASH_BYTES)


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(SALT_BYTES)
    return f"scrypt${N}${R}${P}${salt.hex()}${_derive(password, salt, N, R, P).hex()}"


def check_password(password: str | None, stored: str | None) -> bool:
    """Whether `password` is the one `stored` was made from (False for no password, an over-long one,
    or a stored form that is not ours)."""
    if not password or not stored or len(password) > PASSWORD_MAX_CHARS:
        return False
    try:
        kind, n, r, p, salt, want = stored.split("$")
        if kind != "scrypt":
            return False
        got = _derive(password, bytes.fromhex(salt), int(n), int(r), int(p))
        return hmac.compare_digest(got, bytes.fromhex(want))
    except (ValueError, TypeError):
        return False

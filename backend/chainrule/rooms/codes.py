"""A room's names and keys: its code, the teacher's secret (kept only as a hash), and the
students' anonymous tokens (signed with the room's own key, so any instance can check one).

Codes are Crockford's base32 (no I, L, O or U): ROOM_CODE_LENGTH characters, 5 bits each,
drawn with `secrets`. docs/classroom.md gives the entropy argument for the length.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from chainrule.settings import ROOM_CODE_LENGTH

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32: 32 symbols, 5 bits each
# What a person may type for a symbol of the alphabet (Crockford's decoding).
_READ_AS = {"O": "0", "I": "1", "L": "1"}
SECRET_BYTES = 32  # the teacher's secret: secrets.token_urlsafe(32), 256 bits
KEY_BYTES = 32  # the room's key that signs students' tokens
STUDENT_ID_BYTES = 12  # a student's random id, 96 bits
_STUDENT_MAC_CHARS = 22  # the signature kept in a token: 22 base64url characters, 132 bits


def new_code() -> str:
    """A fresh room code: ROOM_CODE_LENGTH symbols of ALPHABET, uniformly at random."""
    return "".join(secrets.choice(ALPHABET) for _ in range(ROOM_CODE_LENGTH))


def read_code(text: str) -> str | None:
    """The code a person typed, as the server stores it (upper case, O read as 0, I and L
    as 1, dashes and spaces dropped); None when it cannot be a code."""
    cleaned = "".join(_READ_AS.get(ch, ch) for ch in text.upper() if ch not in "- ")
    if len(cleaned) != ROOM_CODE_LENGTH or any(ch not in ALPHABET for ch in cleaned):
        return None
    return cleaned


def new_secret() -> str:
    """The teacher's secret, returned once at creation and never stored."""
    return secrets.token_urlsafe(SECRET_BYTES)


def hash_secret(secret: str) -> str:
    """What the server keeps of a secret: its SHA-256, hex."""
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(secret: str, stored_hash: str) -> bool:
    """Whether `secret` is the one whose hash was stored, in constant time."""
    return hmac.compare_digest(hash_secret(secret).encode(), stored_hash.encode())


def new_key() -> str:
    """A room's key for signing students' tokens, hex."""
    return secrets.token_hex(KEY_BYTES)


def _mac(key: str, code: str, student_id: str) -> str:
    digest = hmac.new(bytes.fromhex(key), f"{code}:{student_id}".encode(), hashlib.sha256)
    return _b64(digest.digest())[:_STUDENT_MAC_CHARS]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def new_student(key: str, code: str) -> str:
    """An anonymous student token for this room: a random id and its signature."""
    student_id = secrets.token_urlsafe(STUDENT_ID_BYTES)
    return f"{student_id}.{_mac(key, code, student_id)}"


def student_id(token: str, key: str, code: str) -> str | None:
    """The id a token carries when this room's key signed it, else None."""
    student, _, mac = token.partition(".")
    # As bytes: compare_digest refuses a str with characters past ASCII.
    expected = _mac(key, code, student).encode()
    if not student or not mac or not hmac.compare_digest(mac.encode(), expected):
        return None
    return student

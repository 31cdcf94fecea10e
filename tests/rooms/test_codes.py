"""Room codes, the teacher's secret and students' tokens."""

from __future__ import annotations

import hashlib
import random
import secrets

import pytest

from chainrule.rooms.codes import (
    ALPHABET,
    hash_secret,
    new_code,
    new_key,
    new_secret,
    new_student,
    read_code,
    secret_matches,
    student_id,
)


def test_the_alphabet_is_crockfords_base32_without_i_l_o_u() -> None:
    assert ALPHABET == "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    assert len(set(ALPHABET)) == 32
    assert set("ILOU") & set(ALPHABET) == set()


def test_a_code_is_ten_symbols_of_the_alphabet() -> None:
    code = new_code()
    assert len(code) == 10
    assert set(code) <= set(ALPHABET)


def test_codes_are_drawn_with_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Drawn from the secrets module's generator (not `random`): the same symbols come out
    of secrets.choice whatever `random`'s state."""
    drawn = iter("7QK3M9TBXD")
    monkeypatch.setattr(secrets, "choice", lambda alphabet: next(drawn))
    random.seed(0)
    assert new_code() == "7QK3M9TBXD"


def test_a_typed_code_is_read_as_crockford_reads_it() -> None:
    assert read_code("7qk3m-9tbxd") == "7QK3M9TBXD"
    assert read_code("O1IL0 ABCDE") == "01110ABCDE"
    assert read_code("7QK3M9TBX") is None  # nine symbols
    assert read_code("7QK3M9TBXU") is None  # U is not a symbol
    assert read_code("7QK3M9TBX!") is None


def test_the_secret_is_kept_as_its_sha256_and_only_it_matches() -> None:
    secret = new_secret()
    stored = hash_secret(secret)
    assert stored == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in stored
    assert len(secret) == 43  # token_urlsafe(32): 256 bits
    assert secret_matches(secret, stored) is True
    assert secret_matches(secret + "x", stored) is False
    assert secret_matches(new_secret(), stored) is False


def test_a_student_token_is_accepted_only_by_the_room_that_signed_it() -> None:
    key = new_key()
    token = new_student(key, "7QK3M9TBXD")
    ident, _, mac = token.partition(".")
    assert student_id(token, key, "7QK3M9TBXD") == ident
    assert student_id(token, key, "7QK3M9TBXE") is None  # another room's code
    assert student_id(token, new_key(), "7QK3M9TBXD") is None  # another room's key
    assert student_id(f"{ident}x.{mac}", key, "7QK3M9TBXD") is None  # a forged id
    assert student_id(ident, key, "7QK3M9TBXD") is None  # no signature
    assert new_student(key, "7QK3M9TBXD") != token  # each token its own id


def test_a_token_with_characters_past_ascii_is_refused_not_an_error() -> None:
    key = new_key()
    ident, _, mac = new_student(key, "7QK3M9TBXD").partition(".")
    assert student_id(f"{ident}.{mac[:-1]}\u00e9", key, "7QK3M9TBXD") is None
    assert student_id("abc.\u00e9", key, "7QK3M9TBXD") is None
    assert secret_matches("s\u00e9cret", hash_secret("secret")) is False

"""Opaque global IDs: base64url of "Type:uuid" (or "Type:integer" for sequence-keyed entities).
A malformed ID, or one of another type, is treated exactly like an ID that does not exist.

Decoding is strict because Python is not: `UUID("١" * 32)` and `int("١")` read Arabic-Indic
digits, and `int("²")` fails only later. An ID is the exact text encode_id writes, in ASCII.
"""

from __future__ import annotations

import base64
import binascii
import re
from functools import lru_cache
from uuid import UUID

from domain.decimal_text import is_ascii_integer

# The longest ID this API hands out is under 80 characters; anything much longer is not one,
# and is refused before it is decoded.
MAX_GLOBAL_ID_LENGTH = 200
_BASE64 = re.compile(r"[A-Za-z0-9_+/-]+={0,2}", re.ASCII)
_UUID = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.ASCII | re.IGNORECASE
)
# Sequence ids are BIGINTs: beyond int64 nothing exists, and int() would read 4,300+ digits slowly.
MAX_SEQUENCE_ID = 2**63 - 1
_MAX_SEQUENCE_DIGITS = len(str(MAX_SEQUENCE_ID))


def encode_id(type_name: str, entity_id: UUID | int) -> str:
    raw = f"{type_name}:{entity_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _type_and_raw_id(global_id: str) -> tuple[str, str] | None:
    """The "Type" and "id" halves of an ID, or None when it is not base64 of UTF-8 text."""
    if not isinstance(global_id, str) or not (
        len(global_id) <= MAX_GLOBAL_ID_LENGTH and _BASE64.fullmatch(global_id)
    ):
        return None
    try:
        padded = global_id.rstrip("=") + "=" * (-len(global_id.rstrip("=")) % 4)
        text = base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    type_name, colon, raw_id = text.partition(":")
    return (type_name, raw_id) if colon else None


def parse_uuid(text: str) -> UUID | None:
    """The UUID ``text`` writes in the canonical hyphenated form (either case), else None."""
    return UUID(text) if _UUID.fullmatch(text) else None


def parse_sequence_id(text: str) -> int | None:
    """A positive int64 written in ASCII digits, else None: no row has any other id."""
    if len(text) > _MAX_SEQUENCE_DIGITS or not is_ascii_integer(text):
        return None
    value = int(text)
    return value if 0 < value <= MAX_SEQUENCE_ID else None


def decode_any(global_id: str) -> tuple[str, UUID] | None:
    decoded = _type_and_raw_id(global_id)
    if decoded is None:
        return None
    entity_id = parse_uuid(decoded[1])
    return None if entity_id is None else (decoded[0], entity_id)


# What a malformed or foreign-typed ID decodes to when one was given: no row has it, so the
# service answers NotFound after its own role checks, exactly as for a missing ID.
UNKNOWN_ID = UUID(int=0)


def decode_optional_id(global_id: str | None, type_name: str) -> UUID | None:
    """None when the client sent no ID; an ID that matches nothing when it sent a bad one."""
    if global_id is None:
        return None
    return decode_id(global_id, type_name) or UNKNOWN_ID


def decode_int_id(global_id: str | None, type_name: str) -> int | None:
    """For entities keyed by a database sequence (usage events, wallet transactions). None for
    anything else, an id beyond int64 included: it names no row, like a missing ID."""
    if global_id is None:
        return None
    decoded = _type_and_raw_id(global_id)
    if decoded is None or decoded[0] != type_name:
        return None
    return parse_sequence_id(decoded[1])


def decode_id(global_id: str | None, type_name: str) -> UUID | None:
    if global_id is None:
        return None
    decoded = decode_any(global_id)
    if decoded is None or decoded[0] != type_name:
        return None
    return decoded[1]


@lru_cache(maxsize=8192)
def decode_source_id(global_id: str) -> UUID | None:
    """Usage batches name a few sources a thousand times over: each is decoded once per
    process (the answer depends only on the text)."""
    return decode_id(global_id, "Source")

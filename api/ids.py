"""Opaque global IDs: base64url of "Type:uuid". A malformed ID, or one of another type, is
treated exactly like an ID that does not exist."""

from __future__ import annotations

import base64
import binascii
from functools import lru_cache
from uuid import UUID


def encode_id(type_name: str, entity_id: UUID | int) -> str:
    raw = f"{type_name}:{entity_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_any(global_id: str) -> tuple[str, UUID] | None:
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        type_name, _, raw_id = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
        return type_name, UUID(raw_id)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


# What a malformed or foreign-typed ID decodes to when one was given: no row has it, so the
# service answers NotFound after its own role checks, exactly as for a missing ID.
UNKNOWN_ID = UUID(int=0)


def decode_optional_id(global_id: str | None, type_name: str) -> UUID | None:
    """None when the client sent no ID; an ID that matches nothing when it sent a bad one."""
    if global_id is None:
        return None
    return decode_id(global_id, type_name) or UNKNOWN_ID


def decode_int_id(global_id: str | None, type_name: str) -> int | None:
    """For entities keyed by a database sequence (usage events, wallet transactions)."""
    if global_id is None:
        return None
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        decoded_type, _, raw_id = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    if decoded_type != type_name or not raw_id.isdigit():
        return None
    return int(raw_id)


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

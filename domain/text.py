"""Text a client sends that Rebill stores: names, slugs, idempotency keys, usage properties.

Two kinds of text pass Python's `str` and fail later: a lone surrogate (valid in a JSON string
escape, "\\ud800", but not encodable as UTF-8) and NUL (PostgreSQL's text and jsonb refuse it;
SQLite would keep it, and the two databases must answer alike). Both are refused at the door.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

NUL = "\x00"
UNSTORABLE_TEXT = "must not contain NUL characters or unpaired UTF-16 surrogates."
# Usage properties are a small bag of attributes; PostgreSQL's jsonb and the canonical
# encoder both recurse, so a depth bound keeps a hostile document from reaching either limit.
MAX_JSON_DEPTH = 32


def is_storable_text(value: str) -> bool:
    """True when ``value`` has no NUL and no lone surrogate: it encodes as UTF-8 as is."""
    if value.isascii():  # the common case, decided without a copy
        return NUL not in value
    if NUL in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def json_value_problem(value: Any, max_depth: int = MAX_JSON_DEPTH) -> str | None:
    """Why a decoded JSON value cannot be stored (unstorable text in a key or a string, or
    nesting deeper than ``max_depth``), or None. Iterative: depth cannot exhaust the stack."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            if not is_storable_text(item):
                return "Text in properties " + UNSTORABLE_TEXT
        elif isinstance(item, Mapping):
            if depth > max_depth:
                return f"properties nest deeper than {max_depth} levels."
            for key, child in item.items():
                if not isinstance(key, str) or not is_storable_text(key):
                    return "Keys in properties " + UNSTORABLE_TEXT
                pending.append((child, depth + 1))
        elif isinstance(item, Sequence) and not isinstance(item, (bytes, bytearray)):
            if depth > max_depth:
                return f"properties nest deeper than {max_depth} levels."
            pending.extend((child, depth + 1) for child in item)
    return None

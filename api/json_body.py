"""Request bodies as JSON, exactly: numbers become Decimal, never float.

One reader for every JSON body the API takes (GraphQL requests, bulk usage, Stripe webhooks):
whatever the bytes, it returns a value or raises JsonBodyError, which each endpoint turns into a
400. Nesting deep enough to exhaust the parser's recursion is one of those errors, not a 500.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any


class JsonBodyError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _keep_constant(name: str) -> str:
    # NaN and Infinity stay text, so the checks that follow refuse them with a clear message.
    return name


def loads_exact(raw: str | bytes) -> Any:
    try:
        return json.loads(raw, parse_float=Decimal, parse_constant=_keep_constant)
    except RecursionError:
        raise JsonBodyError("The body nests JSON too deeply.") from None
    except (ValueError, UnicodeDecodeError):
        raise JsonBodyError("The body is not valid JSON.") from None

"""Reading partial-update inputs: what the client left out stays as it is."""

from __future__ import annotations

import strawberry


def sent_fields(value: object | None, names: dict[str, str]) -> dict[str, object]:
    """The fields the client sent, by contract name: an omitted field is left out (it keeps its
    value), an explicit null is kept (it clears the value)."""
    if value is None:
        return {}
    return {
        field: getattr(value, attribute)
        for field, attribute in names.items()
        if getattr(value, attribute) is not strawberry.UNSET
    }

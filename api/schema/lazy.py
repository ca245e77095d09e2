"""Building another area's type without importing it when this module is imported.

An area names another area's type as ``Annotated["X", strawberry.lazy("api.<area>.types")]``
(with the import under TYPE_CHECKING): Strawberry resolves it when the schema is built. A
resolver that must also *make* an X asks for the class here, resolved at call time, so areas
never import each other at import time and have no import circle.
"""

from __future__ import annotations

from functools import cache
from typing import Any, get_args

from strawberry.types.lazy_type import StrawberryLazyReference


@cache
def lazy_class(annotation: Any) -> Any:
    """The class that ``Annotated["X", strawberry.lazy(module)]`` names, importing its module."""
    forward_ref, *metadata = get_args(annotation)
    for item in metadata:
        if isinstance(item, StrawberryLazyReference):
            return item.resolve_forward_ref(forward_ref).resolve_type()
    raise TypeError(f"{annotation!r} is not a strawberry.lazy annotation")

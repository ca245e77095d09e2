"""Hypothesis strategies shared by the property tests."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st


def json_values(*, floats: bool = False, max_leaves: int = 12) -> st.SearchStrategy[Any]:
    """Any value `api.json_body.loads_exact` can give, and then some: text with NUL and lone
    surrogates (a JSON escape writes them), decimals that are not finite, nesting. ``floats``
    adds what graphql-core makes of an inline literal number."""
    leaves = (
        st.none()
        | st.booleans()
        | st.integers()
        | st.decimals(allow_nan=True, allow_infinity=True)
        | st.text()
    )
    if floats:
        leaves |= st.floats()
    return st.recursive(
        leaves,
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(st.text(max_size=12), children, max_size=4)
        ),
        max_leaves=max_leaves,
    )

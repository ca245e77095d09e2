"""What a NotFound answer echoes as its id: a node's global ID, or nothing for what has none."""

from __future__ import annotations

from uuid import UUID

from api.errors import echoed_id
from api.ids import UNKNOWN_ID, decode_id
from domain.errors import NotFoundError

INVOICE = UUID("8a3c1f0e-6f2b-4d7a-9a51-1f2e3d4c5b6a")


def test_a_node_id_is_echoed_as_its_global_id() -> None:
    echoed = echoed_id(NotFoundError("Invoice", str(INVOICE)))

    assert echoed is not None
    assert decode_id(echoed, "Invoice") == INVOICE


def test_an_id_that_is_no_uuid_is_not_echoed_and_does_not_raise() -> None:
    # A rate card version is named by its number: NotFound without an id, not a server error.
    assert echoed_id(NotFoundError("RateCardVersion", "7")) is None


def test_a_missing_or_undecodable_id_is_not_echoed() -> None:
    assert echoed_id(NotFoundError("Invoice", None)) is None
    assert echoed_id(NotFoundError("Invoice", str(UNKNOWN_ID))) is None

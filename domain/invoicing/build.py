"""One source's invoice for a period, built from what the period charged it (DESIGN.md §1.6).

The charges arrive summed per kind and rate line (storage.invoicing.charges); this orders them
into lines, adds the fees due at q = 0 that no event paid, and works out what a prepaid close
debits: whatever the wallet-settled lines ask beyond what the wallet already paid for them, so a
prepaid invoice is paid from its wallet in full. A negative settlement gives back what was paid
twice (an event that reached a DRAFT after the close had charged its line's q = 0 fee again).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from domain.invoicing.invoice import InvoiceLineKind
from domain.invoicing.totals import InvoiceTotals, invoice_totals
from domain.pricing.base import LineState
from domain.pricing.running_total import period_amount_micros
from domain.rate_card import Settlement
from domain.tenancy import BillingMode
from domain.usage_rating import RatingVersion

LINE_ORDER = {
    InvoiceLineKind.USAGE: 0,
    InvoiceLineKind.ACCRUAL: 1,
    InvoiceLineKind.FLAT_FEE: 2,
    InvoiceLineKind.LATE_USAGE: 3,
    InvoiceLineKind.ADJUSTMENT: 4,
}


class Charge(Protocol):
    """A period's charges of one kind on one rate line (storage's PeriodCharge)."""

    @property
    def kind(self) -> InvoiceLineKind: ...
    @property
    def rate_line_id(self) -> int | None: ...
    @property
    def meter(self) -> str | None: ...
    @property
    def quantity_micros(self) -> int: ...
    @property
    def amount_micros(self) -> int: ...
    @property
    def wholesale_micros(self) -> int: ...
    @property
    def paid_micros(self) -> int: ...
    @property
    def description(self) -> str | None: ...


class Label(Protocol):
    """What names a rate line on an invoice (storage's LineLabel)."""

    @property
    def description(self) -> str | None: ...
    @property
    def settlement(self) -> str: ...
    @property
    def meter_name(self) -> str | None: ...
    @property
    def card_name(self) -> str: ...
    @property
    def version(self) -> int: ...


@dataclass(frozen=True, slots=True)
class ZeroFee:
    """A line's amount at q = 0 (GRADUATED's first flat fee, BUNDLE's price)."""

    kind: InvoiceLineKind
    rate_line_id: int
    meter: str
    amount_micros: int


@dataclass(frozen=True, slots=True)
class BuiltLine:
    kind: InvoiceLineKind
    description: str
    meter: str | None
    rate_line_id: int | None
    quantity_micros: int
    amount_micros: int
    wholesale_micros: int


@dataclass(frozen=True, slots=True)
class BuiltInvoice:
    lines: tuple[BuiltLine, ...]
    totals: InvoiceTotals
    # What the wallet is debited now (negative: given back), and in all after this close.
    settle_micros: int
    settled_micros: int


def fees_due_at_zero(version: RatingVersion, gauges: frozenset[str]) -> list[ZeroFee]:
    """The version's lines that ask something before any usage, with what they ask."""
    fees = []
    for meter, line in version.lines_by_meter.items():
        amount = period_amount_micros(line.pricing, LineState())
        if amount:
            kind = InvoiceLineKind.ACCRUAL if meter in gauges else InvoiceLineKind.USAGE
            fees.append(ZeroFee(kind, line.line_id, meter, amount))
    return fees


def build_invoice(
    charges: Sequence[Charge],
    zero_fees: Iterable[ZeroFee],
    labels: Mapping[int, Label],
    billing_mode: BillingMode,
    pays_from_wallet: bool,
    settled_before_micros: int,
    extra_wholesale_micros: int,
    currency: str,
) -> BuiltInvoice:
    """``pays_from_wallet``: a rebilled prepaid source, whose wallet pays its WALLET lines;
    ``settled_before_micros``: what earlier closes of this invoice debited already;
    ``extra_wholesale_micros``: what the source cost the agency beyond its lines' events
    (wholesale FLAT fees)."""
    rated = {c.rate_line_id for c in charges if c.kind is not InvoiceLineKind.FLAT_FEE}
    unpaid_fees = [fee for fee in zero_fees if fee.rate_line_id not in rated]
    owed_by_wallet = paid = 0
    lines: list[tuple[tuple[int, str, int], BuiltLine]] = []
    for charge in charges:
        line = _line(charge.kind, charge, labels)
        lines.append((_order(line), line))
        paid += charge.paid_micros
        if _wallet_settled(line, labels):
            owed_by_wallet += charge.amount_micros - charge.paid_micros
    for fee in unpaid_fees:
        line = BuiltLine(
            fee.kind, _describe(fee.kind, fee.rate_line_id, fee.meter, None, labels), fee.meter,
            fee.rate_line_id, 0, fee.amount_micros, 0,
        )  # fmt: skip
        lines.append((_order(line), line))
        if _wallet_settled(line, labels):
            owed_by_wallet += fee.amount_micros
    settle = owed_by_wallet - settled_before_micros if pays_from_wallet else 0
    settled = settled_before_micros + settle
    ordered = tuple(line for _, line in sorted(lines, key=lambda pair: pair[0]))
    amounts = [(line.amount_micros, line.wholesale_micros) for line in ordered]
    totals = invoice_totals(amounts, billing_mode, paid + settled, currency)
    if extra_wholesale_micros:
        totals = _with_wholesale(totals, extra_wholesale_micros)
    return BuiltInvoice(ordered, totals, settle, settled)


def _line(kind: InvoiceLineKind, charge: Charge, labels: Mapping[int, Label]) -> BuiltLine:
    return BuiltLine(
        kind,
        _describe(kind, charge.rate_line_id, charge.meter, charge.description, labels),
        charge.meter,
        charge.rate_line_id,
        charge.quantity_micros,
        charge.amount_micros,
        charge.wholesale_micros,
    )


def _order(line: BuiltLine) -> tuple[int, str, int]:
    return (LINE_ORDER[line.kind], line.meter or "", line.rate_line_id or 0)


def _wallet_settled(line: BuiltLine, labels: Mapping[int, Label]) -> bool:
    """Adjustments moved the wallet themselves; a rate line says how it is settled."""
    if line.rate_line_id is None:
        return False
    label = labels.get(line.rate_line_id)
    return label is not None and label.settlement == Settlement.WALLET.value


def _describe(
    kind: InvoiceLineKind,
    rate_line_id: int | None,
    meter: str | None,
    own: str | None,
    labels: Mapping[int, Label],
) -> str:
    if kind is InvoiceLineKind.ADJUSTMENT:
        return own or "Adjustment"
    label = labels.get(rate_line_id) if rate_line_id is not None else None
    if label is None:
        return meter or kind.value.replace("_", " ").capitalize()
    name = label.description or label.meter_name or meter or "Flat fee"
    described = f"{name} ({label.card_name}, version {label.version})"
    if kind is InvoiceLineKind.LATE_USAGE:
        return f"Late usage from earlier periods: {described}"
    return described


def _with_wholesale(totals: InvoiceTotals, extra: int) -> InvoiceTotals:
    return InvoiceTotals(
        totals.subtotal_micros,
        totals.total_micros,
        totals.paid_from_wallet_micros,
        totals.amount_due_micros,
        totals.rounding_micros,
        totals.wholesale_micros + extra,
    )

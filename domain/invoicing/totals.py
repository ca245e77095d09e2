"""An invoice's totals from its lines, and the rounding of what is collected (DESIGN.md §1.6).

Lines and the total are exact micro-units. A prepaid source pays the whole total from its wallet
(the close debits whatever the period's charges had not), so nothing is due. A postpaid invoice's
amount due is rounded half-up to the currency's minor unit, so Stripe is asked for whole minor
units, and the difference is kept as the invoice's rounding.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from domain.currency import minor_unit_digits
from domain.money import MICRO_PLACES
from domain.tenancy import BillingMode


@dataclass(frozen=True, slots=True)
class InvoiceTotals:
    subtotal_micros: int
    total_micros: int
    paid_from_wallet_micros: int
    amount_due_micros: int
    rounding_micros: int
    wholesale_micros: int


def round_to_minor_unit(micros: int, currency: str) -> int:
    """``micros`` rounded half-up (away from zero on a tie) to the currency's minor unit."""
    step = int(10 ** (MICRO_PLACES - minor_unit_digits(currency)))
    whole, rest = divmod(abs(micros), step)
    if 2 * rest >= step:
        whole += 1
    return (whole * step) if micros >= 0 else -(whole * step)


def invoice_totals(
    amounts: Iterable[tuple[int, int]],
    billing_mode: BillingMode,
    paid_from_wallet_micros: int,
    currency: str,
) -> InvoiceTotals:
    """Totals from each line's (amount, wholesale cost) and what the wallet paid of them.

    A prepaid invoice asks nothing: its wallet paid it (the close saw to that), and a line
    settled outside Rebill is not collected by it either. A postpaid one asks the rest, rounded."""
    subtotal = wholesale = 0
    for amount, cost in amounts:
        subtotal += amount
        wholesale += cost
    total = subtotal  # no tax is levied here: the total is the sum of the lines, exactly
    exact_due = total - paid_from_wallet_micros
    if billing_mode is BillingMode.PREPAID_WALLET or exact_due <= 0:
        # Credits (a VOLUME tier, an adjustment) can leave nothing to collect; a refund is a
        # credit note's business, never a negative amount asked of Stripe.
        return InvoiceTotals(subtotal, total, paid_from_wallet_micros, 0, 0, wholesale)
    due = round_to_minor_unit(exact_due, currency)
    return InvoiceTotals(subtotal, total, paid_from_wallet_micros, due, due - exact_due, wholesale)

"""Re-rating an invoice under a corrected version of its retail card (issue 14, RE_RATED).

    async with MoneyMovement([tenant_id]) as money:
        re_rated = await re_rate_invoice_in(money, invoice_id, corrected_version=2, now=now)

Inside the caller's unit of work (it holds the tenant's lock, so no usage batch of the tenant is
half-recorded meanwhile). The invoice's usage events are replayed line by line in rating order
under the corrected version (domain.billing.re_rating) and their new charges written set-based
with their running totals and hourly rollups (storage.re_rating); then the money moves once and
the invoice is voided and reissued:

- prepaid: the source's wallet is credited what its usage debits paid beyond the new charges,
  in one USAGE transaction (positive: usage charged back), referenced ``re-rate:<invoice>``;
  the replacement, built from the corrected events by the period close, carries over what the
  voided invoice's close had debited, so nothing is debited twice and paidFromWallet equals
  the corrected total;
- postpaid (FINALIZED, not paid): no wallet moves; the replacement's amount due is the corrected
  one and is collected as any finalized invoice is (invoice.finalized, through the outbox).

The replacement is finalized at once: it gets the next number, and its period stays frozen, so
an event of that period reported later is rated late into the open period, as for any invoiced
period, instead of reaching an invoice under the old version. Only usage events are re-rated:
accruals (seats, storage) and FLAT fees keep what they were charged (their own lines), so a
version pricing an accrued gauge otherwise is refused.

Refused, with nothing written (typed ReRateRefusedError; NotFoundError for a version the card
does not have): a DRAFT, a VOID invoice (so re-running never credits twice), a paid postpaid
invoice (a credit note refunds it) or one whose PaymentIntent is under way, a version that
misses a meter of the invoice, settles it otherwise or prices its accrued gauges otherwise, a
q = 0 fee of the version in force at the period's end, and a correction that would raise the
charges (see domain.billing.re_rating.ReRateRefusal).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from domain.accrual import GAUGE_METERS
from domain.billing import charged_retail_card
from domain.billing.re_rating import (
    PricedLine,
    ReRatedLine,
    ReRateRefusal,
    ReRateRefusedError,
    check_accruals_unchanged,
    check_corrected_version,
    check_lowers,
    check_zero_fees,
    re_rate_line,
)
from domain.errors import NotFoundError
from domain.invoicing.build import fees_due_at_zero
from domain.invoicing.events import InvoiceVoided
from domain.invoicing.invoice import Invoice, InvoiceLineKind, InvoiceStatus, PaymentState
from domain.money import micros_to_decimal
from domain.rate_card import version_in_force
from domain.tenancy import BillingMode, Tenant
from domain.usage_rating import RatingLine, RatingVersion
from domain.wallet.ledger import TransactionKind, WalletTransaction
from services.invoicing.close import close_period
from services.invoicing.finalize import finalize_drafts
from services.money_movement import MoneyMovement, WalletMove
from storage import re_rating, tenants
from storage.invoicing import invoices
from storage.invoicing.charges import InvoicedSource, invoiced_sources, live_invoices
from storage.re_rating import LineOfCard, LineTotal, NewCharge, RetailDelta
from storage.usage_ingest import rating_versions
from storage.usage_replay import ReplayedEvent, Side, line_events

__all__ = ["ReRateRefusal", "ReRateRefusedError", "ReRated", "re_rate_invoice_in"]

_RATED_KINDS = frozenset({InvoiceLineKind.USAGE, InvoiceLineKind.LATE_USAGE})
_GAUGES = frozenset(GAUGE_METERS)
# As services.invoicing.close: the card version at the period's last instant names its q = 0 fees.
_LAST_INSTANT = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class ReRated:
    """The voided invoice, its finalized replacement, and what the correction gave back:
    ``difference_micros`` = the voided invoice's total minus the replacement's (never
    negative); ``wallet_transaction`` is the prepaid wallet's credit (None for postpaid, or
    when nothing changed)."""

    voided: Invoice
    replacement: Invoice
    difference_micros: int
    wallet_transaction: WalletTransaction | None = None


async def re_rate_invoice_in(
    money: MoneyMovement,
    invoice_id: UUID,
    corrected_version: int,
    now: datetime,
) -> ReRated:
    """Re-rates the invoice's usage under version ``corrected_version`` (its number, as the API
    shows it) of the retail card that priced it, voids the invoice and finalizes its
    replacement, inside ``money``'s unit of work. The caller checked who may do it."""
    current = await invoices.invoice_for_update(invoice_id)
    if current is None:
        raise NotFoundError("Invoice", str(invoice_id))
    _check_status(current)
    await _check_collection(current)
    tenant = await tenants.tenant_by_id(current.tenant_id)
    assert tenant is not None  # an invoice's tenant is never deleted
    priced, accrued = await _priced_lines(current)
    card_id = _one_card(priced)
    versions = (await rating_versions([card_id])).get(card_id, [])
    corrected = check_corrected_version(
        [PricedLine(p.line_id, p.version, p.meter or "", p.settlement) for p in priced.values()],
        next((v for v in versions if v.version == corrected_version), None),
        corrected_version,
    )
    check_accruals_unchanged(_accrued_on(accrued, card_id, versions), corrected)
    source = (await invoiced_sources(tenant.id, [current.source_id]))[0]
    meters = {p.meter or "" for p in priced.values()}
    _check_zero_fees(current, tenant, source, card_id, versions, corrected, meters)

    lines = await _re_rated_lines(current, tenant, priced, corrected)
    check_lowers(lines)
    wallet_credit = await _write_charges(current, lines, priced, corrected)
    entry = None
    if wallet_credit and source.wallet_id is not None:
        entry = await _credit_wallet(
            money, current, source.wallet_id, corrected, wallet_credit, now
        )
    voided, replacement = await _void_and_reissue(money, tenant, current, now)
    return ReRated(voided, replacement, voided.total_micros - replacement.total_micros, entry)


def _check_status(invoice: Invoice) -> None:
    if invoice.status is InvoiceStatus.DRAFT:
        raise ReRateRefusedError(
            ReRateRefusal.NOT_FINALIZED,
            "A DRAFT invoice is rebuilt from the events whenever its period closes: it needs "
            "no re-rating.",
        )
    if invoice.status is InvoiceStatus.VOID:
        raise ReRateRefusedError(
            ReRateRefusal.VOID,
            "The invoice is VOID: it was corrected already (see its replacement).",
        )
    if (
        invoice.status is InvoiceStatus.PAID
        and invoice.billing_mode is BillingMode.POSTPAID_INVOICE
    ):
        raise ReRateRefusedError(
            ReRateRefusal.PAID_POSTPAID,
            "The invoice was paid: credit the difference with a credit note, which refunds it.",
        )


async def _check_collection(invoice: Invoice) -> None:
    """A postpaid invoice being collected is not voided under its PaymentIntent."""
    if invoice.billing_mode is not BillingMode.POSTPAID_INVOICE:
        return
    if invoice.payment_state is not PaymentState.PENDING:
        return
    if await invoices.payment_intent_of(invoice.id) is not None:
        raise ReRateRefusedError(
            ReRateRefusal.COLLECTION_UNDER_WAY,
            "The invoice's payment through Stripe is under way: once it succeeds, credit the "
            "difference with a credit note; once it fails, re-rate the invoice.",
        )


async def _priced_lines(invoice: Invoice) -> tuple[dict[int, LineOfCard], list[LineOfCard]]:
    """The retail rate lines the invoice's usage lines were priced on, with their card, and
    those its accrued hours were: one read of the lines, one of their cards."""
    lines = (await invoices.lines_of([invoice.id])).get(invoice.id, [])
    rated = {line.rate_line_id for line in lines if line.kind in _RATED_KINDS}
    accrued = {line.rate_line_id for line in lines if line.kind is InvoiceLineKind.ACCRUAL}
    of_cards = await re_rating.lines_of_cards(
        line_id for line_id in rated | accrued if line_id is not None
    )
    return (
        {line_id: line for line_id, line in of_cards.items() if line_id in rated},
        [line for line_id, line in of_cards.items() if line_id in accrued],
    )


def _accrued_on(
    accrued: Sequence[LineOfCard], card_id: UUID, versions: Sequence[RatingVersion]
) -> list[tuple[str, RatingLine]]:
    """The card's lines the invoice's hours were accrued on, with their meter."""
    by_number = {version.version: version for version in versions}
    return [
        (line.meter, by_number[line.version].lines_by_meter[line.meter])
        for line in accrued
        if line.card_id == card_id and line.meter is not None
    ]


def _one_card(priced: dict[int, LineOfCard]) -> UUID:
    cards = {line.card_id for line in priced.values()}
    if not cards:
        raise ReRateRefusedError(
            ReRateRefusal.NO_RETAIL_USAGE, "No usage of the invoice was priced by a rate card."
        )
    if len(cards) > 1:
        raise ReRateRefusedError(
            ReRateRefusal.SEVERAL_CARDS,
            "The invoice's usage was priced by more than one rate card: credit the lines instead.",
        )
    return cards.pop()


def _check_zero_fees(
    invoice: Invoice,
    tenant: Tenant,
    source: InvoicedSource,
    card_id: UUID,
    versions: Sequence[RatingVersion],
    corrected: RatingVersion,
    meters: set[str],
) -> None:
    """The period close adds the q = 0 fees of the card the source is charged on, at the
    version in force at the period's end, for lines no event was priced on."""
    if charged_retail_card(source, tenant) != card_id:
        return
    at_end = version_in_force(versions, invoice.period.end - _LAST_INSTANT)
    fees = (
        {}
        if at_end is None
        else {f.meter: f.amount_micros for f in fees_due_at_zero(at_end, _GAUGES)}
    )
    check_zero_fees(meters, corrected, at_end, fees)


async def _re_rated_lines(
    invoice: Invoice,
    tenant: Tenant,
    priced: dict[int, LineOfCard],
    corrected: RatingVersion,
) -> list[ReRatedLine]:
    """Each meter's events (from every line of the card that priced them) replayed in rating
    order under the corrected version's line: one read for all of them."""
    keys = {(invoice.source_id, line_id, invoice.period.start) for line_id in priced}
    replayed = await line_events(Side.RETAIL, tenant.id, keys)
    by_meter: dict[str, list[ReplayedEvent]] = defaultdict(list)
    for (_, line_id, _), events in replayed.items():
        by_meter[priced[line_id].meter or ""] += events
    return [
        # Two versions' lines of a meter interleave by id, the order ingestion rated them in.
        re_rate_line(meter, corrected.lines_by_meter[meter], sorted(events, key=lambda e: e.id))
        for meter, events in sorted(by_meter.items())
    ]


async def _write_charges(
    invoice: Invoice,
    lines: Sequence[ReRatedLine],
    priced: dict[int, LineOfCard],
    corrected: RatingVersion,
) -> int:
    """Writes the events' new charges, the lines' running totals and the rollups' retail sums;
    returns what the source's wallet paid beyond the new charges (0 if it paid none)."""
    changes: dict[int, int] = {}  # event id -> new charge minus old
    new_charges: list[NewCharge] = []
    for line in lines:
        for event_id, new, old in line.charges:
            new_charges.append(NewCharge(event_id, new, line.line.line_id, corrected.version))
            changes[event_id] = new - old
    charged = await re_rating.recharge_events(invoice.tenant_id, new_charges)
    await re_rating.replace_running_totals(
        invoice.tenant_id,
        invoice.source_id,
        invoice.period.start,
        [*priced, *(line.line.line_id for line in lines)],
        [LineTotal(line.line.line_id, line.state, line.total_micros) for line in lines],
    )
    deltas: dict[tuple[str, datetime], int] = defaultdict(int)
    wallet_credit = 0
    for event in charged:
        # As ingestion: an event's rollup is the hour it occurred in (storage.usage_ingest).
        hour = event.occurred_at.replace(minute=0, second=0, microsecond=0)
        deltas[(event.meter, hour)] += changes[event.id]
        if event.retail_transaction_id is not None:  # its charge came out of the wallet
            wallet_credit -= changes[event.id]
    await re_rating.add_to_retail_rollups(
        [
            RetailDelta(invoice.tenant_id, invoice.source_id, meter, hour, delta)
            for (meter, hour), delta in sorted(deltas.items())
        ]
    )
    return wallet_credit


async def _credit_wallet(
    money: MoneyMovement,
    invoice: Invoice,
    wallet_id: UUID,
    corrected: RatingVersion,
    micros: int,
    now: datetime,
) -> WalletTransaction:
    """One transaction: the usage debits the correction gives back (never negative: a raise
    was refused)."""
    name = invoice.number or str(invoice.id)
    moved = await money.move(
        [
            WalletMove(
                wallet_id,
                invoice.tenant_id,
                micros,
                TransactionKind.USAGE,
                f"Usage re-rated: invoice {name} under version {corrected.version}, "
                f"{micros_to_decimal(micros)} back",
                reference=f"re-rate:{invoice.id}",
            )
        ],
        now,
    )
    return moved[wallet_id]


async def _void_and_reissue(
    money: MoneyMovement, tenant: Tenant, current: Invoice, now: datetime
) -> tuple[Invoice, Invoice]:
    """As services.invoicing.corrections.void_invoice (a replacement built by the period
    close, carrying over what the voided invoice's close debited), then the replacement
    finalized: numbered and frozen."""
    settled = await invoices.settled_micros(current.id)
    voided_now = await re_rating.void_frozen(current.id, now)
    assert voided_now  # under the tenant's lock, its status was read above
    closed = await close_period(
        money,
        tenant,
        current.period,
        now,
        [current.source_id],
        carried_settlements={current.source_id: settled},
    )
    replacement_id = closed.created[0] if closed.created else None
    if replacement_id is None:  # the close found nothing to bill: still a replacement
        live = await live_invoices(tenant.id, current.period.start, [current.source_id])
        replacement_id = live[current.source_id].id
    await invoices.link_replacement(current.id, replacement_id)
    voided = await _reread(current.id)
    money.record(InvoiceVoided(voided, replacement_id))
    draft = await _reread(replacement_id)
    finalized = await finalize_drafts(money, tenant, [draft], now)
    return voided, finalized[0]


async def _reread(invoice_id: UUID) -> Invoice:
    found = await invoices.invoice_for_update(invoice_id)
    assert found is not None  # invoices are never deleted
    return found

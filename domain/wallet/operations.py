"""Operator credits and debits of a wallet: who may make them, and what a valid one looks like.

MANUAL top-ups and adjustments credit at once, so they only come from one level up: the platform
for a tenant's wallet, the tenant (or the platform) for its sources' wallets. A source key can top
up its own wallet by Stripe only (DESIGN.md §1.4).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum, StrEnum
from uuid import UUID

from domain.access import Caller, ForbiddenError, Role
from domain.errors import FieldProblem
from domain.money import decimal_to_micros
from domain.text import UNSTORABLE_TEXT, is_storable_text
from domain.wallet.ledger import TransactionKind, WalletTransaction
from domain.wallet.wallet import Wallet

MAX_AMOUNT = Decimal(10) ** 12
MONEY_PLACES = 6
MAX_REASON_LENGTH = 500
MAX_IDEMPOTENCY_KEY_LENGTH = 255
MANUAL_TOP_UP_DESCRIPTION = "Manual top-up"


class TopUpMethod(StrEnum):
    MANUAL = "MANUAL"
    STRIPE = "STRIPE"


class Sign(Enum):
    """What sign a money field may have."""

    ANY = "any"
    POSITIVE = "positive"
    NON_ZERO = "non-zero"
    NOT_NEGATIVE = "not negative"


def check_money(value: Decimal, field: str, sign: Sign = Sign.ANY) -> list[FieldProblem]:
    """Finite, at most 6 decimals, below 1e12 in size, with the sign the field needs."""
    if not value.is_finite():
        return [FieldProblem(field, "Must be a finite number.")]
    if abs(value) >= MAX_AMOUNT:
        return [FieldProblem(field, "Must be less than 1,000,000,000,000 in size.")]
    try:
        decimal_to_micros(value)
    except ValueError:
        return [FieldProblem(field, f"At most {MONEY_PLACES} decimal places.")]
    if sign is Sign.POSITIVE and value <= 0:
        return [FieldProblem(field, "Must be greater than zero.")]
    if sign is Sign.NON_ZERO and value == 0:
        return [FieldProblem(field, "Must not be zero.")]
    if sign is Sign.NOT_NEGATIVE and value < 0:
        return [FieldProblem(field, "Must not be negative.")]
    return []


def check_idempotency_key(key: str, field: str = "idempotencyKey") -> list[FieldProblem]:
    if not key.strip():
        return [FieldProblem(field, "An idempotency key is required.")]
    if len(key) > MAX_IDEMPOTENCY_KEY_LENGTH:
        return [FieldProblem(field, f"At most {MAX_IDEMPOTENCY_KEY_LENGTH} characters.")]
    if not is_storable_text(key):
        return [FieldProblem(field, "The key " + UNSTORABLE_TEXT)]
    return []


def check_reason(reason: str, field: str = "reason") -> list[FieldProblem]:
    if not reason.strip():
        return [FieldProblem(field, "A reason is required.")]
    if len(reason.strip()) > MAX_REASON_LENGTH:
        return [FieldProblem(field, f"At most {MAX_REASON_LENGTH} characters.")]
    if not is_storable_text(reason):
        return [FieldProblem(field, "The reason " + UNSTORABLE_TEXT)]
    return []


def check_top_up(
    amount: Decimal, idempotency_key: str, method: TopUpMethod, payment_method_id: str | None
) -> list[FieldProblem]:
    problems = check_money(amount, "amount", Sign.POSITIVE)
    problems += check_idempotency_key(idempotency_key)
    if method is TopUpMethod.MANUAL and payment_method_id is not None:
        problems.append(
            FieldProblem("paymentMethodId", "Only STRIPE top-ups are paid with a payment method.")
        )
    elif payment_method_id is not None and not is_storable_text(payment_method_id):
        problems.append(FieldProblem("paymentMethodId", "The id " + UNSTORABLE_TEXT))
    return problems


def check_adjustment(amount: Decimal, reason: str, idempotency_key: str) -> list[FieldProblem]:
    return (
        check_money(amount, "amount", Sign.NON_ZERO)
        + check_reason(reason)
        + check_idempotency_key(idempotency_key)
    )


def sees_wallet(caller: Caller, wallet: Wallet) -> bool:
    """A tenant's own (wholesale) wallet is never shown to its clients."""
    if wallet.source_id is None:
        return caller.sees_wholesale and caller.sees_tenant(wallet.tenant_id)
    return caller.sees_source(wallet.tenant_id, wallet.source_id)


def credits_at_once(caller: Caller, wallet: Wallet) -> bool:
    """May credit or debit the wallet without a payment: only from one level up."""
    if caller.is_platform:
        return True
    return (
        caller.role is Role.TENANT
        and wallet.source_id is not None
        and caller.tenant_id == wallet.tenant_id
    )


def require_credit_at_once(caller: Caller, wallet: Wallet) -> None:
    if not credits_at_once(caller, wallet):
        raise ForbiddenError(
            "Only the platform credits or debits a tenant's wallet without a payment; a tenant "
            "does so for its sources' wallets."
        )


def require_top_up_role(caller: Caller, method: TopUpMethod) -> None:
    """Decided before any lookup: a client portal pays, it never credits itself."""
    if caller.role is Role.SOURCE and method is TopUpMethod.MANUAL:
        raise ForbiddenError("A source key can top up its own wallet by Stripe only.")


def operation_hash(kind: TransactionKind, wallet_id: UUID, amount_micros: int, detail: str) -> str:
    """What makes two requests with one idempotency key "the same operation": a retry with the
    same hash answers the recorded transaction, another hash is a conflict."""
    parts = [kind.value, str(wallet_id), str(amount_micros), detail]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class PaymentIntent:
    """A Stripe PaymentIntent as the client needs it to confirm the payment."""

    id: str
    status: str
    client_secret: str | None


@dataclass(frozen=True, slots=True)
class WalletChange:
    """A wallet after an operation, with the transaction that credited or debited it (none yet
    for a Stripe top-up whose payment has not succeeded)."""

    wallet: Wallet
    transaction: WalletTransaction | None
    payment_intent: PaymentIntent | None = None

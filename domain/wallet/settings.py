"""A wallet's settings: its credit limit, low-balance threshold and auto-reload.

`configureWallet` is a partial update: the fields sent change, the others keep their value, and
the result as a whole must be consistent (auto-reload on needs a threshold, an amount and a
payment method; a monthly cap is at least one reload).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal

from domain.access import Caller
from domain.errors import FieldProblem, InvalidInputError
from domain.money import decimal_to_micros
from domain.text import UNSTORABLE_TEXT, is_storable_text
from domain.wallet.operations import Sign, check_money, credits_at_once
from domain.wallet.wallet import Wallet

MAX_PAYMENT_METHOD_ID_LENGTH = 255

# Input field -> (attribute, sign of the amount); paymentMethodId and autoReloadEnabled aside.
MONEY_SETTINGS = {
    "creditLimit": ("credit_limit_micros", Sign.NOT_NEGATIVE),
    "lowBalanceThreshold": ("low_balance_threshold_micros", Sign.ANY),
    "autoReloadThreshold": ("auto_reload_threshold_micros", Sign.ANY),
    "autoReloadAmount": ("auto_reload_amount_micros", Sign.POSITIVE),
    "autoReloadMonthlyCap": ("auto_reload_monthly_cap_micros", Sign.POSITIVE),
}
SETTINGS_FIELDS = (*MONEY_SETTINGS, "autoReloadEnabled", "paymentMethodId")
# Settings without a "nothing" value: a null leaves them as they are.
REQUIRED_SETTINGS = ("creditLimit", "autoReloadEnabled")


@dataclass(frozen=True, slots=True)
class WalletSettings:
    credit_limit_micros: int
    low_balance_threshold_micros: int | None
    auto_reload_enabled: bool
    auto_reload_threshold_micros: int | None
    auto_reload_amount_micros: int | None
    auto_reload_monthly_cap_micros: int | None
    payment_method_id: str | None


def settings_of(wallet: Wallet) -> WalletSettings:
    return WalletSettings(
        credit_limit_micros=wallet.credit_limit_micros,
        low_balance_threshold_micros=wallet.low_balance_threshold_micros,
        auto_reload_enabled=wallet.auto_reload_enabled,
        auto_reload_threshold_micros=wallet.auto_reload_threshold_micros,
        auto_reload_amount_micros=wallet.auto_reload_amount_micros,
        auto_reload_monthly_cap_micros=wallet.auto_reload_monthly_cap_micros,
        payment_method_id=wallet.payment_method_id,
    )


def may_set_credit_limit(caller: Caller, wallet: Wallet) -> bool:
    """A credit limit is credit extended by the level above, like a manual credit."""
    return credits_at_once(caller, wallet)


def configure(current: WalletSettings, changes: Mapping[str, object]) -> WalletSettings:
    """The settings after ``changes`` (input field -> value, only the fields sent; null clears
    an optional setting). InvalidInputError lists every problem by input field."""
    problems: list[FieldProblem] = []
    updates: dict[str, object] = {}
    for field, value in changes.items():
        if value is None:
            if field not in REQUIRED_SETTINGS:
                updates[_attribute(field)] = None
        elif field in MONEY_SETTINGS:
            assert isinstance(value, Decimal)
            attribute, sign = MONEY_SETTINGS[field]
            found = check_money(value, field, sign)
            problems += found
            if not found:
                updates[attribute] = decimal_to_micros(value)
        elif field == "paymentMethodId":
            assert isinstance(value, str)
            found = _check_payment_method_id(value)
            problems += found
            updates["payment_method_id"] = value.strip()
        else:
            assert field == "autoReloadEnabled" and isinstance(value, bool), field
            updates["auto_reload_enabled"] = value
    if problems:
        raise InvalidInputError(problems)
    result = replace(current, **updates)  # type: ignore[arg-type]
    problems = _check_auto_reload(result)
    if problems:
        raise InvalidInputError(problems)
    return result


def _attribute(field: str) -> str:
    return MONEY_SETTINGS[field][0] if field in MONEY_SETTINGS else "payment_method_id"


def _check_payment_method_id(value: str) -> list[FieldProblem]:
    if not value.strip():
        return [FieldProblem("paymentMethodId", "Send null to remove the payment method.")]
    if len(value.strip()) > MAX_PAYMENT_METHOD_ID_LENGTH:
        return [
            FieldProblem("paymentMethodId", f"At most {MAX_PAYMENT_METHOD_ID_LENGTH} characters.")
        ]
    if not is_storable_text(value):
        return [FieldProblem("paymentMethodId", "The id " + UNSTORABLE_TEXT)]
    return []


def _check_auto_reload(settings: WalletSettings) -> list[FieldProblem]:
    problems = []
    if settings.auto_reload_enabled:
        needed = (
            ("autoReloadThreshold", settings.auto_reload_threshold_micros),
            ("autoReloadAmount", settings.auto_reload_amount_micros),
            ("paymentMethodId", settings.payment_method_id),
        )
        problems += [
            FieldProblem(field, "Auto-reload needs this setting.")
            for field, value in needed
            if value is None
        ]
    cap, amount = settings.auto_reload_monthly_cap_micros, settings.auto_reload_amount_micros
    if cap is not None and amount is not None and cap < amount:
        problems.append(
            FieldProblem("autoReloadMonthlyCap", "Must be at least the auto-reload amount.")
        )
    return problems

"""Tenant (agency) and source (client) states."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from domain.errors import FieldProblem
from domain.periods import MAX_ANCHOR_DAY, MIN_ANCHOR_DAY, AnchorChange
from domain.text import UNSTORABLE_TEXT, is_storable_text

# Each pattern is used with fullmatch: `$` also matches before a trailing newline, which let
# "acme\n" be taken beside "acme".
SLUG_PATTERN = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", re.ASCII)
HEX_COLOR_PATTERN = re.compile(r"#[0-9a-fA-F]{6}", re.ASCII)
EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class StripeStatus(StrEnum):
    NOT_CONNECTED = "NOT_CONNECTED"
    PENDING = "PENDING"
    ACTIVE = "ACTIVE"
    RESTRICTED = "RESTRICTED"


class InvoiceApproval(StrEnum):
    MANUAL = "MANUAL"
    AUTOMATIC = "AUTOMATIC"


class SourceStatus(StrEnum):
    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"
    ARCHIVED = "ARCHIVED"


class BillingMode(StrEnum):
    PREPAID_WALLET = "PREPAID_WALLET"
    POSTPAID_INVOICE = "POSTPAID_INVOICE"


def rebilling_needs_stripe(billing_mode: BillingMode, stripe_status: StripeStatus) -> bool:
    """Postpaid sources are collected through Stripe, so rebilling them needs an active account.

    Prepaid sources pay from their wallet, which can be topped up manually.
    """
    return billing_mode is BillingMode.POSTPAID_INVOICE and stripe_status is not StripeStatus.ACTIVE


@dataclass(frozen=True, slots=True)
class Branding:
    display_name: str
    logo_url: str | None = None
    primary_color: str | None = None
    support_email: str | None = None
    invoice_footer: str | None = None


@dataclass(frozen=True, slots=True)
class InvoiceSettings:
    approval: InvoiceApproval = InvoiceApproval.MANUAL
    grace_period_hours: int = 72
    payment_terms_days: int = 14
    number_prefix: str = "INV-"
    # Oldest first; empty while the tenant bills by calendar month (domain.billing.period).
    billing_anchors: tuple[AnchorChange, ...] = ()


@dataclass(frozen=True, slots=True)
class StripeAccount:
    account_id: str | None
    status: StripeStatus
    charges_enabled: bool


@dataclass(frozen=True, slots=True)
class Tenant:
    id: UUID
    name: str
    slug: str
    currency: str
    rebilling_enabled: bool
    stripe: StripeAccount
    branding: Branding
    invoice_settings: InvoiceSettings
    wholesale_rate_card_id: UUID
    default_rate_card_id: UUID | None
    created_at: datetime
    # Margins under this many hundredths of a percent raise alerts (domain.margins.floor).
    margin_floor_basis_points: int | None = None


@dataclass(frozen=True, slots=True)
class Source:
    id: UUID
    tenant_id: UUID
    name: str
    external_id: str | None
    status: SourceStatus
    rebilling_enabled: bool
    billing_mode: BillingMode
    rate_card_id: UUID | None
    stripe_customer_id: str | None
    created_at: datetime
    # Where its invoices are e-mailed (sendInvoice); None until the agency sets one.
    billing_email: str | None = None


MAX_NAME_LENGTH = 200
MAX_URL_LENGTH = 2048
MAX_FOOTER_LENGTH = 2000
MAX_GRACE_PERIOD_HOURS = 24 * 31
MAX_PAYMENT_TERMS_DAYS = 365
NUMBER_PREFIX_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_/-]{0,19}", re.ASCII)

BRANDING_FIELDS = ("displayName", "logoUrl", "primaryColor", "supportEmail", "invoiceFooter")
INVOICE_SETTINGS_FIELDS = (
    "approval",
    "gracePeriodHours",
    "paymentTermsDays",
    "numberPrefix",
    "billingAnchorDay",
)


def check_text(text: str, field: str) -> list[FieldProblem]:
    """Text Rebill stores must encode as UTF-8 and hold no NUL (PostgreSQL refuses both)."""
    return [] if is_storable_text(text) else [FieldProblem(field, "The text " + UNSTORABLE_TEXT)]


def check_name(name: str, field: str = "name") -> list[FieldProblem]:
    if not is_storable_text(name):
        return check_text(name, field)
    if not name.strip():
        return [FieldProblem(field, "A name is required.")]
    if len(name.strip()) > MAX_NAME_LENGTH:
        return [FieldProblem(field, f"At most {MAX_NAME_LENGTH} characters.")]
    return []


def check_slug(slug: str) -> list[FieldProblem]:
    if not SLUG_PATTERN.fullmatch(slug):
        return [
            FieldProblem(
                "slug",
                "Use 1 to 63 lowercase letters, digits and hyphens, not starting or ending "
                "with a hyphen.",
            )
        ]
    return []


MAX_EMAIL_LENGTH = 320


def check_billing_email(email: str | None) -> list[FieldProblem]:
    """None (or, on an update, "") for no address; else one address, as a mail server takes it."""
    if email is None or email == "":
        return []
    if not is_storable_text(email):
        return check_text(email, "billingEmail")
    address = email.strip()
    if len(address) > MAX_EMAIL_LENGTH or not EMAIL_PATTERN.fullmatch(address):
        return [
            FieldProblem("billingEmail", "Use one e-mail address, like billing@client.example.")
        ]
    return []


def check_external_id(external_id: str | None) -> list[FieldProblem]:
    if external_id is not None and not is_storable_text(external_id):
        return check_text(external_id, "externalId")
    if external_id is not None and not 0 < len(external_id.strip()) <= MAX_NAME_LENGTH:
        return [FieldProblem("externalId", "Use 1 to 200 characters, or omit it.")]
    return []


def check_branding(
    changes: Mapping[str, str | None], field: str = "branding"
) -> list[FieldProblem]:
    """``changes`` holds only the fields the caller sent; None clears an optional field."""
    problems: list[FieldProblem] = []
    for name, text in changes.items():
        if text is not None and not is_storable_text(text):
            problems += check_text(text, f"{field}.{name}")
    # Each field is checked for its form only once it is known to be storable text.
    changes = {n: t for n, t in changes.items() if t is None or is_storable_text(t)}
    if "displayName" in changes:
        display_name = changes["displayName"]
        if display_name is None:
            problems.append(FieldProblem(f"{field}.displayName", "The display name is required."))
        else:
            problems += check_name(display_name, f"{field}.displayName")
    logo_url = changes.get("logoUrl")
    if logo_url is not None and (
        not logo_url.startswith(("https://", "http://")) or len(logo_url) > MAX_URL_LENGTH
    ):
        problems.append(FieldProblem(f"{field}.logoUrl", "Use an http(s) URL."))
    color = changes.get("primaryColor")
    if color is not None and not HEX_COLOR_PATTERN.fullmatch(color):
        problems.append(FieldProblem(f"{field}.primaryColor", "Use a hex colour like #1a2b3c."))
    email = changes.get("supportEmail")
    if email is not None and (not EMAIL_PATTERN.fullmatch(email) or len(email) > 320):
        problems.append(FieldProblem(f"{field}.supportEmail", "Use an email address."))
    footer = changes.get("invoiceFooter")
    if footer is not None and len(footer) > MAX_FOOTER_LENGTH:
        problems.append(
            FieldProblem(f"{field}.invoiceFooter", f"At most {MAX_FOOTER_LENGTH} characters.")
        )
    return problems


def check_invoice_settings(
    changes: Mapping[str, object], field: str = "invoiceSettings"
) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    for name in INVOICE_SETTINGS_FIELDS:
        if name in changes and changes[name] is None:
            problems.append(FieldProblem(f"{field}.{name}", "Cannot be cleared; omit it instead."))
    grace = changes.get("gracePeriodHours")
    if isinstance(grace, int) and not 0 <= grace <= MAX_GRACE_PERIOD_HOURS:
        problems.append(
            FieldProblem(f"{field}.gracePeriodHours", f"Use 0 to {MAX_GRACE_PERIOD_HOURS} hours.")
        )
    terms = changes.get("paymentTermsDays")
    if isinstance(terms, int) and not 0 <= terms <= MAX_PAYMENT_TERMS_DAYS:
        problems.append(
            FieldProblem(f"{field}.paymentTermsDays", f"Use 0 to {MAX_PAYMENT_TERMS_DAYS} days.")
        )
    anchor = changes.get("billingAnchorDay")
    if isinstance(anchor, int) and not MIN_ANCHOR_DAY <= anchor <= MAX_ANCHOR_DAY:
        problems.append(
            FieldProblem(
                f"{field}.billingAnchorDay",
                f"Use a day of the month from {MIN_ANCHOR_DAY} to {MAX_ANCHOR_DAY}.",
            )
        )
    prefix = changes.get("numberPrefix")
    if isinstance(prefix, str) and not NUMBER_PREFIX_PATTERN.fullmatch(prefix):
        problems.append(
            FieldProblem(
                f"{field}.numberPrefix",
                "Use 1 to 20 letters, digits, '-', '_' or '/', starting with a letter or digit.",
            )
        )
    return problems


def pays_from_wallet(rebilling_enabled: bool, billing_mode: BillingMode) -> bool:
    """Only a prepaid source that is being rebilled pays from its wallet, so only then does the
    wallet's floor matter (domain.billing.suspension)."""
    return rebilling_enabled and billing_mode is BillingMode.PREPAID_WALLET


def usage_allowed(source: Source, wallet_below_floor: bool) -> bool:
    """Whether the platform should let the source's agents consume."""
    if source.status is not SourceStatus.ACTIVE:
        return False
    return not (
        pays_from_wallet(source.rebilling_enabled, source.billing_mode) and wallet_below_floor
    )


@dataclass(frozen=True, slots=True)
class SourceCriteria:
    """Which of a tenant's sources a list shows."""

    status: SourceStatus | None = None
    rebilling_enabled: bool | None = None
    search: str | None = None

"""Process settings, parsed from an environment mapping (DESIGN.md §5).

Parsing is pure: the edge passes ``os.environ`` in, tests pass a dict.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import parseaddr
from enum import Enum

DEFAULT_DATABASE_URL = "sqlite://var/rebill.db"
DEFAULT_MAX_BODY_BYTES = 1_048_576
DEFAULT_MAX_BULK_BODY_BYTES = 16 * 1_048_576
# A client has this long from opening a connection (or starting its next request on a kept-alive
# one) to the end of its headers, and this long from there to the end of its body: a client that
# trickles bytes cannot hold a connection open. Real clients take milliseconds.
DEFAULT_HEADER_TIMEOUT_SECONDS = 10.0
DEFAULT_BODY_TIMEOUT_SECONDS = 30.0
# Beyond this many open connections (WebSockets included) a new request is answered 503.
DEFAULT_MAX_CONNECTIONS = 2_000
# The longest a request (or a job) waits for one Stripe call, the SDK's retries included; then
# the call answers PaymentProviderUnavailable and the same idempotency key retries it safely.
DEFAULT_STRIPE_TIMEOUT_SECONDS = 20.0
# SMTP submission (RFC 6409) with STARTTLS: what mail providers offer by default.
DEFAULT_SMTP_PORT = 587


class Environment(Enum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class SettingsError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class MailSettings:
    """SMTP for e-mailing invoices (adapters.mailer). Without a host and a sender address,
    e-mail is off: sendInvoice answers EmailNotConfigured."""

    smtp_host: str | None = None
    smtp_port: int = DEFAULT_SMTP_PORT
    smtp_username: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    smtp_starttls: bool = True
    # "billing@agency.example" or "Agency Billing <billing@agency.example>".
    mail_from: str | None = None

    @property
    def missing(self) -> tuple[str, ...]:
        """The environment variables e-mail still needs, in the order to set them."""
        names = {"REBILL_SMTP_HOST": self.smtp_host, "REBILL_MAIL_FROM": self.mail_from}
        return tuple(name for name, value in names.items() if value is None)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> MailSettings:
        def text(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        username, password = text("REBILL_SMTP_USERNAME"), env.get("REBILL_SMTP_PASSWORD") or None
        if (username is None) != (password is None):
            raise SettingsError("Set REBILL_SMTP_USERNAME and REBILL_SMTP_PASSWORD together")
        mail_from = text("REBILL_MAIL_FROM")
        if mail_from is not None and "@" not in parseaddr(mail_from)[1]:
            raise SettingsError(f"REBILL_MAIL_FROM must be an e-mail address, not {mail_from!r}")
        port = text("REBILL_SMTP_PORT")
        return cls(
            smtp_host=text("REBILL_SMTP_HOST"),
            smtp_port=DEFAULT_SMTP_PORT if port is None else _port(port, "REBILL_SMTP_PORT"),
            smtp_username=username,
            smtp_password=password,
            smtp_starttls=_flag(text("REBILL_SMTP_STARTTLS"), "REBILL_SMTP_STARTTLS", True),
            mail_from=mail_from,
        )


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    redis_url: str | None = None
    stripe_api_key: str | None = None
    stripe_webhook_secret: str | None = None
    stripe_api_base: str | None = None
    stripe_timeout_seconds: float = DEFAULT_STRIPE_TIMEOUT_SECONDS
    environment: Environment = Environment.PRODUCTION
    bootstrap_platform_key: str | None = None
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_bulk_body_bytes: int = DEFAULT_MAX_BULK_BODY_BYTES
    header_timeout_seconds: float = DEFAULT_HEADER_TIMEOUT_SECONDS
    body_timeout_seconds: float = DEFAULT_BODY_TIMEOUT_SECONDS
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    mail: MailSettings = MailSettings()

    @property
    def is_development(self) -> bool:
        return self.environment is Environment.DEVELOPMENT

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        def text(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        environment_name = (text("REBILL_ENV") or Environment.PRODUCTION.value).lower()
        try:
            environment = Environment(environment_name)
        except ValueError:
            raise SettingsError(
                f"REBILL_ENV must be development or production, not {environment_name!r}"
            ) from None
        max_body = text("REBILL_MAX_BODY_BYTES")
        if max_body is not None and not max_body.isdigit():
            raise SettingsError("REBILL_MAX_BODY_BYTES must be a positive integer")
        return cls(
            database_url=text("DATABASE_URL") or DEFAULT_DATABASE_URL,
            redis_url=text("REDIS_URL"),
            stripe_api_key=text("STRIPE_API_KEY"),
            stripe_webhook_secret=text("STRIPE_WEBHOOK_SECRET"),
            stripe_api_base=text("STRIPE_API_BASE"),
            stripe_timeout_seconds=_seconds(
                text("STRIPE_TIMEOUT_SECONDS"),
                "STRIPE_TIMEOUT_SECONDS",
                DEFAULT_STRIPE_TIMEOUT_SECONDS,
            ),
            environment=environment,
            bootstrap_platform_key=text("REBILL_BOOTSTRAP_PLATFORM_KEY"),
            max_body_bytes=int(max_body) if max_body else DEFAULT_MAX_BODY_BYTES,
            header_timeout_seconds=_seconds(
                text("REBILL_HEADER_TIMEOUT_SECONDS"),
                "REBILL_HEADER_TIMEOUT_SECONDS",
                DEFAULT_HEADER_TIMEOUT_SECONDS,
            ),
            body_timeout_seconds=_seconds(
                text("REBILL_BODY_TIMEOUT_SECONDS"),
                "REBILL_BODY_TIMEOUT_SECONDS",
                DEFAULT_BODY_TIMEOUT_SECONDS,
            ),
            max_connections=_count(
                text("REBILL_MAX_CONNECTIONS"), "REBILL_MAX_CONNECTIONS", DEFAULT_MAX_CONNECTIONS
            ),
            mail=MailSettings.from_env(env),
        )


def _seconds(value: str | None, name: str, default: float) -> float:
    """A positive number of seconds, at most a day ("0.5", "30")."""
    if value is None:
        return default
    try:
        seconds = float(value)  # a duration setting, not money: float is right here
    except ValueError:
        raise SettingsError(f"{name} must be a number of seconds, not {value!r}") from None
    if not 0 < seconds <= 86_400:
        raise SettingsError(f"{name} must be more than 0 and at most 86400 seconds")
    return seconds


def _count(value: str | None, name: str, default: int) -> int:
    if value is None:
        return default
    if not (value.isascii() and value.isdigit()) or int(value) == 0:
        raise SettingsError(f"{name} must be a positive integer, not {value!r}")
    return int(value)


def _port(value: str, name: str) -> int:
    if not (value.isascii() and value.isdigit()) or not 0 < int(value) < 65_536:
        raise SettingsError(f"{name} must be a port number (1-65535), not {value!r}")
    return int(value)


_FLAGS = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}


def _flag(value: str | None, name: str, default: bool) -> bool:
    if value is None:
        return default
    if value.lower() not in _FLAGS:
        raise SettingsError(f"{name} must be true or false, not {value!r}")
    return _FLAGS[value.lower()]

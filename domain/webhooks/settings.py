"""The webhook settings of a process, parsed from an environment mapping (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from domain.settings import Environment, SettingsError
from domain.webhooks.addresses import AddressPolicy

# Long enough for a receiver that queues the event and answers, short enough that a run of the
# relay is not held up by a few slow ones.
DEFAULT_SEND_TIMEOUT_SECONDS = 10.0
_TRUE, _FALSE = {"1", "true", "yes"}, {"0", "false", "no", ""}


@dataclass(frozen=True, slots=True)
class WebhookSettings:
    policy: AddressPolicy
    send_timeout_seconds: float = DEFAULT_SEND_TIMEOUT_SECONDS

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> WebhookSettings:
        """Public addresses only unless REBILL_ENV=development (production is the default, as
        for every setting); REBILL_WEBHOOKS_ALLOW_LOOPBACK=true lets a production-mode test
        reach its own local receiver."""
        name = (env.get("REBILL_ENV", "").strip() or Environment.PRODUCTION.value).lower()
        try:
            environment = Environment(name)
        except ValueError:
            raise SettingsError(
                f"REBILL_ENV must be development or production, not {name!r}"
            ) from None
        loopback = env.get("REBILL_WEBHOOKS_ALLOW_LOOPBACK", "").strip().lower()
        if loopback not in _TRUE | _FALSE:
            raise SettingsError("REBILL_WEBHOOKS_ALLOW_LOOPBACK must be true or false")
        policy = AddressPolicy(
            public_only=environment is Environment.PRODUCTION, allow_loopback=loopback in _TRUE
        )
        return cls(policy)

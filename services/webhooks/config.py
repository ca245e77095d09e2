"""The process's webhook settings: read from the environment on first use, or set (tests)."""

from __future__ import annotations

import os

from domain.webhooks.settings import WebhookSettings

_configured: WebhookSettings | None = None


def configure_webhooks(settings: WebhookSettings | None) -> None:
    """Sets the process's settings (None: read the environment on next use)."""
    global _configured
    _configured = settings


def webhook_settings() -> WebhookSettings:
    global _configured
    if _configured is None:
        _configured = WebhookSettings.from_env(os.environ)
    return _configured

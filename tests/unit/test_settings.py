from __future__ import annotations

import pytest

from domain.settings import DEFAULT_DATABASE_URL, Environment, Settings, SettingsError


def test_defaults_are_sqlite_in_production_mode() -> None:
    settings = Settings.from_env({})
    assert settings.database_url == DEFAULT_DATABASE_URL == "sqlite://var/rebill.db"
    assert settings.environment is Environment.PRODUCTION and not settings.is_development
    assert settings.redis_url is None and settings.bootstrap_platform_key is None


def test_every_documented_variable_is_read() -> None:
    settings = Settings.from_env(
        {
            "DATABASE_URL": "postgres://u@h/db",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "STRIPE_API_KEY": "sk_test",
            "STRIPE_WEBHOOK_SECRET": "whsec",
            "STRIPE_API_BASE": "http://127.0.0.1:12111",
            "REBILL_ENV": "Development",
            "REBILL_BOOTSTRAP_PLATFORM_KEY": " rbk_x ",
            "REBILL_MAX_BODY_BYTES": "2048",
        }
    )
    assert settings == Settings(
        database_url="postgres://u@h/db",
        redis_url="redis://127.0.0.1:6379/0",
        stripe_api_key="sk_test",
        stripe_webhook_secret="whsec",
        stripe_api_base="http://127.0.0.1:12111",
        environment=Environment.DEVELOPMENT,
        bootstrap_platform_key="rbk_x",
        max_body_bytes=2048,
    )


@pytest.mark.parametrize(
    ("name", "value"), [("REBILL_ENV", "staging"), ("REBILL_MAX_BODY_BYTES", "1e6")]
)
def test_bad_values_are_refused_with_the_variable_named(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})

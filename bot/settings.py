"""Runtime configuration, read once at start from the environment and `.env`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import phonenumbers
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./data/spotter.sqlite3"
TOKEN_PATTERN = re.compile(r"^\d{5,16}:[A-Za-z0-9_-]{30,64}$")


class SettingsError(Exception):
    """One clear line for the operator: which key is wrong and why."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    bot_token: SecretStr | None = None
    database_url: str = DEFAULT_DATABASE_URL
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_file_url: str = "https://api.telegram.org/file/bot"
    invite_ttl_hours: int = Field(default=168, ge=1, le=24 * 365)
    # An open form untouched this long is closed (and its stored state pruned at start).
    form_timeout_hours: int = Field(default=24, ge=1, le=24 * 365)
    default_phone_region: str = "US"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    concurrent_updates: int = Field(default=32, ge=1, le=1024)
    # "auto": uvloop where it is installed (Linux and macOS), else asyncio's own loop.
    event_loop: Literal["auto", "uvloop", "asyncio"] = "auto"

    @field_validator("log_level", mode="before")
    @classmethod
    def upper_log_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("bot_token", "webhook_url", "webhook_secret", mode="before")
    @classmethod
    def blank_is_none(cls, value: object) -> object:
        # `KEY=` in .env (as in .env.example) means "not set".
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("bot_token")
    @classmethod
    def check_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not TOKEN_PATTERN.match(value.get_secret_value().strip()):
            # Never echo the value: it is a secret even when malformed.
            raise ValueError("does not look like a bot token from @BotFather (digits:letters)")
        return value

    @field_validator("database_url")
    @classmethod
    def check_database_url(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return value

    @field_validator("telegram_api_url", "telegram_file_url", "webhook_url")
    @classmethod
    def check_http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value

    @field_validator("webhook_url")
    @classmethod
    def check_webhook_https(cls, value: str | None) -> str | None:
        # Telegram only delivers webhooks to https:// URLs.
        if value is not None and not value.startswith("https://"):
            raise ValueError("must be an https:// URL (Telegram only calls https webhooks)")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def check_webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        # Never echo the value. 16+ characters: a short secret can be guessed by trying.
        if value is not None and not re.fullmatch(
            r"[A-Za-z0-9_-]{16,256}", value.get_secret_value()
        ):
            raise ValueError("must be 16-256 characters of A-Z a-z 0-9 _ -")
        return value

    @field_validator("default_phone_region")
    @classmethod
    def check_region(cls, value: str) -> str:
        region = value.upper()
        if region not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError("must be a two-letter country code such as US, GB or DE")
        return region

    def require_token(self) -> str:
        if self.bot_token is None:
            raise SettingsError(
                "BOT_TOKEN is not set: get one from @BotFather and put it in .env"
                " (see .env.example)"
            )
        return self.bot_token.get_secret_value().strip()

    def require_webhook_secret(self) -> str:
        secret = self.webhook_secret.get_secret_value() if self.webhook_secret else ""
        if not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", secret):
            raise SettingsError(
                "WEBHOOK_SECRET is required in webhook mode: 16-256 characters of A-Z a-z 0-9 _ -"
            )
        return secret

    @property
    def database_kind(self) -> str:
        return "postgresql" if self.database_url.startswith("postgresql") else "sqlite"


def load_settings(env_file: str | Path | None = ".env") -> Settings:
    """Build settings, turning pydantic's report into one line that names the key."""
    try:
        return Settings(_env_file=env_file)
    except ValidationError as error:
        first = error.errors()[0]
        key = str(first["loc"][0]).upper() if first["loc"] else "settings"
        message = first["msg"].removeprefix("Value error, ")
        raise SettingsError(f"{key}: {message}") from None

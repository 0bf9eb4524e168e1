"""Settings from the environment and `.env` (documented, one by one, in `.env.example`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/formulyar.sqlite3"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    log_level: str = "INFO"
    # Where the search index is saved between runs (empty: rebuilt in memory at each start).
    search_index_dir: Path | None = Path("data/search-index")

    telegram_bot_token: SecretStr | None = None
    telegram_api_base: str = "https://api.telegram.org"
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None
    webhook_listen_host: str = "127.0.0.1"
    webhook_listen_port: int = 8080

    vk_group_token: SecretStr | None = None
    vk_group_id: int | None = None
    vk_api_base: str = "https://api.vk.ru/method"
    vk_callback_secret: SecretStr | None = None
    vk_confirmation_code: SecretStr | None = None
    vk_callback_path: str = "/vk/callback"

    max_bot_token: SecretStr | None = None
    max_api_base: str = "https://platform-api2.max.ru"
    max_webhook_url: str | None = None
    max_webhook_secret: SecretStr | None = None

    @field_validator("search_index_dir", "vk_group_id", mode="before")
    @classmethod
    def _empty_means_none(cls, value: object) -> object:
        return None if value == "" else value

    @property
    def has_telegram(self) -> bool:
        return self.telegram_bot_token is not None and bool(
            self.telegram_bot_token.get_secret_value()
        )

    @property
    def has_vk(self) -> bool:
        return self.vk_group_token is not None and bool(self.vk_group_token.get_secret_value())

    @property
    def has_messenger(self) -> bool:
        """A messenger's token is set: `python -m bot` serves it (else the console demo)."""
        return self.has_telegram or self.has_vk or self.has_max

    @property
    def has_max(self) -> bool:
        return self.max_bot_token is not None and bool(self.max_bot_token.get_secret_value())

    @property
    def vk_callback(self) -> bool:
        """VK events come by the Callback API (a secret is set), not by the Long Poll."""
        return self.vk_callback_secret is not None and bool(
            self.vk_callback_secret.get_secret_value()
        )

"""Settings from the environment (prefix AGENTCRON_) or a `.env` file; secrets stay SecretStr."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from agentcron.cadence.zones import resolve_zone

APP_NAME = "agentcron"


def _user_dir(kind: Literal["data", "config"]) -> Path:
    """Per-user folder following XDG on Linux, the platform convention elsewhere."""
    import os
    import sys

    home = Path.home()
    if sys.platform == "darwin":
        base = home / "Library" / ("Application Support" if kind == "data" else "Preferences")
    elif sys.platform == "win32":
        base = Path(os.environ.get("APPDATA", home / "AppData" / "Roaming"))
    else:
        env = "XDG_DATA_HOME" if kind == "data" else "XDG_CONFIG_HOME"
        default = home / (".local/share" if kind == "data" else ".config")
        base = Path(os.environ.get(env) or default)
    return base / APP_NAME


class Settings(BaseSettings):
    """Every knob agentcron reads; see the settings table in docs/operations.md."""

    model_config = SettingsConfigDict(
        env_prefix="AGENTCRON_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    backend: Literal["local", "langgraph", "toolhouse", "handinger", "unique"] = "local"
    timezone: str = Field(default="UTC", description="Default IANA zone for new schedules.")
    db: str = Field(
        default_factory=lambda: str(_user_dir("data") / "agentcron.db"),
        description="SQLite file path, or a postgresql:// URL (needs agentcron[postgres]).",
    )
    assistants: Path = Field(default_factory=lambda: _user_dir("config") / "assistants.toml")
    runner: Literal["on", "off"] = "on"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    http_token: SecretStr | None = None
    lease_seconds: float = Field(
        default=30.0, ge=3.0, le=30.0,
        description="Runner lease expiry: a run whose runner is silent this long is interrupted.",
    )

    # Hosted backends (see docs/backend-*.md and ../shared/backends.md).
    langgraph_url: str | None = None
    langgraph_api_key: SecretStr | None = None
    toolhouse_url: str = "https://api.toolhouse.ai"
    toolhouse_api_key: SecretStr | None = None
    handinger_url: str = "https://handinger.com"
    handinger_api_key: SecretStr | None = None
    handinger_worker_id: str | None = None
    unique_url: str = "https://gateway.unique.app/public/chat-gen2"
    unique_api_key: SecretStr | None = None
    unique_company_id: str | None = None
    unique_user_id: str | None = None
    unique_app_id: str | None = None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return resolve_zone(value)

    @field_validator("db", mode="before")
    @classmethod
    def _path_text(cls, value: object) -> object:
        return str(value) if isinstance(value, Path) else value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

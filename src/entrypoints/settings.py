"""Settings from POSTWIZARD_* environment variables or a .env file."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

_REPO_FRONTEND = Path(__file__).resolve().parents[2] / "frontend" / "build"


def default_data_dir() -> Path:
    """The per-user data dir; /var/lib/postwizard for root, whose home the embedded
    PostgreSQL (running as its own system user) could not enter without loosening it."""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return Path("/var/lib/postwizard")
    return Path(platformdirs.user_data_dir("postwizard"))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="POSTWIZARD_", env_file=".env", extra="ignore")

    database_url: str | None = Field(
        default=None, description="PostgreSQL URL; when unset, an embedded PostgreSQL runs under the data dir")
    read_replica_url: str | None = Field(default=None, description="optional replica for queries")
    data_dir: Path = Field(default_factory=default_data_dir,
                           description="embedded database, key file and uploads")
    secret_key: str | None = Field(
        default=None, description="32-byte base64url key encrypting tokens at rest; else a key file in the data dir")
    host: str = "127.0.0.1"
    port: int = 8000
    secure_cookies: bool = Field(default=False, description="mark cookies Secure (set when served over HTTPS)")
    db_pool_size: int = Field(default=10, ge=1, le=200)
    frontend_dir: Path = Field(default=_REPO_FRONTEND, description="the built UI to serve at /")
    projection_interval: float = Field(default=1.0, gt=0, description="seconds between background projection runs")
    log_level: str = "INFO"

    @property
    def key_file(self) -> Path:
        return self.data_dir / "secret.key"

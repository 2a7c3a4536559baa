"""Settings from POSTWIZARD_* environment variables or a .env file."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Literal

import platformdirs
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from adapters.shared.address_policy import AddressPolicy

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
    db_pool_size: int = Field(default=8, ge=1, le=200, description="connections per pool; a process holds at "
                              "most 2x this + 5 (the embedded PostgreSQL allows 100 in all)")
    frontend_dir: Path = Field(default=_REPO_FRONTEND, description="the built UI to serve at /")
    projection_interval: float = Field(default=1.0, gt=0, description="seconds between background projection runs")
    health_max_projection_lag: int = Field(default=1000, ge=0, description="/health says degraded (503) when the "
                                           "read tables are more events than this behind the log")
    health_max_set_aside: int = Field(default=0, ge=0, description="/health says degraded (503) when more events "
                                      "than this are set aside (see `postwizard projections status`)")
    log_level: str = "INFO"

    # Platforms: where each one lives (the simulator in demo mode and tests), and PostWizard's X app.
    public_url: str = Field(default="", description="the URL browsers reach PostWizard at (OAuth redirects); "
                                                    "default http://HOST:PORT")
    bluesky_pds_url: str = "https://bsky.social"
    x_api_url: str = "https://api.x.com"
    x_authorize_url: str = "https://x.com"
    x_client_id: str | None = Field(default=None, description="the OAuth 2.0 client id of your X app")
    x_client_secret: str | None = Field(default=None, description="its secret (confidential clients)")
    simulator_url: str | None = Field(default=None, description="use the platform simulator at this URL for every "
                                                                 "platform (set by `serve --demo`)")
    allowed_private_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="comma-separated host names, IP addresses or CIDR networks that users may "
        "name as servers although they are private (a self-hosted instance on the LAN); http is allowed to them")

    @field_validator("allowed_private_hosts", mode="before")
    @classmethod
    def _host_list(cls, value: str | list[str]) -> list[str]:
        """'mastodon.lan, 10.0.0.0/8' (or a list); each entry must be a host name, an address or a network."""
        entries = [e for e in re.split(r"[,\s]+", value) if e] if isinstance(value, str) else value
        AddressPolicy.build(entries)  # ValueError naming the bad entry
        return entries

    platform_timeout: float = Field(default=15.0, gt=0, description="seconds to wait for a platform's answer "
                                                                   "before the attempt counts as unconfirmed")

    # Captions: any OpenAI-compatible endpoint; without one, the embedded model runs on this machine.
    llm_base_url: str | None = Field(default=None, description="an OpenAI-compatible endpoint, e.g. "
                                     "https://api.openai.com/v1 or http://127.0.0.1:11434/v1 (Ollama); "
                                     "unset: the embedded model")
    llm_api_key: SecretStr | None = Field(default=None, description="its API key (never logged)")
    llm_model: str = Field(default="gpt-4o-mini", description="the model (an Azure deployment's name with "
                                                              "POSTWIZARD_LLM_API_VERSION)")
    llm_api_version: str | None = Field(default=None, description="set for Azure OpenAI deployments")
    llm_structured_output: bool | None = Field(default=None, description="JSON-schema answers: unset tries "
                                                                       "them and falls back to plain text")
    llm_timeout: float = Field(default=60.0, gt=0, description="seconds to wait for the model per request")
    llm_max_retries: int = Field(default=2, ge=0, le=10, description="retries on 429, 5xx and timeouts, "
                                                                   "with backoff")
    llm_threads: int = Field(default=2, ge=1, le=64, description="CPU threads of the embedded model")
    caption_limit_per_hour: int = Field(default=120, ge=1, description="caption generations per workspace "
                                                                        "per hour")
    caption_limit_per_user_per_hour: int = Field(default=120, ge=1, description="caption generations per user "
                                                 "per hour, across all their workspaces")

    # Accounts.
    signup: Literal["open", "invite", "closed"] | None = Field(
        default=None, description="who may sign up: open, invite (with an invitation only) or closed (the "
                                  "operator creates accounts); default open in demo mode, else invite. The "
                                  "first user of an installation may always sign up")
    max_workspaces_per_user: int = Field(default=20, ge=1, description="workspaces one person may own")

    # Workers.
    worker_concurrency: int = Field(default=20, ge=1, le=500, description="publishing jobs run at once per worker")
    worker_poll_interval: float = Field(default=0.2, gt=0, description="seconds between polls for due jobs")

    # Request size: bodies over these are cut while they arrive and answered 413.
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024, description="largest request body (JSON, forms)")
    max_upload_bytes: int = Field(default=16 * 1024 * 1024, ge=1024, description="largest image upload "
                                  "(POST .../media); the file is spooled to disk, never held in memory")

    @property
    def key_file(self) -> Path:
        return self.data_dir / "secret.key"

    def signup_mode(self) -> str:
        """POSTWIZARD_SIGNUP, else open in demo mode (the simulator stands in for the platforms), else invite."""
        return self.signup or ("open" if self.simulator_url else "invite")

    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

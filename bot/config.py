"""Settings, read from the environment (and `.env`). Every field has a line in `.env.example`."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Zalo's media CDNs (photo-stal.zdn.vn, s120-ava-talk.zadn.vn, ...); a refused host is logged by name.
ZALO_MEDIA_HOSTS = ("zdn.vn", "zadn.vn", "zalo.me", "zaloplatforms.com")


class Settings(BaseSettings):
    """All runtime configuration. Defaults work with nothing configured (SQLite + console chat)."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True
    )

    database_url: str = Field(
        default=f"sqlite+aiosqlite:///{PROJECT_ROOT / 'data' / 'hocvuso.db'}",
        description="SQLAlchemy async URL: sqlite+aiosqlite:///path or postgresql+asyncpg://user@host/db",
    )
    content_dir: Path = Field(default=PROJECT_ROOT / "content", description="Lessons, places and media")
    uploads_dir: Path = Field(
        default=PROJECT_ROOT / "data" / "media" / "uploads",
        description="Photos team members attach to announcements (served at /media/uploads/)",
    )
    voice_cache_dir: Path = Field(
        default=PROJECT_ROOT / "data" / "media" / "voice",
        description="Voice messages cached by content hash (served at /media/voice/; `hocvuso content audio`)",
    )
    voice_words_per_minute: int = Field(default=140, description="Speed of the synthesized Vietnamese voice")
    timezone: str = Field(default="Asia/Ho_Chi_Minh", description="Time zone for schedules and reports")
    campaign_end: date = Field(
        default=date(2026, 12, 31),
        description="Last day of the campaign: a village whose pace will not reach the target by then is «chưa đạt»",
    )

    telegram_bot_token: str | None = Field(default=None, description="Telegram bot token; enables Telegram")
    telegram_api_base_url: str = Field(default="https://api.telegram.org", description="Bot API server")
    telegram_bot_username: str | None = Field(
        default=None, description="The bot's @username without @: check-in pages link to t.me/<username>?start=…"
    )
    telegram_webhook_secret: str | None = Field(default=None, description="Secret header for the webhook")
    telegram_rate_overall: float = Field(
        default=30.0, gt=0, description="Messages per second for the bot token: replies first, broadcasts the rest"
    )
    telegram_rate_per_chat: float = Field(default=1.0, gt=0, description="Broadcast messages per second, per chat")

    zalo_bot_token: str | None = Field(default=None, description="Zalo Bot API token; enables Zalo")
    zalo_api_base_url: str = Field(default="https://bot-api.zaloplatforms.com", description="Zalo Bot API")
    zalo_webhook_secret: str | None = Field(default=None, description="Secret header for the Zalo webhook")
    zalo_rate_overall: float = Field(
        default=5.0, gt=0, description="Zalo OA messages per second: replies first, broadcasts the rest"
    )
    zalo_media_hosts: list[str] = Field(
        default=list(ZALO_MEDIA_HOSTS),
        description="Hosts (and their subdomains) photos users send on Zalo are fetched from, https only (JSON list)",
    )

    zalo_oa_app_id: str | None = Field(default=None, description="Zalo OA app id (enables the OA)")
    zalo_oa_secret_key: str | None = Field(default=None, description="Zalo OA app secret key")
    zalo_oa_refresh_token: str | None = Field(
        default=None, description="Zalo OA: the first refresh token; then the bot keeps the current one in the DB"
    )
    zalo_oa_api_base_url: str = Field(default="https://openapi.zalo.me", description="Zalo OA OpenAPI")
    zalo_oauth_base_url: str = Field(default="https://oauth.zaloapp.com", description="Zalo OAuth v4 server")
    zalo_oa_rate: float = Field(default=5.0, description="Zalo OA messages per second (conservative)")

    webhook_url: str | None = Field(default=None, description="Public base URL; set it to use webhooks")
    web_host: str = Field(default="127.0.0.1", description="Web app bind address")
    web_port: int = Field(default=8080, description="Web app port (dashboard, webhooks, /healthz)")
    public_base_url: str = Field(default="http://127.0.0.1:8080", description="URL used in login links")
    session_hours: int = Field(default=12, description="Dashboard session lifetime in hours")
    dedupe_secret: str | None = Field(
        default=None,
        description="HMAC key for processed-update keys; unset: generated once and stored in the database",
    )
    walk_in_name_retention_days: int = Field(
        default=30, description="Names typed for walk-in attendees are dropped this many days after marking"
    )
    dedupe_retention_hours: int = Field(
        default=72, description="Processed-update keys older than this are deleted (daily job)"
    )
    metrics_token: str | None = Field(
        default=None, description="Bearer token for /metrics; unset: only direct requests from this machine"
    )

    reminder_offsets_minutes: list[int] = Field(
        default=[24 * 60, 60], description="Class reminders, minutes before start (JSON list)"
    )
    scheduler_tick_seconds: float = Field(
        default=30.0, description="How often each instance renews or tries to take the scheduler lease"
    )
    scheduler_lease_seconds: float = Field(
        default=90.0, description="Scheduler lease lifetime; a dead leader is replaced within this plus one tick"
    )
    instance_id: str = Field(
        default="", description="Name of this instance in logs and leases (default: the host name, see bot/instance.py)"
    )
    log_level: str = Field(default="INFO", description="Python logging level")
    log_format: str = Field(default="text", description="Log lines as text or json (one object per line)")

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def lessons_dir(self) -> Path:
        return self.content_dir / "lessons"

    @property
    def practice_dir(self) -> Path:
        """QR pictures of practice tasks (served at /media/practice/, names unguessable)."""
        return self.uploads_dir.parent / "practice"

    @property
    def places_file(self) -> Path:
        return self.content_dir / "places.yaml"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def settings_problems(err: ValidationError) -> list[str]:
    """One line per invalid setting, named as in the environment, e.g.
    "TELEGRAM_RATE_OVERALL='0': Input should be greater than 0"."""
    lines = []
    for problem in err.errors():
        name = "_".join(str(part) for part in problem["loc"]).upper() or "settings"
        lines.append(f"{name}={problem.get('input')!r}: {problem['msg']}")
    return lines

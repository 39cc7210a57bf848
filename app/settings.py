"""All configuration in one object, read from the environment (prefix ``SAMLING_``).

The defaults just work on a laptop: a SQLite file in the working folder and an
in-process broadcast bus, no other service.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SAMLING_", env_file=".env", extra="ignore", populate_by_name=True
    )

    # The database and the bus also answer to the names hosting platforms set.
    database_url: str = Field(
        "sqlite:///samling.db",
        validation_alias=AliasChoices("SAMLING_DATABASE_URL", "DATABASE_URL", "database_url"),
        description="SQLAlchemy URL of the database.",
    )
    bus_url: str = Field(
        "memory://",
        validation_alias=AliasChoices("SAMLING_BUS_URL", "REDIS_URL", "bus_url"),
        description="Broadcast bus between server processes.",
    )
    programs_dir: Path = Field(Path("exercises"), description="Folder with the workshop program files.")
    public_url: str = Field("", description="Address phones use to join, e.g. http://10.0.0.5:8000.")
    time_scale: float = Field(
        1.0, gt=0, le=1, description="Multiplies every phase duration (0.01 makes 5 minutes 3 seconds)."
    )
    default_language: str = Field("nb", pattern="^(nb|en)$", description="UI language: nb or en.")
    max_message_bytes: int = Field(16_384, ge=1024, description="Largest WebSocket message accepted.")
    messages_per_second: float = Field(5.0, gt=0, description="Sustained messages per second per phone.")
    message_burst: int = Field(20, ge=1, description="Messages a phone may send at once.")
    room_messages_per_second: float = Field(
        3000.0, gt=0, description="Sustained messages per second per room: a flood guard, above real bursts."
    )
    room_backlog: int = Field(
        500,
        ge=1,
        description="Actions waiting for a room's write beyond which a phone's action waits in line.",
    )
    join_attempts_per_minute: int = Field(
        20, ge=1, description="Wrong room codes per minute per address (right ones are never counted)."
    )
    workshops_per_hour: int = Field(60, ge=1, description="Workshops one address may create per hour.")
    sign_in_attempts_per_minute: int = Field(
        10, ge=1, description="Sign-in attempts per minute per address (hosted mode)."
    )
    idle_minutes: float = Field(
        10, gt=0, description="A room with no screens and no writes this long leaves memory."
    )
    hosted: bool = Field(
        False, description="Hosted mode: only signed-in facilitators create and reopen workshops."
    )
    trusted_proxies: str = Field(
        "127.0.0.1",
        description="Addresses (or networks) of reverse proxies whose X-Forwarded-For/-Proto are believed.",
    )
    workbook_requests_per_minute: int = Field(
        30, ge=1, description="Requests per minute to one personal take-home link."
    )
    send_queue_size: int = Field(64, ge=4, description="Frames queued for a slow phone before it is dropped.")
    board_interval_ms: int = Field(
        200,
        ge=0,
        description="Shortest time between two updates of the shared results on the staff screens.",
    )
    idle_timeout_seconds: float = Field(
        18.0,
        gt=0,
        description="Silence after which a connection counts as dead and its phone as offline "
        "(the browser pings every 8 s).",
    )
    snapshot_every: int = Field(50, ge=1, description="Store a room snapshot every N actions.")
    purge_after_days: float = Field(
        30, ge=0, description="Delete closed workshops and all their data after this many days."
    )


@lru_cache
def get_settings() -> Settings:
    return Settings()

"""Configuration from the environment (prefix BEELDKLUIS_), refusing unsafe defaults outside development."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Credentials that ship in examples and must never reach production.
KNOWN_DEFAULT_SECRETS = frozenset(
    {"", "minioadmin", "changeme", "secret", "password", "beeldkluis"}
)


class Environment(StrEnum):
    development = "development"
    test = "test"
    production = "production"


class StoreBackend(StrEnum):
    local = "local"
    s3 = "s3"


class KeyProviderKind(StrEnum):
    local = "local"
    transit = "transit"


def default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "beeldkluis"


class Settings(BaseSettings):
    """Every setting, with the embedded default that `beeldkluis serve` runs on."""

    model_config = SettingsConfigDict(env_prefix="BEELDKLUIS_", env_file=None, extra="ignore")

    environment: Environment = Environment.development
    data_dir: Path = Field(default_factory=default_data_dir)
    host: str = "127.0.0.1"
    port: int = 8420
    forwarded_allow_ips: str = "127.0.0.1"  # proxies whose X-Forwarded-For/-Proto are believed
    public_url: str = ""

    # Database: SQLite in the data dir by default; PostgreSQL in production.
    database_url: str = ""
    # PostgreSQL: the unprivileged role `serve` and `worker` run as. `migrate` (run as the owner role) grants
    # it the tables, and on the access log only SELECT and INSERT (docs/operator-guide.md).
    database_service_role: str = Field(default="", pattern=r"^([a-z_][a-z0-9_]{0,62})?$")

    # Object storage.
    store: StoreBackend = StoreBackend.local
    s3_endpoint: str = "127.0.0.1:9000"
    s3_access_key: SecretStr = SecretStr("")
    s3_secret_key: SecretStr = SecretStr("")
    s3_app_secret_key: SecretStr = SecretStr(
        ""
    )  # only for `beeldkluis store provision`: the app account's secret
    s3_secure: bool = False
    s3_region: str = "us-east-1"
    bucket: str = "beeldkluis"
    worm_bucket: str = "beeldkluis-worm"
    worm_retention_days: int = 5 * 366

    # Jobs: a filesystem broker in the data dir by default (real Celery, no server needed).
    broker_url: str = ""
    embedded_worker: bool = True

    # Keys.
    key_provider: KeyProviderKind = KeyProviderKind.local
    master_key_file: Path | None = None
    transit_url: str = ""
    transit_token: SecretStr = SecretStr("")
    transit_key: str = "beeldkluis"

    # Crypto-shredding in backups: rotate the master key regularly and forget old versions once every
    # database backup that could still hold keys wrapped by them has expired.
    master_rotation_days: int = 90
    backup_retention_days: int = 35

    # Tokens.
    secret_key: SecretStr = SecretStr("")
    token_issuer: str = "beeldkluis"  # noqa: S105 - a name, not a secret
    token_audience: str = "beeldkluis-api"  # noqa: S105 - a name, not a secret
    access_token_minutes: float = Field(default=10, gt=0)  # API clients refresh before it runs out
    refresh_token_hours: int = 12
    device_poll_seconds: int = Field(default=5, ge=1)  # the command line's sign-in: poll interval
    web_idle_minutes: int = Field(default=30, ge=1)  # a browser session ends after this long unused
    max_failed_sign_ins: int = 5
    lockout_minutes: int = 15
    sign_in_rate_per_ip: int = 30  # failed attempts per address per 5 minutes

    # Uploads.
    upload_max_bytes: int = 20 * 1024**3
    upload_quota_bytes: int = 500 * 1024**3
    # How long a tus PATCH holds its upload without a sign of life (renewed every third of it); the
    # claim of a process that died runs out after this and the client goes on elsewhere (ADR 0010).
    upload_claim_s: int = 60

    # Streaming.
    stream_token_minutes: int = 5
    stream_max_jobs: int = (
        2  # live review streams per user at once (capacity is the stream workers')
    )
    stream_workers: int = 2  # processes of `serve`'s embedded worker for the stream queue
    # CPU budget per queue: the nice value a worker (and every ffmpeg it starts) runs at. A worker for
    # several queues takes the lowest. At 10 a busy core gives long work about a tenth of its time while
    # a viewer's segments (0) want it, and all of it when nobody watches (docs/adr/0008).
    queue_nice: dict[str, int] = Field(
        default_factory=lambda: {
            "stream": 0,
            "ingest": 10,
            "media": 10,
            "export": 10,
            "purge": 10,
            "default": 10,
        }
    )
    watermark_corner: str = "bottom-right"

    # The parents' export: how long a built package is kept, how long a download link works, how
    # many wrong codes a link takes before it is blocked, and how many complete downloads it allows
    # (a resumed download counts once; ADR 0015).
    export_keep_days: int = 14
    export_link_days: int = 7
    export_link_attempts: int = 5
    export_link_downloads: int = 3
    export_link_downloads: int = (
        3  # complete downloads a parents' link allows (a resumed one counts once)
    )
    # The lease of a task building a package: renewed every quarter of it; a package whose lease ran
    # out (its worker died) is built again by the next task, or failed after three attempts.
    export_lease_s: int = 300

    # Media. A normalised proxy of each upload makes review segments start faster (bench/stream.py).
    make_proxies: bool = True
    audit_review_days: int = Field(
        default=7, ge=1
    )  # the privacy officer's systematic log review, this often
    audit_checkpoint_seconds: int = (
        300  # a signed tree head this often; /health is degraded past twice that
    )
    ffmpeg: str = "ffmpeg"
    ffprobe: str = "ffprobe"

    @model_validator(mode="after")
    def _refuse_unsafe_outside_development(self) -> Settings:
        if self.environment is not Environment.production:
            return self
        problems: list[str] = []
        if (
            self.secret_key.get_secret_value() in KNOWN_DEFAULT_SECRETS
            or len(self.secret_key.get_secret_value()) < 32
        ):
            problems.append(
                "BEELDKLUIS_SECRET_KEY moet een willekeurige waarde van minstens 32 tekens zijn"
            )
        if not self.database_url or self.database_url.startswith("sqlite"):
            problems.append("BEELDKLUIS_DATABASE_URL moet naar PostgreSQL wijzen")
        if self.store is StoreBackend.s3 and (
            self.s3_access_key.get_secret_value() in KNOWN_DEFAULT_SECRETS
            or self.s3_secret_key.get_secret_value() in KNOWN_DEFAULT_SECRETS
        ):
            problems.append("BEELDKLUIS_S3_ACCESS_KEY/SECRET_KEY mogen geen standaardwaarden zijn")
        if (
            self.key_provider is KeyProviderKind.transit
            and not self.transit_token.get_secret_value()
        ):
            problems.append("BEELDKLUIS_TRANSIT_TOKEN ontbreekt")
        if self.broker_url.startswith("filesystem") or not self.broker_url:
            problems.append("BEELDKLUIS_BROKER_URL moet naar Redis of RabbitMQ wijzen")
        if problems:
            raise ValueError(
                "Onveilige configuratie voor productie / unsafe production configuration: "
                + "; ".join(problems)
            )
        return self

    # Derived locations -------------------------------------------------------------------------

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'beeldkluis.db'}"

    @property
    def effective_broker_url(self) -> str:
        return self.broker_url or "filesystem://"

    @property
    def broker_folder(self) -> Path:
        return self.data_dir / "broker"

    @property
    def store_dir(self) -> Path:
        return self.data_dir / "objects"

    @property
    def effective_master_key_file(self) -> Path:
        return self.master_key_file or self.data_dir / "master.key"

    @property
    def signing_key_file(self) -> Path:
        return self.data_dir / "signing.key"

    @property
    def is_development(self) -> bool:
        return self.environment is Environment.development


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()

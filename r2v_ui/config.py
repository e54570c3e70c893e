"""One frozen Settings object, read from the environment when asked (never at import).

The API key is held in a `Secret` whose repr and str never show it, so a Settings object can be
logged or shown in a traceback without leaking the key.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Mapping

from .price import PriceTable
from .spec import DEFAULT_BASE_URL, DEFAULT_PRICE_PER_SECOND


class Secret:
    """A string that does not print itself."""

    __slots__ = ("_value",)

    def __init__(self, value: str | None):
        self._value = (value or "").strip() or None

    def get(self) -> str | None:
        return self._value

    def __bool__(self) -> bool:
        return self._value is not None

    def __repr__(self) -> str:
        return "Secret('**********')" if self._value else "Secret(None)"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self):  # never pickled into a file by accident with its value
        raise TypeError("a Secret cannot be pickled")


HOSTING_BACKENDS = ("auto", "emulator", "url", "s3", "public")


def default_data_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "r2v-studio"


@dataclass(frozen=True)
class Settings:
    api_key: Secret = field(default_factory=lambda: Secret(None))
    base_url: str = DEFAULT_BASE_URL
    data_dir: Path = field(default_factory=default_data_dir)
    host: str = "127.0.0.1"
    port: int = 7860
    share: bool = False
    auth: tuple[tuple[str, str], ...] = ()
    price: PriceTable = field(default_factory=PriceTable)
    # The embedded emulator (used when no API key is set)
    emulator_port: int = 0  # 0: any free loopback port
    emulator_finish_seconds: float = 8.0
    # Reference hosting (issue 5): auto = emulator in demo mode, otherwise what is configured
    hosting: str = "auto"
    public_base_url: str | None = None
    s3_bucket: str | None = None
    s3_endpoint: str | None = None
    s3_prefix: str = "r2v-references/"
    s3_region: str | None = None
    s3_url_ttl_seconds: int = 6 * 3600
    # Polling: task-result reads a minute per API key (the provider limits each account; the
    # embedded emulator is not budgeted).  30 is a stance: the provider publishes no number.
    poll_requests_per_minute: int = 30
    # Reach: Hugging Face Spaces and MCP
    space_host: str | None = None  # SPACE_HOST on a Hugging Face Space (e.g. name-space.hf.space), served over https
    data_dir_chosen: bool = False  # R2V_DATA_DIR / --data-dir given: the owner chose where data lives
    mcp: bool = False  # also serve the studio's tools to AI assistants (MCP) at /gradio_api/mcp/
    # Money (r2v_ui/budget.py): None means no such budget.  In the price settings' currency.
    budget_day: float | None = None  # R2V_BUDGET_DAY: the whole studio, per day (midnight to midnight)
    budget_month: float | None = None  # R2V_BUDGET_MONTH: the whole studio, per calendar month
    budget_person_day: float | None = None  # R2V_BUDGET_PERSON_DAY: each login, or each browser when shared
    max_running_person: int | None = None  # R2V_MAX_RUNNING_PERSON; None: 4 when reachable by others, else no limit
    admins: tuple[str, ...] = ()  # R2V_ADMINS: with --auth, the logins that may see the Spend view
    timezone: str | None = None  # R2V_TIMEZONE: where a budget's day starts at midnight (None: the machine's zone)
    # Links users paste may lead to private/local addresses even on a studio others reach (hosting/link_guard.py)
    allow_private_links: bool = False

    @property
    def demo(self) -> bool:
        """Demo mode: no key in the environment, so the embedded emulator serves everything."""
        return not self.api_key

    @property
    def on_space(self) -> bool:
        """Running as a Hugging Face Space (SPACE_HOST is set there)."""
        return bool(self.space_host)

    @property
    def reachable_by_others(self) -> bool:
        """Other people can open this studio: a share link, an address other than loopback, a Space, or
        a public address (PUBLIC_BASE_URL).  What depends on it: per-browser workspaces, the startup
        warning about a key anyone could spend, and which addresses pasted links may lead to."""
        return self.share or self.on_space or bool(self.public_base_url) or not is_loopback(self.host)

    @property
    def running_limit(self) -> int | None:
        """Most unfinished jobs one person may have at once (None: no limit): R2V_MAX_RUNNING_PERSON,
        else 4 on a studio others can reach and no limit on loopback."""
        if self.max_running_person is not None:
            return self.max_running_person if self.max_running_person > 0 else None
        return 4 if self.reachable_by_others else None

    @property
    def data_dir_temporary(self) -> bool:
        """On a Space the disk is wiped at each restart unless storage is attached; the studio takes
        its data folder as kept only when the owner names one (R2V_DATA_DIR, pointing at that storage)."""
        return self.on_space and not self.data_dir_chosen

    def with_overrides(self, **kw) -> "Settings":
        return replace(self, **kw)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        env = os.environ if env is None else env

        def num(name: str, default: float, kind=float):
            raw = env.get(name)
            if raw is None or raw.strip() == "":
                return default
            try:
                return kind(raw)
            except ValueError as exc:
                raise ValueError(f"{name} must be a number, not {raw!r}") from exc

        def money(name: str) -> float | None:
            value = num(name, None)
            if value is not None and value < 0:
                raise ValueError(f"{name} must be 0 or more, not {value!r}")
            return value

        price = dict(DEFAULT_PRICE_PER_SECOND)
        price["720P"] = num("R2V_PRICE_720P", price["720P"])
        price["1080P"] = num("R2V_PRICE_1080P", price["1080P"])
        hosting = (env.get("R2V_HOSTING") or "auto").strip().lower()
        if hosting not in HOSTING_BACKENDS:
            raise ValueError(f"R2V_HOSTING must be one of {', '.join(HOSTING_BACKENDS)}, not {hosting!r}")
        data_dir = env.get("R2V_DATA_DIR")
        space_host = space_host_from(env.get("SPACE_HOST"))
        # On a Space the public address is known: it is the default for hosting references there.
        public_base_url = env.get("PUBLIC_BASE_URL") or (f"https://{space_host}" if space_host else None)
        return cls(
            api_key=Secret(env.get("HIGHWAY_API_KEY")),
            base_url=(env.get("HIGHWAY_BASE_URL") or DEFAULT_BASE_URL).rstrip("/"),
            data_dir=Path(data_dir).expanduser() if data_dir else default_data_dir(env),
            host=env.get("GRADIO_SERVER_NAME") or "127.0.0.1",
            port=int(num("GRADIO_SERVER_PORT", 7860, int)),
            price=PriceTable(price, input_video_per_second=money("R2V_PRICE_INPUT_VIDEO") or 0.0),
            emulator_port=int(num("R2V_EMULATOR_PORT", 0, int)),
            emulator_finish_seconds=num("R2V_EMULATOR_SECONDS", 8.0),
            hosting=hosting,
            public_base_url=public_base_url,
            s3_bucket=env.get("R2V_S3_BUCKET") or None,
            s3_endpoint=env.get("R2V_S3_ENDPOINT") or env.get("AWS_ENDPOINT_URL_S3") or env.get("AWS_ENDPOINT_URL") or None,
            s3_prefix=env.get("R2V_S3_PREFIX") or "r2v-references/",
            s3_region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or None,
            s3_url_ttl_seconds=int(num("R2V_S3_URL_TTL", 6 * 3600, int)),
            poll_requests_per_minute=int(num("R2V_POLL_RPM", 30, int)),
            space_host=space_host,
            data_dir_chosen=bool(data_dir),
            mcp=flag(env.get("R2V_MCP")) or flag(env.get("GRADIO_MCP_SERVER")),
            budget_day=money("R2V_BUDGET_DAY"),
            budget_month=money("R2V_BUDGET_MONTH"),
            budget_person_day=money("R2V_BUDGET_PERSON_DAY"),
            max_running_person=None if (running := num("R2V_MAX_RUNNING_PERSON", None, int)) is None else int(running),
            admins=names(env.get("R2V_ADMINS")),
            timezone=zone_name(env.get("R2V_TIMEZONE")),
            allow_private_links=flag(env.get("R2V_ALLOW_PRIVATE_LINKS")),
        )


def is_loopback(host: str | None) -> bool:
    """127.0.0.0/8, ::1 and localhost: addresses only this machine can reach."""
    import ipaddress

    name = (host or "").strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def space_host_from(value: str | None) -> str | None:
    """The bare host name from SPACE_HOST ("name-space.hf.space"), tolerating a scheme or a slash."""
    host = (value or "").strip()
    for scheme in ("https://", "http://"):
        if host.lower().startswith(scheme):
            host = host[len(scheme):]
    return host.strip("/") or None


def zone_name(value: str | None) -> str | None:
    """An IANA time zone name, checked at start (a typo stops the start, not a budget check later)."""
    name = (value or "").strip()
    if not name:
        return None
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"R2V_TIMEZONE must be a time zone name such as Asia/Shanghai, not {name!r}") from exc
    return name


def names(value: str | None) -> tuple[str, ...]:
    """A comma-separated list of logins ("ann, bob"), blanks dropped."""
    return tuple(n.strip() for n in (value or "").split(",") if n.strip())


def flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")

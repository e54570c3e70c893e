"""Wan 2.7 Reference-to-Video Studio: command line and environment → settings → running studio.

    python app.py                 # demo mode (embedded emulator) when HIGHWAY_API_KEY is not set
    python app.py --help          # every flag

Nothing happens at import: tests import `build_studio` and launch it on loopback.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import logging
import os
import secrets
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from r2v_ui.config import Settings

log = logging.getLogger("r2v_ui")


@dataclass
class Studio:
    settings: Settings
    store: Any
    manager: Any
    demo: Any
    emulator: Any = None
    public_host: Any = None
    tools: Any = None  # r2v_ui.mcp.StudioTools when the MCP server is on
    examples_ready: Any = None  # the thread drawing the example cast at start, then checking its cards (r2v_ui.examples)
    example_cards: Any = None  # the example cast's checked cards (workspace/examplecards.ExampleCards), warmed at start
    kept: Any = None  # the page's answers served from memory (r2v_ui.ui.serving.Kept), once launched
    shares: Any = None  # r2v_ui.share.service.ShareService: share links, their picks and notes (issue 22)
    _closed: bool = field(default=False, repr=False)

    @property
    def allowed_paths(self) -> list[str]:
        """Only the built-in examples (the same for everyone) may be served by their path.

        Gradio serves an allowed path at `/gradio_api/file=<absolute path>` to anyone signed in, so
        allowing the library, kept references or work folder would let one user fetch another's
        video by guessing its path.  Instead the page links each file it shows into a folder of its
        own inside Gradio's cache, at a path keyed by a secret (r2v_ui/ui/viewfiles.py)."""
        return [str(self.settings.data_dir / "examples")]

    def launch(self, *, host: str | None = None, port: int | None = None, share: bool | None = None,
               auth: Sequence[tuple[str, str]] | None = None, prevent_thread_lock: bool = False, quiet: bool = False):
        from r2v_ui.ui import launch_kwargs

        host = host or self.settings.host
        port = self.settings.port if port is None else port
        if port == 0:
            from r2v_ui.ports import free_port

            port = free_port(host)
        kwargs: dict[str, Any] = dict(
            server_name=host, server_port=port, share=self.settings.share if share is None else share,
            auth=list(auth) if auth else (list(self.settings.auth) or None), allowed_paths=self.allowed_paths,
            prevent_thread_lock=prevent_thread_lock, quiet=quiet, show_error=True,
            mcp_server=self.tools is not None, **launch_kwargs(),
        )
        from starlette.middleware import Middleware
        from starlette.middleware.gzip import GZipMiddleware

        from r2v_ui.ui import serving, sessionstate
        from r2v_ui.ui.language import lang_of

        # The page, its configuration and Gradio's static files: built once, compressed once, served from
        # memory (r2v_ui/ui/serving.py).  Every other answer over 1 KB is compressed on the wire
        # (Starlette leaves event streams alone).
        self.kept = self.kept or serving.Kept()
        app_kwargs: dict[str, Any] = {"middleware": [Middleware(serving.FromMemory, language=lang_of, kept=self.kept),
                                                     Middleware(GZipMiddleware, minimum_size=1024, compresslevel=6)]}
        if not self.settings.with_overrides(host=host, share=bool(kwargs["share"])).reachable_by_others:
            from r2v_ui.hostguard import LoopbackHostsOnly

            # Only this machine's names: a web page rebinding its own name to 127.0.0.1 gets nothing (hostguard.py).
            app_kwargs["middleware"].insert(0, Middleware(LoopbackHostsOnly))
        routes: list = []
        lifespan = None
        if self.public_host is not None:
            from r2v_ui.hosting import public_reference_routes

            # Served beside Gradio's routes and outside its login: the service fetching a reference has
            # no session.  Only tokens the host issued and that have not expired are served.
            routes += public_reference_routes(self.public_host)
        if self.shares is not None:
            from r2v_ui.share.routes import share_routes

            # The share pages (/s/<token>): outside Gradio and its login, like the references above — a
            # viewer has no account.  They serve only what a live link names.
            reach = self.settings.with_overrides(host=host, share=bool(kwargs["share"]))
            routes += share_routes(self.shares, local_only=not reach.reachable_by_others,
                                   behind_proxy=reach.on_space or bool(reach.public_base_url))
        if self.tools is not None:
            from r2v_ui import mcp as studio_mcp

            self.tools.auth = tuple(tuple(pair) for pair in (kwargs["auth"] or ()))  # the logins MCP callers must use

            # Result links for MCP callers (who have no login cookie), and only the studio's own tools
            # in Gradio's MCP server, set at start-up before it answers anyone.
            routes += self.tools.links.routes()
            lifespan = studio_mcp.lifespan(self.demo)
            studio_mcp.quiet_state_warning()
        # Each visitor's session builds what the page uses, not every block's configuration up front, and an
        # event's outputs its handler did not name are not copied (r2v_ui/ui/sessionstate.py).
        app_kwargs["lifespan"] = sessionstate.lifespan(lifespan)
        sessionstate.lean_blocks(self.demo)
        if routes:
            app_kwargs["routes"] = routes
        kwargs["app_kwargs"] = app_kwargs
        # Gradio checks that this machine can open the page with one HEAD request of 3 s; the first answer
        # builds the page, which on a slow or busy machine takes longer, and Gradio then refuses to start.
        # Its private `_frontend=False` (gradio pinned in requirements.txt) skips that check, and the
        # studio makes its own with time to spare (page_opens_here).
        kwargs["_frontend"] = False
        kwargs["prevent_thread_lock"] = True  # the check below runs first; then the thread is held as asked
        with share_hint_in_studio_words():
            result = self.demo.launch(**kwargs)
        if not kwargs["share"] and not page_opens_here(self.demo.local_url):
            self.close()
            raise ValueError(f"The studio started but this machine could not open it at {self.demo.local_url}: "
                             "check your proxy settings (NO_PROXY=localhost), or start it with --share.")
        share_url = result[2] if isinstance(result, tuple) and len(result) > 2 else None
        if self.public_host is not None and not self.settings.public_base_url and share_url:
            self.public_host.inner.set_public_base_url(share_url.rstrip("/"))
        if not prevent_thread_lock:
            self.demo.block_thread()
        return result

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self.demo.close()
        except Exception:
            pass
        self.manager.close()
        if self.emulator is not None:
            self.emulator.stop()


GRADIO_SHARE_HINT = "* To create a public link, set `share=True` in `launch()`."
STUDIO_SHARE_HINT = "* To create a public link, start the studio with --share."


class _ShareHint(io.TextIOBase):
    """Standard output with Gradio's "set share=True in launch()" said as the studio's own flag."""

    def __init__(self, out: Any):
        self._out = out

    def write(self, text: str) -> int:
        self._out.write(text.replace(GRADIO_SHARE_HINT, STUDIO_SHARE_HINT))
        return len(text)

    def flush(self) -> None:
        self._out.flush()


def page_opens_here(url: str, seconds: float = 60.0) -> bool:
    """This machine can open the page at `url` (as Gradio's own check asks, through the same proxy
    settings), waiting up to `seconds` for the first answer, which builds the page."""
    import httpx

    try:
        answer = httpx.head(url, timeout=seconds, verify=False)
    except httpx.HTTPError:
        return False
    return answer.status_code in (200, 301, 302, 303, 307, 308, 401)


@contextlib.contextmanager
def share_hint_in_studio_words():
    """While Gradio launches: its console hint names `--share`, the studio's flag, not a Python call
    the person starting the studio never wrote."""
    with contextlib.redirect_stdout(_ShareHint(sys.stdout)):
        yield


def quiet_gradio(env: Any = None) -> None:
    """Gradio's usage analytics (and its version check) call Gradio's servers at every start and launch:
    off unless the owner set GRADIO_ANALYTICS_ENABLED themselves.  Gradio reads the variable when a
    Blocks is made; it is set before Gradio is first imported, so nothing of Gradio's sees another value."""
    (os.environ if env is None else env).setdefault("GRADIO_ANALYTICS_ENABLED", "False")


def build_studio(settings: Settings | None = None) -> Studio:
    """Everything the studio needs, started: store, emulator (demo mode), job manager, UI."""
    quiet_gradio()  # before the imports below, the first of Gradio on the start path
    from r2v_ui.jobs import JobManager, Target
    from r2v_ui.store import JobStore
    from r2v_ui.ui import build_app, example_cards

    settings = settings or Settings.from_env()
    from r2v_ui.media.decode_budget import limit_from_env

    limit_from_env()  # a bad R2V_DECODE_BUDGET_MB stops the start here, in the terminal, not a card check later
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = JobStore(settings.data_dir)
    # Gradio never changes an uploaded file in place: a kept reference may share its bytes (a hard link).
    from gradio.utils import get_upload_folder

    store.allow_links_from(Path(get_upload_folder()))
    if store.recovered_from:
        log.warning("The job database was damaged; it was moved to %s and finished jobs were rebuilt from the library.",
                    store.recovered_from)

    emulator = None
    demo_target = None
    demo_key = None
    if settings.demo:
        from r2v_ui.emulator import EmbeddedEmulator, EmulatorConfig

        # A key made up for this run only: the emulator checks bearer keys like the real service.
        demo_key = "demo-" + secrets.token_urlsafe(16)
        emulator = EmbeddedEmulator(EmulatorConfig(
            api_key=demo_key, finish_seconds=settings.emulator_finish_seconds,
            data_dir=settings.data_dir / "emulator",
        ), port=settings.emulator_port).start()
        demo_target = Target("demo", emulator.base_url)
        log.info("Demo mode: the built-in emulator listens on %s", emulator.base_url)

    # The public-address backend serves files from this studio, so the host whose routes are mounted
    # must be the very one the jobs upload to: build it once, up front.
    # Also in demo mode: a key typed into the page makes that session live, and on a Space (whose address
    # is the default public address) its files must then be served from here.
    public_host = None
    if settings.hosting == "public" or (settings.hosting == "auto" and not settings.s3_bucket
                                        and settings.public_base_url):
        from r2v_ui.hosting import make_host

        public_host = make_host(settings.with_overrides(hosting="public"), emulator_url=None, emulator_key=None)

    def host_factory(target_name: str):
        from r2v_ui.hosting import make_host

        # make_host wraps each backend in the content-hash cache.
        if target_name == "demo":
            return make_host(settings.with_overrides(hosting="emulator"), emulator_url=emulator.base_url,
                             emulator_key=demo_key)
        if public_host is not None:
            return public_host
        if settings.hosting == "emulator":
            # A key and R2V_HOSTING=emulator: the service address is a standalone emulator
            # (`python -m r2v_ui.emulator`), which hosts uploads itself.
            return make_host(settings, emulator_url=settings.base_url, emulator_key=settings.api_key.get())
        return make_host(settings, emulator_url=None, emulator_key=None)

    manager = JobManager(settings, store, demo_target=demo_target, demo_key=demo_key, host_factory=host_factory)
    resumed = manager.resume()
    if resumed:
        log.info("Resumed %d unfinished job(s).", resumed)
    from r2v_ui.share.service import ShareService

    shares = ShareService(store)  # share links beside the jobs: the page, the share routes and MCP use it
    cards = example_cards(settings)
    demo = build_app(manager, settings, emulator=emulator, shares=shares, examples=cards)
    from r2v_ui.examples import prepare_in_background

    # Drawn and checked now, every language, while nobody waits (the files kept in the data folder, the
    # checked cards in memory): "Load the example cast" then only hands out a copy.
    examples_ready = prepare_in_background(settings.data_dir / "examples", then=cards.warm)
    tools = None
    if settings.mcp:
        from r2v_ui import mcp as studio_mcp

        tools = studio_mcp.register(demo, manager, settings, shares=shares)
    return Studio(settings=settings, store=store, manager=manager, demo=demo, emulator=emulator, public_host=public_host,
                  tools=tools, examples_ready=examples_ready, example_cards=cards, shares=shares)


def parse_auth(value: str | None) -> tuple[tuple[str, str], ...]:
    """`user:pass,user2:pass2`, or the path of a file with one `user:password` a line."""
    if not value:
        return ()
    text = Path(value).read_text("utf-8") if os.path.isfile(value) else value.replace(",", "\n")
    pairs = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        user, sep, password = line.partition(":")
        if not sep or not user or not password:
            raise SystemExit("--auth takes user:password pairs separated by commas, or a file of them (one a line).")
        pairs.append((user.strip(), password))
    return tuple(pairs)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python app.py",
        description="Wan 2.7 Reference-to-Video Studio. With no HIGHWAY_API_KEY it runs in demo mode "
                    "against a built-in emulator of the service.",
    )
    p.add_argument("--host", help="address to serve on (default 127.0.0.1, or GRADIO_SERVER_NAME)")
    p.add_argument("--port", type=int, help="port to serve on (default 7860, or GRADIO_SERVER_PORT)")
    p.add_argument("--share", action="store_true", help="also open a public Gradio share link")
    p.add_argument("--auth", help="require a login: user:password[,user2:password2] or a file of user:password lines; "
                                  "each user then sees only their own jobs (or R2V_AUTH, e.g. a Space secret)")
    p.add_argument("--data-dir", help="where jobs, videos and references are kept (default R2V_DATA_DIR or "
                                      "~/.local/share/r2v-studio)")
    p.add_argument("--emulator-seconds", type=float,
                   help="demo mode: how long the emulator takes to make a video (default 8, or R2V_EMULATOR_SECONDS)")
    p.add_argument("--mcp", action="store_true",
                   help="also serve the studio as tools for AI assistants (MCP) at /gradio_api/mcp/ (or R2V_MCP=1)")
    money = p.add_argument_group("budgets (in the price settings' currency; none by default; never in demo mode)")
    money.add_argument("--budget-day", type=float, help="most the whole studio may spend a day (or R2V_BUDGET_DAY)")
    money.add_argument("--budget-month", type=float, help="most the whole studio may spend a calendar month "
                                                          "(or R2V_BUDGET_MONTH)")
    money.add_argument("--budget-person-day", type=float, help="most one person (a login, or a browser on a shared "
                                                               "studio) may spend a day (or R2V_BUDGET_PERSON_DAY)")
    money.add_argument("--max-running-person", type=int, help="most unfinished videos one person may have at once "
                                                              "(default 4 when others can reach the studio, else no "
                                                              "limit; or R2V_MAX_RUNNING_PERSON)")
    money.add_argument("--admins", help="with --auth: the logins, comma-separated, that may see the Spend view "
                                        "(or R2V_ADMINS)")
    return p.parse_args(argv)


def settings_from(args: argparse.Namespace, env=None) -> Settings:
    settings = Settings.from_env(env)
    env = os.environ if env is None else env
    overrides: dict[str, Any] = {}
    if args.host:
        overrides["host"] = args.host
    if args.port is not None:
        overrides["port"] = args.port
    if args.share:
        overrides["share"] = True
    if args.auth or env.get("R2V_AUTH"):
        # A Space runs `python app.py` without flags: its owner sets R2V_AUTH as a secret instead.
        overrides["auth"] = parse_auth(args.auth or env.get("R2V_AUTH"))
    if args.data_dir:
        overrides["data_dir"] = Path(args.data_dir).expanduser()
        overrides["data_dir_chosen"] = True
    if args.emulator_seconds is not None:
        overrides["emulator_finish_seconds"] = args.emulator_seconds
    if args.mcp:
        overrides["mcp"] = True
    for name in ("budget_day", "budget_month", "budget_person_day"):
        value = getattr(args, name, None)
        if value is not None:
            if value < 0:
                raise SystemExit(f"--{name.replace('_', '-')} must be 0 or more.")
            overrides[name] = value
    if getattr(args, "max_running_person", None) is not None:
        overrides["max_running_person"] = args.max_running_person
    if getattr(args, "admins", None):
        from r2v_ui.config import names

        overrides["admins"] = names(args.admins)
    return settings.with_overrides(**overrides)


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "httpcore", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)  # request lines could carry task ids and presigned links
    settings = settings_from(parse_args(argv))
    studio = build_studio(settings)
    mode = "demo (built-in emulator, no account)" if settings.demo else f"live ({settings.base_url})"
    print(f"Studio mode: {mode}. Data folder: {settings.data_dir}", flush=True)
    for warning in startup_warnings(settings):
        log.warning(warning)
    try:
        studio.launch()
    finally:
        studio.close()
    return 0


def startup_warnings(settings: Settings) -> list[str]:
    """What the owner should know before others use this studio."""
    out = []
    if settings.reachable_by_others and not settings.demo and not settings.auth:
        out.append("Anyone who can open this studio generates with your API key. Require a login (--auth, or "
                   "R2V_AUTH as a Space secret) or keep it private (a private Space).")
    if settings.data_dir_temporary:
        out.append("The data folder is on the Space's temporary disk: videos are lost when the Space restarts. "
                   "Attach storage and set R2V_DATA_DIR to a folder on it.")
    return out


if __name__ == "__main__":
    sys.exit(main())

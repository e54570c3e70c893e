"""python -m r2v_ui.emulator --port 8765 --key secret --finish-seconds 8"""

from __future__ import annotations

import argparse
import signal
import threading

from .config import EmulatorConfig
from .server import EmbeddedEmulator


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m r2v_ui.emulator",
                                description="Local emulator of the Wan 2.7 reference-to-video v3 async API")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback only)")
    p.add_argument("--port", type=int, default=8765, help="port (0 = any free port)")
    p.add_argument("--key", default=None, help="API key to require (default: accept any bearer token)")
    p.add_argument("--finish-seconds", type=float, default=8.0, help="submit -> finished, in seconds")
    p.add_argument("--queue-seconds", type=float, default=1.0)
    p.add_argument("--failure-rate", type=float, default=0.0)
    p.add_argument("--url-ttl-seconds", type=int, default=3600)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--data-dir", default=None, help="where uploads and results go (default: a temp dir)")
    a = p.parse_args(argv)
    config = EmulatorConfig(api_key=a.key, finish_seconds=a.finish_seconds, queue_seconds=a.queue_seconds,
                            failure_rate=a.failure_rate, url_ttl_seconds=a.url_ttl_seconds, seed=a.seed,
                            data_dir=a.data_dir)
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with EmbeddedEmulator(config, host=a.host, port=a.port) as emu:
        print(f"Emulator listening on {emu.base_url}", flush=True)
        stop.wait()


if __name__ == "__main__":
    main()

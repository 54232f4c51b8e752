"""The stand-in APIs as a stack component, with a clock the soak can move.

``python -m socialmart.stack.standin --clock-file F``: serves the stand-in like
``socialmart sandbox serve`` and, while ``F`` exists, takes its content (ISO 8601) as the
stand-in's "now" (``SANDBOX_NOW``), re-read every half second; without the file the stand-in
follows the real time. `make soak` writes the file to follow each simulated day.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import threading
import time
from pathlib import Path

from sandbox.clock import ENV_VAR, parse_now


def follow_clock(server, clock_file: Path, stop: threading.Event, every: float = 0.5) -> None:
    """Keep ``SANDBOX_NOW`` (and TikTok Shop's fixed "now") equal to ``clock_file``."""
    from sandbox.tiktok_shop.api import TikTokShopApi

    shop = next(
        (p for p in server.router._platforms.values() if isinstance(p, TikTokShopApi)), None
    )
    current: str | None = None
    while not stop.is_set():
        raw = clock_file.read_text().strip() if clock_file.exists() else ""
        if raw != current:
            current = raw
            if raw:
                os.environ[ENV_VAR] = raw
            else:
                os.environ.pop(ENV_VAR, None)
            if shop is not None:
                shop.config = dataclasses.replace(shop.config, now=parse_now(raw) if raw else None)
            print(f"stand-in clock: {raw or 'real time'}", flush=True)
        stop.wait(every)


def main(argv: list[str] | None = None) -> None:
    from sandbox.server import make_server
    from sandbox.tiktok_shop.api import ShopStandInConfig

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--clock-file", type=Path, required=True)
    args = parser.parse_args(argv)
    server = make_server(args.host, args.port, seed=args.seed, tiktok_shop=ShopStandInConfig())
    stop = threading.Event()
    threading.Thread(target=follow_clock, args=(server, args.clock_file, stop), daemon=True).start()
    print(f"stand-in serving on http://{args.host}:{args.port} (seed {args.seed})", flush=True)
    try:
        server.serve_forever(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.stopping.set()
        server.server_close()
        time.sleep(0)


if __name__ == "__main__":
    main()

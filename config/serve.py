"""daphne on uvloop: ``python -m config.serve [daphne's own arguments]``.

daphne runs Twisted's asyncio reactor on an event loop it creates when ``daphne.server`` is
imported. Setting uvloop's policy first makes that loop uvloop's (libuv, in C), which halves
the cost of the loop itself; it matters most in town halls, where every vote tally is one
frame to every connection. bench-live, 2,000 clients on two daphne processes, side by side:
p99 1,060-1,127 ms on asyncio's loop, 583-662 ms on uvloop (bench/RESULTS.md). Everything
else is daphne's, arguments included.
"""

from __future__ import annotations

import asyncio
import sys

import uvloop


def main() -> None:
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    # Imported after the policy is set: daphne creates its loop at import time.
    from daphne.cli import CommandLineInterface

    from config import websocket_broadcast
    from config.request_limits import install_daphne_body_limits

    install_daphne_body_limits()  # refuse over-limit bodies before daphne buffers them
    websocket_broadcast.install()  # one frame per town-hall event, not one per connection
    sys.argv[0] = "daphne"
    CommandLineInterface.entrypoint()


if __name__ == "__main__":
    main()

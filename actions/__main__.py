"""`python -m actions`: the action server (see actions/server.py).

    python -m actions [--port 5055] [--host ADDRESS]   serve (default host 127.0.0.1, or COMMON_GROUND_ACTIONS_HOST)
    python -m actions token                            print the key Rasa must send (COMMON_GROUND_ACTIONS_TOKEN)

`token` imports nothing from Rasa, so scripts/run.sh can ask for it quickly before starting the servers.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m actions", description="The Common Ground action server.")
    parser.add_argument("command", nargs="?", choices=["serve", "token"], default="serve")
    parser.add_argument("--port", type=int, default=int(os.environ.get("ACTIONS_PORT", "5055")))
    parser.add_argument("--host", help="the address to listen on (default: COMMON_GROUND_ACTIONS_HOST or 127.0.0.1)")
    args = parser.parse_args(argv)
    if args.command == "token":
        from bot.identity.secret import key_for
        print(key_for("actions"))
        return 0
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from actions.server import serve
    serve(port=args.port, host=args.host)
    return 0


if __name__ == "__main__":
    sys.exit(main())

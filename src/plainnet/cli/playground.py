"""``plainnet playground``: serve the playground page on this computer and open it.

The server (:mod:`plainnet.playground`) listens on ``127.0.0.1`` only and
runs until Ctrl-C, which stops it cleanly (exit status 0).
"""

from __future__ import annotations

import argparse
import sys
import threading
import warnings
import webbrowser

__all__ = ["EPILOG_PLAYGROUND", "cmd_playground"]

EPILOG_PLAYGROUND = """\
example:
  plainnet playground                    serve the page on a free port and open it
more examples:
  plainnet playground --port 8765        a fixed address: http://127.0.0.1:8765/
  plainnet playground --no-browser       print the address only (open it yourself)

The page trains a real plainnet Sequential in a thread of this server, shows
its output, its neurons, its losses and the Python code of the same model,
and downloads the trained model as a .pnet file. Only this computer can
reach it (127.0.0.1). Stop it with Ctrl-C.
"""


def cmd_playground(args: argparse.Namespace) -> int:
    """``plainnet playground``: serve the page until Ctrl-C; return the exit status (0)."""
    from ..playground import PlaygroundServer  # the server: only when this command runs

    # Run trains in short fit() calls (resume=True): the "loss grew 100 times its first
    # epoch's" warning would compare with the first epoch of a chunk, so it is not shown.
    warnings.filterwarnings("ignore", category=RuntimeWarning,
                            module=r"plainnet\.playground\.session")
    server = PlaygroundServer(port=args.port)
    try:
        print(f"plainnet playground: {server.url}", flush=True)
        print("Press Ctrl-C to stop.", flush=True)
        if args.browser:  # some browsers block until closed: open from a thread
            threading.Thread(target=webbrowser.open, args=(server.url,), daemon=True).start()
        server.serve_forever()
    except KeyboardInterrupt:
        print("plainnet playground: stopped", file=sys.stderr, flush=True)
    finally:
        server.server_close()
    return 0

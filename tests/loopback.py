"""HTTP servers the tests run in a thread on loopback."""

import threading
from socketserver import BaseServer

# How often serve_forever looks for shutdown(): at the default half second every server's
# shutdown waits a quarter of a second on average, paid again by each test that starts one.
SHUTDOWN_POLL_SECONDS = 0.02


def serve_in_background(server: BaseServer) -> threading.Thread:
    """Run ``server.serve_forever`` in a daemon thread; ``server.shutdown()`` stops it at once."""
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": SHUTDOWN_POLL_SECONDS}, daemon=True
    )
    thread.start()
    return thread

"""Serving built sites over HTTP in tests, and waiting for a server to answer."""

from __future__ import annotations

import functools
import http.server
import re
import socket
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on a free local port; yields its URL (for a fixture), then stops."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(condition: Callable[[], bool], seconds: float = 40) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.3)
    return False


def fetch(url: str) -> str:
    """The page's text, or an empty text when the server does not answer with it."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return str(response.read().decode("utf-8"))
    except OSError:
        return ""


def answers(url: str) -> bool:
    """True when ``url`` answers 200."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return bool(response.status == 200)
    except OSError:
        return False


SERVING = re.compile(r"Serving on (http://\S+)")


def serving_url(log: Path) -> str | None:
    """The address a MkDocs or mentorsite server printed in its log as where to open it, if it did yet."""
    found = SERVING.search(log.read_text(encoding="utf-8", errors="replace")) if log.is_file() else None
    return found.group(1) if found else None

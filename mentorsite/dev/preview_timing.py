"""The live preview timed as a mentee sees it: a session edited, then the page served with the edit.

`mentorsite serve --pair` runs in a process of its own on a free loopback port; once it
serves, a sentence is added to one of the pair's session notes and the session's page is
asked for until it holds that sentence. The time from the edit to that answer is the
preview's rebuild after one edit, with its wait for the file to settle and its reload.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

SERVING = re.compile(r"Serving on (http://\S+/)")
POLL_SECONDS = 0.02


def free_port() -> int:
    """A loopback port no one listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:  # our own server, on a loopback port
            return bytes(answer.read()).decode("utf-8", "replace")
    except OSError:  # not served yet, or being rebuilt
        return ""


def time_preview(program: Path, pair_id: str, runs: int, environment: dict[str, str],
                 timeout: float = 120.0) -> list[float]:
    """Seconds from each of ``runs`` edits of one of the pair's sessions to its page served with it.

    The server is stopped as Ctrl-C stops it (SIGTERM), so its scratch folder goes too.
    Raises RuntimeError, with what the server said, when it does not serve or a change never shows.
    """
    session = sorted((program / "content" / "pairs" / pair_id / "sessions").glob("*.md"))[-1]
    address = f"127.0.0.1:{free_port()}"
    command = [sys.executable, "-m", "mentorsite", "serve", "--pair", pair_id, "-a", address]
    process = subprocess.Popen(command, cwd=program, env=environment, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    said: list[str] = []
    served: list[str] = []  # the address it prints once it listens
    serving = threading.Event()

    def listen() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            said.append(line)
            if found := SERVING.search(line):
                served.append(found[1])
                serving.set()
        serving.set()  # it stopped: no need to wait any longer

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    try:
        if not serving.wait(timeout) or not served:
            raise RuntimeError(f"the preview did not serve within {timeout:.0f} s:\n{''.join(said)[-4000:]}")
        page = f"{served[0]}sessions/{session.stem}.html"
        if "</html>" not in _fetch(page):
            raise RuntimeError(f"the preview does not serve {page}:\n{''.join(said)[-4000:]}")
        return [_edited_and_seen(session, page, number, timeout, said) for number in range(1, runs + 1)]
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        listener.join(timeout=5)


def _edited_and_seen(session: Path, page: str, number: int, timeout: float, said: list[str]) -> float:
    """Add a sentence to ``session``; the seconds until ``page`` is served with it."""
    sentence = f"Noted in the preview, edit {number} of {os.getpid()}."
    with session.open("a", encoding="utf-8") as handle:
        handle.write(f"\n{sentence}\n")
    edited = time.monotonic()
    while time.monotonic() - edited < timeout:
        if sentence in _fetch(page):
            return time.monotonic() - edited
        time.sleep(POLL_SECONDS)
    raise RuntimeError(f"the preview did not show edit {number} within {timeout:.0f} s:\n"
                       f"{''.join(said)[-4000:]}")

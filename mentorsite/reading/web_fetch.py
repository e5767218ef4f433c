"""A file from a web address, within bounds: the address checked first, http and https alone, a
deadline for the whole file, and failures told from their kind, never from their text.

The pair repositories' handbook (``reading.handbook_fetch``) is read with this: its address is
written in a file that is committed and shared, and what it answers comes from elsewhere.
"""

from __future__ import annotations

import re
import socket
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.client import HTTPException
from typing import Any

from mentorsite.files.failures import reason

TIMEOUT_SECONDS = 10.0  # each wait for the server
FETCH_SECONDS = 10.0  # a whole file: a server that sends a byte now and then cannot hold a check for ever
MAX_FETCH_BYTES = 16 * 1024 * 1024  # a manifest holds every guideline's text: far more is not a handbook
SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_USERINFO = re.compile(r"(://)[^/\s]*@")  # from '://' to the last '@' before the path
_ABSENT_CODES = (404, 410)
_CHUNK = 64 * 1024


class FetchError(Exception):
    """The file could not be fetched; the message says why, without the address."""


def without_password(location: str) -> str:
    """The address without a user name or password, for messages and links: they reach logs and pages."""
    return _USERINFO.sub(r"\1***@", location)


def address_problem(location: str) -> tuple[str, str] | None:
    """Why ``location`` cannot name a published handbook (a code and a message), or None; the message
    never repeats the address.

    A published handbook is public: an address with a user name or password in it would put
    them in a file that is committed and shared.
    """
    if any(ord(c) < 32 or ord(c) == 127 for c in location):
        return "bad-address", "expected an address or path without control characters (such as a line break)"
    scheme = SCHEME.match(location)
    if scheme is None or len(scheme.group(1)) == 1:  # one letter: a drive, as in C:/handbook
        return None
    kind = scheme.group(1).lower()
    if kind not in ("http", "https", "file"):
        return "bad-address", f"expected an http, https or file address, or a folder, got '{kind}:'"
    try:
        parts = urllib.parse.urlsplit(location)
        parts.port  # noqa: B018 - raises ValueError for a port that is no number
    except ValueError:
        return "bad-address", "expected a web address whose host and port can be read"
    if "@" in parts.netloc:
        return "credentials", ("expected the address of a published handbook without a user name or password "
                               "(a published handbook is public; the file is committed and shared)")
    if kind == "file" and parts.netloc.lower() not in ("", "localhost"):
        return "bad-address", "expected a file address on this machine (file:///path), got one naming a host"
    if kind != "file" and not parts.hostname:
        return "bad-address", "expected a web address with a host"
    return None


def fetch_web(address: str, name: str) -> bytes | None:
    """The body at ``address`` (None: the server has none), fetched within ``FETCH_SECONDS`` in all.

    The fetch runs beside the check: a server that answers a byte at a time is left behind
    when the time is up, and the check goes on without it.
    """
    seconds = FETCH_SECONDS
    deadline = time.monotonic() + seconds
    outcome: list[bytes | BaseException | None] = []

    def run() -> None:
        try:
            outcome.append(_download(address, name, deadline))
        except BaseException as error:  # handed to the check, which raises it again
            outcome.append(error)

    worker = threading.Thread(target=run, name="mentorsite-handbook-fetch", daemon=True)
    worker.start()
    worker.join(seconds + 0.5)
    if not outcome:
        raise FetchError(_late(name))
    result = outcome[0]
    if isinstance(result, BaseException):
        raise result
    return result


def _late(name: str) -> str:
    return f"the server did not answer within {FETCH_SECONDS:g} seconds ({name})"


def _download(address: str, name: str, deadline: float) -> bytes | None:
    request = urllib.request.Request(address, headers={"User-Agent": "mentorsite"})
    try:
        with _OPENER.open(request, timeout=TIMEOUT_SECONDS) as response:
            chunks, size = [], 0
            while size <= MAX_FETCH_BYTES:
                if time.monotonic() > deadline:
                    raise FetchError(_late(name))
                chunk = response.read1(_CHUNK)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
            return b"".join(chunks)
    except urllib.error.HTTPError as error:
        if error.code in _ABSENT_CODES:
            return None
        raise FetchError(f"the server answered {error.code} for {name}") from None
    except (urllib.error.URLError, HTTPException, OSError, ValueError) as error:
        raise FetchError(f"{name} could not be fetched: {_web_reason(error)}") from None


def _web_reason(error: Exception) -> str:
    """Why a fetch failed, from the kind of the error alone: its text may repeat the address."""
    cause: object = error.reason if isinstance(error, urllib.error.URLError) else error
    if isinstance(cause, TimeoutError):
        return f"the server did not answer within {TIMEOUT_SECONDS:g} seconds"
    if isinstance(cause, socket.gaierror):
        return "the host name could not be found"
    if isinstance(cause, ssl.SSLCertVerificationError):
        return "its certificate could not be verified"
    if isinstance(cause, ssl.SSLError):
        return "the secure connection failed"
    if isinstance(cause, ConnectionRefusedError):
        return "the connection was refused"
    if isinstance(cause, OSError) and cause.strerror:
        return reason(cause)
    if isinstance(cause, HTTPException):
        return "the server's answer could not be read"
    if isinstance(cause, ValueError):
        return "the address cannot be used"
    return "the connection failed"


class _WebOnly(urllib.request.HTTPRedirectHandler):
    """Redirects within http and https only, and never from https to http: a web address never
    leads to another kind of place, nor to a connection others can read or change."""

    def redirect_request(self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any,
                         newurl: str) -> urllib.request.Request | None:
        old = urllib.parse.urlsplit(req.full_url).scheme.lower()
        new = urllib.parse.urlsplit(newurl).scheme.lower()
        if new not in ("http", "https"):
            raise FetchError("the server redirected it to another kind of address; refused")
        if old == "https" and new == "http":
            raise FetchError("the server redirected it from https to http; refused")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _web_opener() -> urllib.request.OpenerDirector:
    """An opener for http and https alone: no local files, no FTP, whatever an address says."""
    opener = urllib.request.OpenerDirector()
    request = urllib.request
    for handler in (request.ProxyHandler(), request.UnknownHandler(), request.HTTPHandler(),
                    request.HTTPSHandler(), request.HTTPDefaultErrorHandler(), _WebOnly(),
                    request.HTTPErrorProcessor()):
        opener.add_handler(handler)
    return opener


_OPENER = _web_opener()

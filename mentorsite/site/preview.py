"""One pair's portfolio, outside the full build: `mentorsite serve --pair` and `mentorsite export`.

An adapter over MkDocs: the program's mkdocs.yml is loaded as for a build, so the preview
and the export look exactly like the built portfolio.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import ipaddress
import logging
import os
import re
import secrets
import signal
import subprocess
import tempfile
import threading
import webbrowser
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from mkdocs.exceptions import PluginError

from mentorsite.files.output import EXPORTS, ignored_by_git, private_files, private_folder, write_zip
from mentorsite.model.diagnostics import Diagnostic, summarize
from mentorsite.model.editions import Edition
from mentorsite.pages.banners import error_page, failure_banner, problems_banner, with_banner
from mentorsite.reading.loading import PAIRS_FOLDER
from mentorsite.session.settings import Settings
from mentorsite.site.engine import Answer, ReloadServer, live_reload_script
from mentorsite.site.mkdocs_program import load_program_config, loaded_or_refused, read_plugin_settings
from mentorsite.site.privacy import POLICY
from mentorsite.site.program_builds import OpenProgram, open_program
from mentorsite.site.serving import failure_reason

log = logging.getLogger("mkdocs.plugins.mentorsite")


def load_program(config_file: Path) -> OpenProgram:
    """The program, read and checked (its problems logged) as a build reads it, for one pair's site.

    mkdocs.yml is read as the command line reads it (``mentorsite.reading.config_file``): a problem
    in it is a ConfigurationError that names the file and the line, never a traceback.
    """
    return open_program(config_file, seal=False, config=loaded_or_refused(config_file))


def build_pair_edition(config_file: Path, pair_id: str, edition: Edition, target: Path,
                       policy: bool = True) -> tuple[OpenProgram, list[Diagnostic]]:
    """Build one edition of one pair into ``target``; the errors that stopped it, if any.

    Every file and folder of it is its owner's only (0600 and 0700), whatever the umask.
    """
    with private_files():
        program = load_program(config_file)
        return program, program.build_edition(pair_id, edition, target, policy)


def serve_pair(config_file: Path, pair_id: str, edition: Edition, host: str, port: int,
               open_in_browser: bool = False) -> None:
    """Serve one pair's portfolio, rebuilt and reloaded in the browser when a record changes.

    The pages carry the built portfolio's Content-Security-Policy, which the server widens
    by the hash of the live-reload script it adds, and nothing else. The portfolio is served
    under a random path, printed once (see ``PreviewServer``). SIGTERM and SIGHUP stop the
    server as Ctrl-C does, so its scratch folder is removed in every case.

    A build that finds errors in the pair's records, or that fails (a broken handbook or
    mkdocs.yml), never stops the preview nor leaves the browser waiting: the pages say why
    until a build succeeds. Only a first build that cannot be waited on (no such pair, no
    program that loads) stops the command.
    """
    with _stopped_by_signals(), tempfile.TemporaryDirectory(prefix="mentorsite-preview-") as scratch:
        target = Path(scratch) / "site"
        subject = f"the records of {pair_id}"
        server = PreviewServer(lambda: None, host, port, target)
        started = False

        def rebuild() -> None:
            try:
                _, problems = build_pair_edition(config_file, pair_id, edition, target)
            except Exception as error:  # whatever failed, the browser must not wait for a fix
                if not started and _watched_folders(config_file, pair_id) is None:
                    raise  # no such pair, or no program: nothing to wait for
                reason = failure_reason(error)
                log.error(f"mentorsite: the preview of {pair_id} could not be built: {reason}; "
                          f"it shows {'the last good build' if server.built else 'why'} until it is fixed")
                log.debug("the failed build", exc_info=True)
                server.show_failure(f"the preview of {pair_id}", reason)
                return
            if problems:
                shown = "the last good build with them" if server.built else "them"
                log.error(f"mentorsite: {summarize(problems)} in {subject}; the preview shows {shown} "
                          "until they are fixed")
            server.show_problems(problems, subject)

        server.builder = rebuild
        rebuild()
        started = True
        for folder in _watched_folders(config_file, pair_id) or []:
            server.watch(str(folder))
        server.watch(str(config_file.resolve()), recursive=False)
        try:
            server.serve(open_in_browser=open_in_browser)
        except KeyboardInterrupt:
            log.info("Shutting down...")
        finally:
            server.shutdown()


def _watched_folders(config_file: Path, pair_id: str) -> list[Path] | None:
    """The program's record and template folders (those that exist); None without the pair's folder."""
    try:
        settings, _ = read_plugin_settings(load_program_config(config_file))
    except Exception:  # a program that cannot load has nothing to watch
        return None
    pair_folder = settings.content_dir / PAIRS_FOLDER / pair_id
    if not pair_folder.is_dir():
        return None
    linked = [pair_folder.resolve()] if pair_folder.is_symlink() else []  # a watch does not follow links
    return [folder for folder in (settings.content_dir, settings.templates_dir, *linked) if folder.is_dir()]


@contextmanager
def _stopped_by_signals() -> Iterator[None]:
    """SIGTERM and SIGHUP raise KeyboardInterrupt (once: a second one waits for the clean-up)."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signals reach the main thread only
        return
    stopping = (signal.SIGTERM, signal.SIGHUP)

    def stop(number: int, frame: FrameType | None) -> None:
        for each in stopping:
            signal.signal(each, signal.SIG_IGN)
        raise KeyboardInterrupt

    previous = {number: signal.signal(number, stop) for number in stopping}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
# The page's policy (see mentorsite.site.privacy.POLICY), up to where its script sources are listed.
POLICY_SCRIPTS = re.compile(rb'(<meta http-equiv="Content-Security-Policy" content="[^"]*?'
                            rb"script-src 'self')")
FORBIDDEN_HOST = b"403 Forbidden: expected a loopback host name (localhost, 127.0.0.1 or [::1]) with the port"
RELOAD_PATH = '"/livereload/"'  # where MkDocs' live-reload script polls, from the server's root
RELOAD_POLL = re.compile(r"livereload/[0-9]+/[0-9]+")


class PreviewServer(ReloadServer):
    """MkDocs' live-reload server, for one private portfolio.

    - The portfolio (and the live-reload poll) is served under ``/<token>/``, a random path
      of 128 bits printed once in the line that says where to open it; any other path is
      404, so another user of the machine cannot read it without that line.
    - Bound to a loopback address, it answers only requests whose Host is a loopback name
      with the port (403 otherwise), so no web page can read it through a host name of its
      own that resolves to this machine.
    - Each page's policy (the built portfolio's) allows the one inline script added, by hash.
    - While the pair's records have problems (or a rebuild failed), each page lists them at
      its top (see ``show_problems``); before any good build, an error page of its own (with
      the portfolio's policy) stands at the portfolio's address.
    """

    def __init__(self, builder: Callable[[], None], host: str, port: int, root: Path):
        self.token = secrets.token_urlsafe(16)
        super().__init__(builder=builder, host=host, port=port, root=str(root), mount_path=f"/{self.token}/")
        self.hosts = loopback_hosts(host, port) if is_loopback(host) else None
        self.opening: Path | None = None
        self.scratch = root.parent
        self.target = root
        self.built = False  # whether ``root`` holds a good build
        self.banner: str | None = None  # the problems each page lists at its top, if any

    def show_problems(self, problems: list[Diagnostic], subject: str) -> None:
        """List ``problems`` (of ``subject``) on the pages served from now on; none: pages as built."""
        self.built = self.built or not problems
        self.banner = problems_banner(problems, subject, stale=self.built) if problems else None
        self._write_error_page()

    def show_failure(self, subject: str, reason: str) -> None:
        """Say on the pages served from now on that a rebuild of ``subject`` failed, and why."""
        self.banner = failure_banner(subject, reason, stale=self.built)
        self._write_error_page()

    def _write_error_page(self) -> None:
        """With no good build yet, an error page (its owner's only) at the portfolio's address."""
        if self.built or self.banner is None:
            return
        self.target.mkdir(mode=0o700, parents=True, exist_ok=True)
        page = error_page("Nothing to preview yet", self.banner, POLICY.format(hashes=""))
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW
        with os.fdopen(os.open(self.target / "index.html", flags, 0o600), "wb") as file:
            file.write(page)

    def serve(self, *, open_in_browser: bool = False) -> None:
        """Serve until stopped; ``open_in_browser`` opens the portfolio once the server listens.

        The browser is given a page of the scratch folder (its owner's only) that leads to the
        address, not the address itself: a command line is visible to every user of the machine.
        """
        if open_in_browser:
            self.opening = self.scratch / "open.html"
            address = html.escape(self.url)
            page = (f'<!doctype html><meta http-equiv="refresh" content="0; url={address}">'
                    f'<title>Preview</title><a href="{address}">Open the preview</a>\n')
            handle = os.open(self.opening, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(page)
        super().serve(open_in_browser=False)  # type: ignore[no-untyped-call]

    def server_activate(self) -> None:
        super().server_activate()
        if self.opening is not None:
            log.info("mentorsite: opening the preview in a browser")
            webbrowser.open(self.opening.as_uri())

    def request(self, environ: dict[str, Any], start_response: Callable[..., Any],
                serve: Callable[[dict[str, Any]], Answer]) -> Answer:
        if self.hosts is not None and str(environ.get("HTTP_HOST", "")).lower() not in self.hosts:
            start_response("403 Forbidden", [("Content-Type", "text/plain")])
            return [FORBIDDEN_HOST]
        path = str(environ["PATH_INFO"]).encode("latin-1").decode("utf-8", "ignore")
        first, _, rest = path.removeprefix("/").partition("/")
        if not hmac.compare_digest(first.encode("utf-8"), self.token.encode("utf-8")):
            return None  # 404, also for the server's root, which MkDocs would redirect to the portfolio
        if RELOAD_POLL.fullmatch(rest):  # MkDocs answers the poll from its root
            environ = {**environ, "PATH_INFO": f"/{rest}"}
        return serve(environ)

    def page(self, content: bytes, epoch: int) -> bytes:
        if self.banner is not None:
            content = with_banner(content, self.banner)
        script = live_reload_script(epoch)
        if RELOAD_PATH not in script:
            raise RuntimeError("mentorsite: MkDocs' live-reload script polls no longer /livereload/")
        script = script.replace(RELOAD_PATH, f'"{self.mount_path}livereload/"')
        digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest())
        allowed = b" 'sha256-" + digest + b"'"
        content = POLICY_SCRIPTS.sub(lambda found: found.group(1) + allowed, content, count=1)
        body_end = content.rfind(b"</body>")
        body_end = len(content) if body_end < 0 else body_end
        return b"%b<script>%b</script>%b" % (content[:body_end], script.encode("utf-8"), content[body_end:])


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address to bind to) is reachable from this machine only."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def loopback_hosts(host: str, port: int) -> frozenset[str]:
    """The Host headers a loopback preview answers: a loopback name (or the bound address) and the port."""
    names = {*LOOPBACK_NAMES, host.lower() if ":" not in host.strip("[]") else f"[{host.strip('[]')}]"}
    return frozenset({f"{name}:{port}" for name in names} | (names if port == 80 else set()))


@dataclass(frozen=True)
class Export:
    """A written export: where, how many files, and whether git would track it there."""

    path: Path
    files: int
    tracked: bool


def export_pair(config_file: Path, pair_id: str, edition: Edition, destination: Path | None = None) -> Export:
    """Write one edition of one pair's portfolio as a zip (0600).

    By default into ``exports/`` of the private folder (0700, ignored by git in every
    program ``init`` writes) as ``<pair>-<edition>.zip``. Refused inside the public site or
    the sources.
    """
    with private_files():
        program = load_program(config_file)
        destination = _export_path(program.settings, f"{pair_id}-{edition}.zip", destination)
        with tempfile.TemporaryDirectory(prefix="mentorsite-export-") as scratch:
            target = Path(scratch) / "site"
            problems = program.build_edition(pair_id, edition, target)
            if problems:
                message = f"{summarize(problems)} in the records of {pair_id}; not exported"
                raise PluginError(f"mentorsite: {message}")
            count = write_zip(target, destination, f"{pair_id}-{edition}", program.session.portfolio.as_of)
    return Export(destination, count, would_be_tracked(destination))


def _export_path(settings: Settings, name: str, chosen: Path | None) -> Path:
    if chosen is None:
        ignored_by_git(private_folder(settings.private_dir))
    destination = chosen or private_folder(settings.private_dir / EXPORTS) / name
    if chosen is not None:
        _check_export_target(chosen)
    sealed = [("encryption.output_dir", settings.sealed_dir())] if settings.encryption.enabled else []
    for option, folder in [*settings.public_folders(), *sealed]:
        if destination.resolve().is_relative_to(folder):
            raise PluginError(f"mentorsite: the export ({destination}) must not go into {option} ({folder}): "
                              "a portfolio is private")
    return destination


def _check_export_target(chosen: Path) -> None:
    """The zip replaces only a plain file of its own: never a link (it would not be the file linked
    to), a device, a pipe or a folder."""
    if chosen.is_symlink() or (chosen.exists() and not chosen.is_file()):
        kind = "a symbolic link" if chosen.is_symlink() else "a folder" if chosen.is_dir() else \
            "a device, a pipe or a socket"
        raise PluginError(f"mentorsite: cannot export to {chosen}: it is {kind}, expected a zip file or a "
                          "new name; choose another path with -o")


def would_be_tracked(path: Path) -> bool:
    """Whether ``path`` is in a git work tree and not ignored there: one `git add -A` would commit it."""
    folder = path.resolve().parent
    try:
        result = subprocess.run(["git", "check-ignore", "--quiet", "--", path.name], cwd=folder,
                                capture_output=True, check=False)
    except OSError:  # no git, or the folder is gone
        return False
    return result.returncode == 1  # 0: ignored; 128: not in a work tree

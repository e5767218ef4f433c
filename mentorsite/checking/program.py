"""A whole program read and checked: parsed documents to records, plus every problem."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TypeVar

from mentorsite.checking.config_places import check_settings
from mentorsite.checking.inclusions import (
    Included,
    check_docs_pages,
    check_handbook_text,
    check_pair_document,
)
from mentorsite.checking.name_lengths import check_name_lengths, check_page_names, name_limits, shown_path
from mentorsite.checking.references import (
    check_action_links,
    check_duplicate_ids,
    check_pair_dates,
    check_references,
    describe_unknown,
    document_id,
)
from mentorsite.checking.validation import check_fields, refuse_reserved_id
from mentorsite.model.diagnostics import Diagnostic, Severity, sort_diagnostics
from mentorsite.model.fields import slugify
from mentorsite.model.page_table import SITE_FILES, free_id
from mentorsite.model.record_sets import Handbook, PairRecords, Program
from mentorsite.model.records import (
    CHECK_NAMES,
    Agreement,
    Checkin,
    Closing,
    Goal,
    Guideline,
    Pair,
    Record,
    Session,
)
from mentorsite.reading.caching import RecordCache, digest, paused_gc
from mentorsite.reading.loading import (
    GUIDELINES_FOLDER,
    LANDING_PAGE,
    ContentDocuments,
    PairDocuments,
    ProgramPlaces,
)
from mentorsite.reading.positions import Positions
from mentorsite.reading.problems import problem
from mentorsite.reading.source_pairs import load_program_content
from mentorsite.reading.sources import Document

SESSION_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:-[a-z0-9]+(?:-[a-z0-9]+)*)?$")
CHECKIN_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})$")
RecordType = TypeVar("RecordType", bound=Record)
# The reviewer site keeps its own folders beside the pairs' review editions: the site's own.
RESERVED_PAIR_IDS = tuple(name.removesuffix("/") for name in SITE_FILES if name.endswith("/"))


@dataclass
class CheckedProgram:
    """The records that passed their field checks, and every problem found in the program.

    ``pair_folders`` maps the id of every pair folder found (valid or not) to its path as
    shown in messages, so that each problem can be told apart as the handbook's or a pair's.
    """

    program: Program
    diagnostics: list[Diagnostic] = field(default_factory=list)
    pair_folders: dict[str, str] = field(default_factory=dict)
    positions: dict[str, Positions] = field(default_factory=dict)
    """Where each field of each record file is, by the file's path as shown in messages."""
    pair_digests: dict[str, str] = field(default_factory=dict)
    """A digest of the paths and bytes of each pair's record files, by pair id."""
    handbook_digest: str = ""
    """A digest of the paths and bytes of the guidelines and the landing page."""

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    def pair_records(self, pair_id: str) -> PairRecords | None:
        """The records of one pair, or None when its pair.yml did not pass its checks."""
        return self._records_by_id.get(pair_id)

    @cached_property
    def _records_by_id(self) -> dict[str, PairRecords]:
        return {records.pair.id: records for records in self.program.pairs}

    def pair_problems(self, pair_id: str) -> list[Diagnostic]:
        """The problems found in the records of one pair."""
        folder = self.pair_folders.get(pair_id)
        return list(self._problems_by_folder.get(folder, [])) if folder else []

    @cached_property
    def _problems_by_folder(self) -> dict[str, list[Diagnostic]]:
        """Each pair folder's problems, grouped once: builds ask for every pair's, several times."""
        folders = set(self.pair_folders.values())
        grouped: dict[str, list[Diagnostic]] = {}
        for diagnostic in self.diagnostics:
            if diagnostic.path in folders:  # the folder itself, such as a pair folder that is refused
                grouped.setdefault(diagnostic.path, []).append(diagnostic)
                continue
            parent = diagnostic.path
            while "/" in parent:
                parent = parent.rsplit("/", 1)[0]
                if parent in folders:
                    grouped.setdefault(parent, []).append(diagnostic)
                    break
        return grouped

    def handbook_problems(self) -> list[Diagnostic]:
        """The problems that are no pair's: guidelines, templates, the content folder itself.

        A pair found twice is a pair's problem at both places (that pair is not built), not the handbook's.
        """
        folders = set(self.pair_folders.values())
        inside = tuple(f"{folder}/" for folder in folders)
        return [d for d in self.diagnostics if d.path not in folders and not d.path.startswith(inside)
                and d.code != "duplicate-pair"]


def read_program(content_dir: Path, root: Path | None = None,
                 editions: Sequence[str] | None = None, cache: RecordCache | None = None,
                 places: ProgramPlaces | None = None) -> CheckedProgram:
    """Load, check and cross-check every record under ``content_dir``.

    Message paths are relative to ``root`` (default: the current folder). ``editions`` are
    the published handbook versions and aliases a pair's ``handbook_version`` must be one of
    (None: nothing published yet, so there is nothing to check against). With a ``cache``,
    each file read and checked before, with the same path and bytes, is taken from it; the
    checks across files run every time. What record text points at (include lines, links
    out of a pair's folder) is checked for every file, cached or not; ``places`` are the
    program's folders for those checks and for the pages of ``docs_dir`` that are not
    guideline records (default: those of the plugin's default settings).
    """
    places = places or ProgramPlaces.defaults(content_dir)
    with paused_gc():
        return _read_program(content_dir, root or Path.cwd(), editions, cache, places)


def _read_program(content_dir: Path, root: Path, editions: Sequence[str] | None,
                  cache: RecordCache | None, places: ProgramPlaces) -> CheckedProgram:
    content = load_program_content(content_dir, root, cache, places)  # with the pairs of pair_sources
    diagnostics = list(content.diagnostics)
    diagnostics += _check_inclusions(content, content_dir, root, places, cache)
    validate = _Validator(cache)
    guidelines = []
    guideline_ids = [document_id(d) for d in content.guidelines]
    for document in content.guidelines:
        guideline = validate(Guideline, document, _stem(document), diagnostics, guideline_ids)
        if guideline:
            guidelines.append(guideline)
    guidelines.sort(key=lambda g: (g.order, g.title, g.id))
    diagnostics += check_duplicate_ids("guideline", content.guidelines)
    diagnostics += check_references(content.guidelines, "related", "guideline", guideline_ids,
                                    "in the handbook")
    diagnostics += check_references(content.guidelines, "checks", "check", CHECK_NAMES,
                                    "among mentorsite's practice checks")
    pairs = []
    for pair_documents in content.pairs:
        records, found = check_pair_folder(pair_documents, guideline_ids, editions, cache)
        diagnostics += found
        if records:
            pairs.append(records)
    diagnostics += _check_reserved_ids(content.pairs, places)
    limits = name_limits(places)
    diagnostics += check_name_lengths(content, limits)
    diagnostics += check_page_names(places, (content_dir / GUIDELINES_FOLDER).resolve(), limits, root)
    handbook = Handbook(tuple(guidelines), content.landing_markdown)
    program = Program(handbook, tuple(sorted(pairs, key=lambda p: p.pair.id)))
    folders = {_folder_id(p): p.path for p in content.pairs}
    documents = [*content.guidelines, *(d for p in content.pairs for d in _pair_documents(p))]
    positions = {d.path: d.positions for d in documents}
    pair_digests = {_folder_id(p): _digest_of(_pair_documents(p), f"{p.path}/") for p in content.pairs}
    handbook_digest = digest(_digest_of(content.guidelines), content.landing_markdown or "")
    if cache is not None:
        cache.save()
    return CheckedProgram(program, sort_diagnostics(diagnostics), folders, positions, pair_digests,
                          handbook_digest)


def check_pair_folder(documents: PairDocuments, guideline_ids: Sequence[str] | None,
                      editions: Sequence[str] | None, cache: RecordCache | None = None,
                      handbook: str = "in the handbook") -> tuple[PairRecords | None, list[Diagnostic]]:
    """One pair folder's records checked as a program checks them, and the problems found.

    The guidelines the records name must be among ``guideline_ids``, and ``handbook_version``
    among ``editions`` (each None: not checked); ``handbook`` says where the guidelines are, in
    messages. A pair's own repository is checked with this too, so that both check alike.

    With a ``cache``, a folder whose record files all have the paths and bytes of a folder
    checked before, against the same guidelines and editions, takes that check's outcome
    from it: the checks across its records depend on nothing else.
    """
    key = _pair_check_key(documents, guideline_ids, editions, handbook) if cache is not None else None
    if cache is None or key is None:
        return _check_pair_folder(documents, guideline_ids, editions, cache, handbook)

    def check() -> tuple[tuple[PairRecords | None, list[Diagnostic]], tuple[tuple[str, ...], ...]]:
        with cache.asked() as asked:
            outcome = _check_pair_folder(documents, guideline_ids, editions, cache, handbook)
        return outcome, tuple(asked)

    outcome, inner = cache.get(key, check)
    cache.keep(inner)  # each record's own entry, for the next edit of one of the folder's files
    return outcome


def _pair_check_key(documents: PairDocuments, guideline_ids: Sequence[str] | None,
                    editions: Sequence[str] | None, handbook: str) -> tuple[str, ...] | None:
    """What a pair folder's check depends on, as a cache key; None when a file was not read (no digest)."""
    slots = [*((f"file:{name}", d) for name, d in sorted(documents.files.items())),
             *(("goal", d) for d in documents.goals), *(("session", d) for d in documents.sessions),
             *(("checkin", d) for d in documents.checkins)]
    if documents.refused or any(not document.digest for _, document in slots):
        return None
    files = digest(*(part for slot, document in slots for part in (slot, document.path, document.digest)))
    named = "-" if guideline_ids is None else digest(*guideline_ids)
    published = "-" if editions is None else digest(*editions)
    # The pair's pair.yml path first: the key's shard is the one of the pair's other entries.
    return ("pair-check", f"{documents.path}/pair.yml", documents.folder, files, named, published, handbook)


def _check_pair_folder(documents: PairDocuments, guideline_ids: Sequence[str] | None,
                       editions: Sequence[str] | None, cache: RecordCache | None,
                       handbook: str) -> tuple[PairRecords | None, list[Diagnostic]]:
    diagnostics: list[Diagnostic] = []
    records = _pair_records(documents, diagnostics, _Validator(cache))
    if records is not None and editions is not None:
        diagnostics += _check_handbook_version(records, documents, editions)
    if guideline_ids is not None:
        diagnostics += check_references(_pair_referrers(documents), "guidelines", "guideline",
                                        guideline_ids, handbook)
    return records, diagnostics


def _check_inclusions(content: ContentDocuments, content_dir: Path, root: Path, places: ProgramPlaces,
                      cache: RecordCache | None) -> list[Diagnostic]:
    """What record text points at: includes and links, in pair records and in handbook pages.

    A pair record's findings depend on its path and bytes alone, so they are kept in the
    record cache with it; a handbook page's include targets are looked up on disk every time,
    and so are the files that mkdocs.yml has the handbook's extensions read (see ``check_settings``).
    """
    included = Included(lambda path: shown_path(path, root), set())
    found = check_settings(places, included.shown, included)
    for pair in content.pairs:
        for document in _pair_documents(pair):
            if cache is None or not document.digest:
                found += check_pair_document(document, pair.path)
            else:
                key = ("inclusions", document.path, document.digest, pair.path)
                found += cache.get(key, functools.partial(check_pair_document, document, pair.path))
    for document in content.guidelines:
        found += check_handbook_text(document, root / document.path, places, included)
    landing = content_dir / LANDING_PAGE
    if content.landing_markdown is not None:
        page = Document(shown_path(landing, root), None, Positions(), body=content.landing_markdown)
        found += check_handbook_text(page, landing.absolute(), places, included)
    skip = {(content_dir / GUIDELINES_FOLDER).resolve(), landing.resolve()}
    return found + check_docs_pages(places, included.shown, skip, included)


def _digest_of(documents: list[Document], within: str = "") -> str:
    """Paths ``within`` a pair's folder: where the folder is (pairs/ or its own repository) is no input."""
    ordered = sorted(documents, key=lambda d: d.path)
    return digest(*(part for d in ordered for part in (d.path.removeprefix(within), d.digest)))


def _pair_documents(documents: PairDocuments) -> list[Document]:
    return [*documents.files.values(), *documents.goals, *documents.sessions, *documents.checkins]


def _folder_id(documents: PairDocuments) -> str:
    """A pair's id is its folder's name: an ``id`` that says otherwise is an error (id-mismatch)."""
    return documents.folder


def _pair_referrers(documents: PairDocuments) -> list[Document]:
    """Every record of a pair that may name handbook guidelines or goals."""
    named = [documents.files[name] for name in ("agreement.md", "closing.md") if name in documents.files]
    return [*named, *documents.goals, *documents.sessions, *documents.checkins]


def _check_handbook_version(records: PairRecords, documents: PairDocuments,
                            editions: Sequence[str]) -> list[Diagnostic]:
    version = records.pair.handbook_version
    if version is None or version in editions:
        return []
    document = documents.files["pair.yml"]
    message = describe_unknown("handbook edition", version, list(editions), "was published")
    return [problem(document.path, document.positions.of_value(("handbook_version",)), "unknown-version",
                    message, "handbook_version")]


def _check_reserved_ids(pairs: list[PairDocuments], places: ProgramPlaces) -> list[Diagnostic]:
    """Pair folders named like a folder the reviewer site keeps beside the pairs' review editions."""
    reserved = [*RESERVED_PAIR_IDS, *(name for name in places.site_folders if name not in RESERVED_PAIR_IDS)]
    taken = {*reserved, *(_folder_id(documents) for documents in pairs)}
    found = []
    for documents in pairs:
        pair_id = _folder_id(documents)
        if pair_id in reserved:
            pair_file = documents.files.get("pair.yml")
            where = pair_file.positions.keys.get(("id",), (1, 1)) if pair_file else (1, 1)
            names = " or ".join([", ".join(map(repr, reserved[:-1])), repr(reserved[-1])])
            message = (f"expected a pair id other than {names}, which the reviewer site uses for its own "
                       f"files, got '{pair_id}'; did you mean '{free_id(pair_id, 'pair', taken)}' "
                       "(rename the folder)?")
            found.append(problem(f"{documents.path}/pair.yml", where, "reserved-id", message, "id"))
    return found


def _stem(document: Document) -> str:
    return Path(document.path).stem


def _rename_hint(document: Document, *, topic: bool) -> str:
    """"; rename it 2026-07-16-week-1.md", from the record's own date, when it has a valid one."""
    written = (document.data or {}).get("date") if isinstance(document.data, dict) else None
    day = str(written) if written is not None else ""
    if not CHECKIN_NAME.fullmatch(day):
        return ""
    words = slugify(re.sub(r"\d{4}-\d{2}-\d{2}", "", _stem(document))) if topic else ""
    return f"; rename it {day}{'-' + words if words else ''}.md (the date it gives)"


class _Validator:
    """Validates parsed documents, taking the result from the cache for a file checked before."""

    def __init__(self, cache: RecordCache | None):
        self.cache = cache

    def __call__(self, record_type: type[RecordType], document: Document | None, default_id: str | None,
                 diagnostics: list[Diagnostic], taken: Sequence[str] = ()) -> RecordType | None:
        """Validate one parsed document; a document that did not parse yields no record.

        ``taken`` are the ids of the other records of its kind: a reserved id is refused
        with a free one as the hint, after the field checks (which depend on the file alone).
        """
        if document is None or document.data is None:
            return None
        if self.cache is None or not document.digest:
            record, found = check_fields(record_type, document, default_id)
        else:
            key = ("record", record_type.__name__, document.path, document.digest, default_id or "")
            record, found = self.cache.get(key, lambda: check_fields(record_type, document, default_id))
        refused = refuse_reserved_id(record_type, document, default_id, taken)
        diagnostics += found + refused
        return None if refused else record


def _pair_records(documents: PairDocuments, diagnostics: list[Diagnostic],
                  validate: _Validator) -> PairRecords | None:
    if documents.refused:
        return None  # said where the folder was refused
    pair = validate(Pair, documents.files.get("pair.yml"), documents.folder, diagnostics)
    if "pair.yml" not in documents.files:
        message = "expected a pair.yml with the mentor, mentee, start and status of this pair"
        diagnostics.append(problem(f"{documents.path}/pair.yml", (1, 1), "missing-file", message))
    agreement = validate(Agreement, documents.files.get("agreement.md"), None, diagnostics)
    closing = validate(Closing, documents.files.get("closing.md"), None, diagnostics)
    goals = _many(Goal, documents.goals, None, diagnostics, validate)
    sessions = _many(Session, documents.sessions, SESSION_NAME, diagnostics, validate)
    checkins = _many(Checkin, documents.checkins, CHECKIN_NAME, diagnostics, validate)
    diagnostics += check_duplicate_ids("goal", documents.goals)
    goal_ids = [document_id(d) for d in documents.goals]
    referrers = [documents.files[name] for name in ("agreement.md",) if name in documents.files]
    diagnostics += check_references([*referrers, *documents.sessions], "goals", "goal", goal_ids,
                                    "in this pair")
    diagnostics += check_action_links(documents.sessions)
    if pair is None:
        return None
    if "agreement.md" not in documents.files and pair.status != "proposed":
        message = f"expected an agreement.md for a pair with status '{pair.status}'"
        diagnostics.append(problem(f"{documents.path}/agreement.md", (1, 1), "missing-file", message))
    sessions.sort(key=lambda s: (s.date, s.id))
    checkins.sort(key=lambda c: c.date)
    records = PairRecords(pair, agreement, tuple(goals), tuple(sessions), tuple(checkins), closing)
    by_path = {d.path: d for d in [*documents.files.values(), *documents.sessions, *documents.checkins]}
    diagnostics += check_pair_dates(records, by_path)
    return records


def _many(record_type: type[RecordType], documents: list[Document], name_rule: re.Pattern[str] | None,
          diagnostics: list[Diagnostic], validate: _Validator) -> list[RecordType]:
    """Validate dated or named records; a dated record's file name must carry its date."""
    records = []
    taken = [document_id(d) for d in documents]
    for document in documents:
        named = name_rule.fullmatch(_stem(document)) if name_rule else None
        if name_rule and not named:
            expected = "YYYY-MM-DD.md or YYYY-MM-DD-topic.md" if record_type is Session else "YYYY-MM-DD.md"
            message = f"expected a file name {expected}, got '{Path(document.path).name}'"
            diagnostics.append(problem(document.path, (1, 1), "bad-file-name", message + _rename_hint(
                document, topic=record_type is Session)))
            # Its other checks still run (under a stand-in id): one run shows every problem.
            validate(record_type, document, slugify(_stem(document)) or "unnamed", diagnostics, taken)
            continue
        record = validate(record_type, document, _stem(document), diagnostics, taken)
        if record is None:
            continue
        if named and isinstance(record, Session | Checkin) and str(record.date) != named.group(1):
            where = document.positions.of_value(("date",))
            message = f"expected {named.group(1)}, the date in the file name, got {record.date}"
            diagnostics.append(problem(document.path, where, "date-mismatch", message, "date",
                                       Severity.WARNING))
        records.append(record)
    return records


"""Issue 16, breaks 4 (the unlocked key in the browser) and 7 (sealed sizes), tried as an attacker would.

A script on the portfolios' origin looks for the key in every place a page can read and
tries to export it; a reader closes every tab and opens the portfolio again; a host
compares the sealed files of two pairs whose record counts differ.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from tests.serving import wait_for
from tests.test_browser import browser  # noqa: F401 - the browser fixture
from tests.test_encryption import FOLDER_SECRET, PASSPHRASES, encrypted_program, keys_yaml, run
from tests.test_encryption_browser import (  # noqa: F401 - the fixtures
    CONTENT,
    UNLOCK_FORM,
    Program,
    Visit,
    program,
    sealed_folder,
    vault_key,
    visit,
)

pytestmark = pytest.mark.slow  # a browser, or a build of many sealed portfolios

# Run in a page: everything a script of the origin can read without the passphrase, the
# CryptoKeys it finds in IndexedDB, and which of them it can export.
LOOK_FOR_KEYS = """async () => {
  const texts = [];
  const keys = [];
  const bytes = (view) => {
    const all = new Uint8Array(view.buffer || view, view.byteOffset || 0, view.byteLength);
    let raw = "";
    for (const byte of all) raw += String.fromCharCode(byte);
    return [btoa(raw), [...all].map((b) => b.toString(16).padStart(2, "0")).join("")];
  };
  async function walk(value, depth) {
    if (value instanceof CryptoKey) {
      const exported = [];
      for (const format of ["raw", "jwk"]) {
        try { await crypto.subtle.exportKey(format, value); exported.push(format); } catch {}
      }
      keys.push({ extractable: value.extractable, usages: value.usages, exported });
    } else if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
      texts.push(...bytes(value));
    } else if (typeof value === "string") {
      texts.push(value);
    } else if (value && typeof value === "object" && depth < 8) {
      for (const [name, inner] of Object.entries(value)) { texts.push(name); await walk(inner, depth + 1); }
    }
  }
  for (const store of [sessionStorage, localStorage]) {
    for (let i = 0; i < store.length; i += 1) texts.push(store.key(i), store.getItem(store.key(i)));
  }
  texts.push(document.cookie, location.href, window.name, JSON.stringify(history.state),
             document.documentElement.outerHTML);
  for (const name of await caches.keys()) {
    for (const request of await (await caches.open(name)).keys()) texts.push(request.url);
  }
  const call = (request) => new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  for (const { name } of await indexedDB.databases()) {
    const database = await call(indexedDB.open(name));
    for (const storeName of database.objectStoreNames) {
      const store = () => database.transaction(storeName).objectStore(storeName);
      for (const key of await call(store().getAllKeys())) await walk(key, 0);
      for (const value of await call(store().getAll())) await walk(value, 0);
    }
    database.close();
  }
  return { texts, keys };
}"""


def encodings(key: bytes) -> list[str]:
    return [base64.b64encode(key).decode(), base64.urlsafe_b64encode(key).decode().rstrip("="), key.hex()]


def test_no_script_of_the_origin_can_read_or_export_the_unlocked_key(
        program: Program, visit: Visit) -> None:  # noqa: F811 - the imported fixtures
    """Break 4 (first part): the raw key was in session storage, where any script of the origin reads it.

    Once unlocked, a page of the portfolio (the tab that unlocked it) and a handbook page of
    the same origin look in session and local storage, cookies, the address, the window's
    name, history, the page, Cache Storage and every IndexedDB database: the raw key is in
    none of them, in any encoding, and the one key found is a CryptoKey that refuses export.
    """
    passphrase = PASSPHRASES["ana-ben"]
    key = vault_key(program.site / "portfolios" / "pairs" / program.folders["ana-ben"], passphrase)
    assert key is not None
    page = visit.open(program.pair_url("ana-ben"), passphrase)
    page.goto(program.pair_url("ana-ben") + "agreement.html")
    page.locator(CONTENT).wait_for()
    handbook = visit.watch(visit.context.new_page())
    handbook.goto(program.url)
    for reader in (page, handbook):
        found: dict[str, Any] = reader.evaluate(LOOK_FOR_KEYS)
        shown = "\n".join(text for text in found["texts"] if text)
        for encoded in encodings(key):
            assert encoded not in shown, f"the key is readable from {reader.url}"
        assert found["keys"] == [{"extractable": False, "usages": ["decrypt"], "exported": []}]


def test_closing_every_page_of_a_portfolio_locks_it_even_while_its_worker_runs(
        program: Program, visit: Visit) -> None:  # noqa: F811 - the imported fixtures
    """Break 4 (second part): a new tab opened the portfolio without asking after every tab was closed.

    The unlock page says it locks when the last page is closed. A second tab while the first
    is open opens without asking; once both are closed, a handbook page of the same origin
    soon finds no key left in IndexedDB to decrypt the vault with (the test above finds it
    there while the portfolio is open), and a new tab (the service worker still running)
    asks for the passphrase.
    """
    url = program.pair_url("cy-dee")
    checkins = program.marker("cy-dee", "checkin.body")
    first = visit.open(url, PASSPHRASES["cy-dee"])
    second = visit.watch(visit.context.new_page())
    second.goto(url + "checkins.html")
    second.locator(CONTENT, has_text=checkins).wait_for()
    second.close()
    first.close()
    handbook = visit.watch(visit.context.new_page())
    handbook.goto(program.url)
    assert wait_for(lambda: handbook.evaluate(LOOK_FOR_KEYS)["keys"] == [], seconds=5), "the key is still kept"
    later = visit.watch(visit.context.new_page())
    later.goto(url + "checkins.html")
    later.locator(f"{UNLOCK_FORM}, {CONTENT}").first.wait_for()
    assert later.locator(UNLOCK_FORM).is_visible(), "the portfolio opened without the passphrase"
    assert checkins not in later.content()


def add_sessions(folder: Path, pair: str, count: int) -> None:
    for day in range(1, count + 1):
        (folder / f"content/pairs/{pair}/sessions/2026-05-{day:02d}.md").write_text(
            f"---\ndate: 2026-05-{day:02d}\nminutes: 45\nagenda: [The week]\n---\n\n"
            "We talked about the week and what comes next.\n", encoding="utf-8")


def sealed_sizes(site: Path) -> tuple[list[int], int]:
    """The sizes of a sealed site's blobs (sorted), and of its sealed index."""
    vault = json.loads((site / "_vault" / "vault.json").read_text())
    return sorted(blob.stat().st_size for blob in (site / "_vault").glob("*.bin")), len(
        base64.b64decode(vault["index"]))


@pytest.mark.slow
def test_sealed_sizes_and_blob_count_do_not_tell_how_many_records_a_pair_has(tmp_path: Path) -> None:
    """Break 7 (last part): each blob's size and the sealed index's told the number of records.

    Two pairs with 4 and 7 more sessions: their plain portfolios differ in files and bytes,
    their sealed folders show the same number of blobs, the same sizes and the same index
    size. Every blob has one size, a power of two, and so have their number and the index
    (of at least 16 KiB); in the reviewer site too.
    """
    _, folder = encrypted_program(tmp_path, keys=keys_yaml(secret=None))
    add_sessions(folder, "ana-ben", 4)
    add_sessions(folder, "cy-dee", 7)
    result = run(folder, "build", "--strict", MENTORSITE_FOLDER_SECRET=FOLDER_SECRET)
    assert result.returncode == 0, result.stderr
    plain = {pair: [p for p in (folder / "site-private/pairs" / pair).rglob("*") if p.is_file()]
             for pair in PASSPHRASES}
    assert len(plain["cy-dee"]) == len(plain["ana-ben"]) + 3
    pairs = folder / "site" / "portfolios" / "pairs"
    sealed = {pair: sealed_sizes(sealed_folder(pairs, phrase)) for pair, phrase in PASSPHRASES.items()}
    assert sealed["ana-ben"] == sealed["cy-dee"]
    for blobs, index in (sealed["ana-ben"], sealed_sizes(folder / "site" / "portfolios" / "review")):
        assert len(set(blobs)) == 1 and power_of_two(blobs[0]) and power_of_two(len(blobs)), blobs
        assert power_of_two(index) and index >= 16 * 1024, index


def power_of_two(number: int) -> bool:
    return number > 0 and number & (number - 1) == 0

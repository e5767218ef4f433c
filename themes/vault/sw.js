// The service worker of an encrypted mentorsite portfolio.
//
// It answers every request under its scope from the portfolio's vault: it fetches the
// encrypted chunks that hold the file, decrypts it with the key the unlock page handed
// over, and returns the plain file, so pages, search and navigation behave as in an
// unencrypted portfolio. Nothing decrypted is ever stored. Files outside the vault (the
// theme's assets) pass through.
//
// The key is a WebCrypto key that cannot be exported. It is held in this worker's memory
// and, so that it outlives the browser stopping an idle worker, in IndexedDB under this
// portfolio's address and vault salt. The portfolio stays open while a page of it is open
// in this browser: when a page goes away and none is left (session.js, added to each page,
// says so), and on a navigation that finds no window of this scope open, the key is
// forgotten (memory and IndexedDB) and the reader goes to the unlock page.
"use strict";

const SCOPE = new URL(self.registration.scope);
const VAULT = new URL("_vault/vault.json", SCOPE);
const INDEX_LABEL = "\u0000index";
const DATABASE = "mentorsite-vault";
const KEYS = "keys";
const SESSION_SCRIPT = new URL("_vault/session.js", SCOPE).href;
const LEAVING_GRACE = 1000; // ms for a page on its way (a reload, a full load) to be counted
let opened = null; // {key, salt, files: Map(path -> {at, size, type} or {alias}), sites, chunks, chunkSize}
let opening = null; // the promise of reopening from IndexedDB, shared by concurrent requests
let lastNavigation = 0; // when a page of the portfolio was last given to a navigation
let forgotten = 0; // how many times the key was forgotten: a reopening begun before is void
// The pages that said they went away (session.js). The browser may still list one a moment (it is
// being unloaded) or again later (brought back from its back-forward cache, then reloaded): it
// never counts as a page that holds the portfolio open. A reload asks for its page before the old
// one goes away, and the new page is another client, so reloads and links still keep it open.
// A page restored from that cache says so ("returned") before it reloads: it counts again if the
// portfolio never lost its last page meanwhile (another page of it is open, or another one went away
// just before, as on Back from one page of it to another); else the portfolio locks.
const departed = new Set();
const DEPARTED_KEPT = 256;
let lastLeft = null; // {id, at}: the page that last went away, and when
// Pages kept by the browser for Back listen here, so that a lock evicts them from its cache.
const LOCKS = new BroadcastChannel(`mentorsite-vault:${SCOPE.href}`);

self.addEventListener("install", (event) => {
  self.skipWaiting();
  // Left to itself, the browser may ask the host for a page while it starts this worker,
  // telling the host the page's name; this route says every request comes here first.
  if (event.addRoutes && typeof URLPattern === "function") {
    event.waitUntil(event.addRoutes({ condition: { urlPattern: new URLPattern({}) }, source: "fetch-event" })
      .catch(() => {}));
  }
});
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

function fromBase64(text) {
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i += 1) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

async function readVault() {
  const response = await fetch(VAULT, { cache: "no-store" });
  if (!response.ok) throw new Error(`the vault answered ${response.status}`);
  return response.json();
}

function decrypt(key, sealed, label) {
  const parameters = { name: "AES-GCM", iv: sealed.subarray(0, 12),
                       additionalData: new TextEncoder().encode(label) };
  return crypto.subtle.decrypt(parameters, key, sealed.subarray(12));
}

// IndexedDB holds one record per portfolio: {salt, key}, the key a non-extractable CryptoKey.
function keys(mode, act) {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DATABASE, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(KEYS);
    request.onerror = () => reject(request.error);
    request.onsuccess = () => {
      const database = request.result;
      const transaction = database.transaction(KEYS, mode);
      const result = act(transaction.objectStore(KEYS));
      transaction.oncomplete = () => { database.close(); resolve(result.result); };
      transaction.onerror = () => { database.close(); reject(transaction.error); };
    };
  });
}

// Where IndexedDB cannot be used, the key lives in memory only: the portfolio then also
// locks when the browser stops the worker.
const keep = (key, salt) => keys("readwrite", (store) => store.put({ key, salt }, SCOPE.href)).catch(() => {});
const recall = () => keys("readonly", (store) => store.get(SCOPE.href)).catch(() => null);

async function forget() {
  opened = null;
  opening = null;
  forgotten += 1;
  await keys("readwrite", (store) => store.delete(SCOPE.href)).catch(() => {});
  LOCKS.postMessage("locked");
}

async function open(key, vault) {
  const index = await decrypt(key, fromBase64(vault.index), INDEX_LABEL);
  const listing = JSON.parse(new TextDecoder().decode(index));
  return { key, salt: vault.kdf.salt, files: new Map(Object.entries(listing.files)),
           sites: listing.sites, chunks: listing.chunks, chunkSize: listing.chunk_size };
}

// The key kept in IndexedDB, if it still opens the vault as it is now (a rebuilt portfolio
// has a new salt); else it is forgotten.
async function reopen() {
  const [kept, vault] = await Promise.all([recall(), readVault()]);
  if (kept && kept.salt === vault.kdf.salt) {
    try {
      return await open(kept.key, vault);
    } catch {
      // the key no longer opens this vault
    }
  }
  await forget();
  return null;
}

// A tab showing a page of this portfolio (frames do not count: none may show it, see below).
async function pageOpen() {
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  return windows.some((client) => client.frameType === "top-level" && client.url.startsWith(SCOPE.href)
                      && !departed.has(client.id));
}

// A top-level page of this portfolio: the only kind whose messages about its coming and going count.
function ownPage(client) {
  return Boolean(client && client.id && client.frameType === "top-level" && client.url.startsWith(SCOPE.href));
}

function depart(client) {
  departed.add(client.id);
  if (departed.size > DEPARTED_KEPT) departed.delete(departed.values().next().value);
  lastLeft = { id: client.id, at: Date.now() };
}

// A page restored from the back-forward cache: it counts again while the portfolio was never left
// (another page open, or another page left just before it came back); else the portfolio locks.
async function returned(client) {
  const fromAnother = lastLeft && lastLeft.id !== client.id && Date.now() - lastLeft.at <= 2 * LEAVING_GRACE;
  if (fromAnother || await pageOpen()) {
    departed.delete(client.id);
  } else {
    await forget();
  }
}

// The opened vault for this request, or null when the portfolio is locked.
async function unlocked(navigating) {
  if (navigating) {
    if (!await pageOpen()) {
      await forget();
      return null;
    }
    if (opened) {
      try {
        if ((await readVault()).kdf.salt === opened.salt) return opened;
      } catch {
        return opened; // offline: keep serving what the key still opens
      }
      opened = null;
      opening = null;
    }
  }
  if (opened) return opened;
  if (!opening) {
    const since = forgotten;
    opening = reopen().then((found) => {
      if (since === forgotten && !opened) opened = found; // unless locked or unlocked meanwhile
      return opened;
    }).finally(() => { opening = null; });
  }
  return opening;
}

// A page went away: forget the key unless a page of the portfolio is still open, or on its
// way (a navigation was answered within the last two rounds), for up to a few rounds.
async function forgetIfLeft() {
  for (let round = 0; round < 5; round += 1) {
    await new Promise((resolve) => setTimeout(resolve, LEAVING_GRACE));
    if (await pageOpen()) return;
    if (Date.now() - lastNavigation > 2 * LEAVING_GRACE) break;
  }
  await forget();
}

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "leaving") {
    if (!ownPage(event.source)) return;
    depart(event.source);
    event.waitUntil(forgetIfLeft());
    return;
  }
  const reply = event.ports[0];
  if (reply && event.data && event.data.type === "returned") {
    if (!ownPage(event.source)) return;
    event.waitUntil(returned(event.source).finally(() => reply.postMessage({ ok: true })));
    return;
  }
  if (!reply || !event.data || event.data.type !== "unlock") return;
  const { key } = event.data;
  const fromHere = event.source && event.source.url.startsWith(SCOPE.href);
  if (!fromHere || !(key instanceof CryptoKey) || key.extractable) {
    reply.postMessage({ ok: false });
    return;
  }
  event.waitUntil((async () => {
    try {
      const vault = await readVault();
      const found = await open(key, vault);
      await keep(key, vault.kdf.salt);
      opened = found;
      reply.postMessage({ ok: true });
    } catch {
      await forget();
      reply.postMessage({ ok: false });
    }
  })());
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== SCOPE.origin
      || !url.pathname.startsWith(SCOPE.pathname)) return;
  let path;
  try {
    path = decodeURIComponent(url.pathname.slice(SCOPE.pathname.length));
  } catch {
    return;
  }
  if (path === "" || path.endsWith("/")) path += "index.html";
  if (path === "sw.js" || path.startsWith("_vault/")) return;
  event.respondWith(answer(event.request, path));
});

function plainResponse(text, status) {
  return new Response(text, { status, headers: { "Content-Type": "text/plain; charset=utf-8" } });
}

// The sealed bytes of one file: it lies at entry.at in the chunks laid end to end.
async function sealedBytes(vault, entry) {
  const size = vault.chunkSize;
  const first = Math.floor(entry.at / size);
  const last = Math.floor((entry.at + entry.size - 1) / size);
  const parts = await Promise.all(vault.chunks.slice(first, last + 1).map(async (name) => {
    const response = await fetch(new URL(`_vault/${name}`, SCOPE));
    if (!response.ok) throw new Error(`the chunk answered ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  }));
  const joined = new Uint8Array(parts.length * size);
  parts.forEach((part, number) => joined.set(part, number * size));
  const start = entry.at - first * size;
  return joined.subarray(start, start + entry.size);
}

async function answer(request, path) {
  const navigating = request.mode === "navigate";
  if (navigating && request.destination !== "document") {
    // Another page (any page of this host) could read a portfolio page it frames.
    return plainResponse("This portfolio cannot be shown inside another page.", 403);
  }
  const vault = await unlocked(navigating);
  if (!vault) {
    // Locked, the host has nothing to give but the theme's assets, the unlock page and
    // "not found" (which sends instant navigation to a full load, and so here again).
    // The unlock page is asked for without its query: the host never sees the page wanted.
    if (navigating && path === "index.html") return fetch(SCOPE.href, { cache: "no-store" });
    if (!navigating) return fetch(request);
    return Response.redirect(`${SCOPE.href}?next=${encodeURIComponent(path)}`, 302);
  }
  if (navigating) lastNavigation = Date.now();
  const folder = path.slice(0, path.length - "sitemap.xml".length);
  if (path.endsWith("sitemap.xml") && vault.sites.includes(folder)) return sitemap(vault, folder);
  const entry = vault.files.get(path);
  if (!entry) return fetch(request); // a theme asset, or a page that is not there
  if (entry.alias) return fetch(new URL(entry.alias, SCOPE)); // the same theme asset, kept once
  let sealed;
  try {
    sealed = await sealedBytes(vault, entry);
  } catch {
    return plainResponse("This file is missing from the portfolio.", 404);
  }
  let plain;
  try {
    plain = await decrypt(vault.key, sealed, path);
  } catch {
    return plainResponse("This file could not be decrypted: it does not belong to this portfolio.", 500);
  }
  const status = path === "404.html" || path.endsWith("/404.html") ? 404 : 200;
  // No page may frame a decrypted file, and a window that opened one (any page of this host)
  // loses its hold on it: a page of another browsing context group cannot be read.
  return new Response(withSession(plain, entry.type), { status, headers: {
    "Content-Type": entry.type, "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "frame-ancestors 'none'", "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin" } });
}

// A page of the portfolio, with the script that says when it goes away (allowed by the
// page's own policy: it is a file of this host).
function withSession(plain, type) {
  if (!type.startsWith("text/html")) return plain;
  const text = new TextDecoder().decode(plain);
  const at = text.indexOf("</head>");
  if (at < 0) return plain;
  return `${text.slice(0, at)}<script src="${SESSION_SCRIPT}" defer></script>${text.slice(at)}`;
}

// Material's instant navigation follows only links listed in the sitemap of the site, by
// full address. A portfolio cannot know its address when it is built, so the sitemap of
// each site in the vault is written here, for the address the portfolio is served from.
function sitemap(vault, folder) {
  const inner = vault.sites.filter((site) => site !== folder && site.startsWith(folder));
  const pages = [...vault.files.keys()]
    .filter((p) => p.startsWith(folder) && p.endsWith(".html") && p !== `${folder}404.html`
            && !inner.some((site) => p.startsWith(site)))
    .sort();
  const escape = (text) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  const entries = pages.map((p) => `<url><loc>${escape(new URL(encodeURI(p), SCOPE).href)}</loc></url>`);
  const xml = '<?xml version="1.0" encoding="UTF-8"?>\n'
    + `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${entries.join("")}</urlset>\n`;
  return new Response(xml, { headers: { "Content-Type": "application/xml", "Cache-Control": "no-store" } });
}

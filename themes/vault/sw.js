// The service worker of an encrypted mentorsite portfolio.
//
// It answers every request under its scope from the portfolio's vault: it fetches the
// encrypted file, decrypts it with the key the unlock page handed over, and returns the
// plain file, so pages, search and navigation behave as in an unencrypted portfolio.
// The key lives only in this worker's memory and in the tab's sessionStorage; nothing
// decrypted is ever stored. Files outside the vault (the theme's assets) pass through.
"use strict";

const SCOPE = new URL(self.registration.scope);
const VAULT = new URL("_vault/vault.json", SCOPE);
const INDEX_LABEL = "\u0000index";
let opened = null; // {key, salt, files: Map(path -> {blob, type} or {alias}), sites: [folder]}

self.addEventListener("install", () => self.skipWaiting());
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

async function open(rawKey) {
  const vault = await readVault();
  const key = await crypto.subtle.importKey("raw", fromBase64(rawKey), "AES-GCM", false, ["decrypt"]);
  const index = await decrypt(key, fromBase64(vault.index), INDEX_LABEL);
  const { files, sites } = JSON.parse(new TextDecoder().decode(index));
  opened = { key, salt: vault.kdf.salt, files: new Map(Object.entries(files)), sites };
}

self.addEventListener("message", (event) => {
  const reply = event.ports[0];
  if (!reply || !event.data || event.data.type !== "unlock") return;
  event.waitUntil(open(event.data.key).then(
    () => reply.postMessage({ ok: true }),
    () => { opened = null; reply.postMessage({ ok: false }); }));
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

async function answer(request, path) {
  const navigating = request.mode === "navigate";
  if (navigating && opened) {
    // A rebuilt portfolio has a new salt, so the key held here no longer opens it.
    try {
      if ((await readVault()).kdf.salt !== opened.salt) opened = null;
    } catch {
      // offline: keep serving what the key still opens
    }
  }
  if (!opened) {
    // Locked, the host has nothing to give but the theme's assets, the unlock page and
    // "not found" (which sends instant navigation to a full load, and so here again).
    if (!navigating || path === "index.html") return fetch(request);
    return Response.redirect(`${SCOPE.href}?next=${encodeURIComponent(path)}`, 302);
  }
  const folder = path.slice(0, path.length - "sitemap.xml".length);
  if (path.endsWith("sitemap.xml") && opened.sites.includes(folder)) return sitemap(folder);
  const entry = opened.files.get(path);
  if (!entry) return fetch(request); // a theme asset, or a page that is not there
  if (entry.alias) return fetch(new URL(entry.alias, SCOPE)); // the same theme asset, kept once
  const response = await fetch(new URL(`_vault/${entry.blob}`, SCOPE));
  if (!response.ok) return plainResponse("This file is missing from the portfolio.", 404);
  let plain;
  try {
    plain = await decrypt(opened.key, new Uint8Array(await response.arrayBuffer()), path);
  } catch {
    return plainResponse("This file could not be decrypted: it does not belong to this portfolio.", 500);
  }
  const status = path === "404.html" || path.endsWith("/404.html") ? 404 : 200;
  return new Response(plain, { status, headers: {
    "Content-Type": entry.type, "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff" } });
}

// Material's instant navigation follows only links listed in the sitemap of the site, by
// full address. A portfolio cannot know its address when it is built, so the sitemap of
// each site in the vault is written here, for the address the portfolio is served from.
function sitemap(folder) {
  const inner = opened.sites.filter((site) => site !== folder && site.startsWith(folder));
  const pages = [...opened.files.keys()]
    .filter((p) => p.startsWith(folder) && p.endsWith(".html") && p !== `${folder}404.html`
            && !inner.some((site) => p.startsWith(site)))
    .sort();
  const escape = (text) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  const entries = pages.map((p) => `<url><loc>${escape(new URL(encodeURI(p), SCOPE).href)}</loc></url>`);
  const xml = '<?xml version="1.0" encoding="UTF-8"?>\n'
    + `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${entries.join("")}</urlset>\n`;
  return new Response(xml, { headers: { "Content-Type": "application/xml", "Cache-Control": "no-store" } });
}

// The unlock page of an encrypted mentorsite portfolio.
//
// It derives the key from the passphrase (PBKDF2-HMAC-SHA256 with the vault's salt and
// iterations) as a WebCrypto key that cannot be exported, checks it against the vault's
// index (AES-256-GCM refuses a wrong key), and hands the key object itself to the
// portfolio's service worker, which decrypts every file from then on and decides how long
// the portfolio stays open. No key material is written anywhere a page can read it.
"use strict";

(() => {
  const scope = new URL("./", window.location.href);
  const INDEX_LABEL = "\u0000index";
  const form = document.getElementById("unlock");
  const input = document.getElementById("passphrase");
  const button = form.querySelector("button");
  const message = document.getElementById("message");

  // The program's palettes when there are several, each for a media query (a light and a
  // dark one): the page shows the one whose query matches, as the theme's own pages do.
  // The theme's automatic palette ("(prefers-color-scheme)", which always matches) only hands
  // over to the light and dark ones: the page follows the system with those.
  const palettes = JSON.parse(document.body.dataset.mentorsitePalettes || "[]")
    .filter((palette) => palette.media.replace(/\s/g, "") !== "(prefers-color-scheme)");
  function showPalette() {
    const chosen = palettes.find((palette) => !palette.media || window.matchMedia(palette.media).matches);
    if (!chosen) return;
    for (const part of ["scheme", "primary", "accent"]) {
      document.body.setAttribute(`data-md-color-${part}`, chosen[part]);
    }
  }
  showPalette();
  for (const palette of palettes) {
    if (palette.media) window.matchMedia(palette.media).addEventListener("change", showPalette);
  }

  function say(text, problem = false) {
    message.textContent = text;
    message.classList.toggle("problem", problem);
  }

  function fromBase64(text) {
    const raw = atob(text);
    const bytes = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i += 1) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  // Only a page of this portfolio may be the next one: never another site.
  function next() {
    const wanted = new URLSearchParams(window.location.search).get("next");
    if (!wanted) return scope.href;
    const url = new URL(wanted, scope);
    return url.origin === scope.origin && url.pathname.startsWith(scope.pathname) ? url.href : scope.href;
  }

  async function deriveKey(passphrase, kdf) {
    const secret = new TextEncoder().encode(passphrase.trim().normalize("NFC"));
    const material = await crypto.subtle.importKey("raw", secret, "PBKDF2", false, ["deriveKey"]);
    return crypto.subtle.deriveKey(
      { name: "PBKDF2", hash: kdf.hash, salt: fromBase64(kdf.salt), iterations: kdf.iterations },
      material, { name: "AES-GCM", length: 256 }, false, ["decrypt"]);
  }

  async function opens(key, vault) {
    try {
      const sealed = fromBase64(vault.index);
      await crypto.subtle.decrypt({ name: "AES-GCM", iv: sealed.subarray(0, 12),
                                    additionalData: new TextEncoder().encode(INDEX_LABEL) },
                                  key, sealed.subarray(12));
      return true;
    } catch {
      return false;
    }
  }

  async function worker() {
    await navigator.serviceWorker.register(new URL("sw.js", scope), { scope: scope.pathname });
    return (await navigator.serviceWorker.ready).active;
  }

  function post(active, data) {
    return new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = (event) => resolve(event.data);
      active.postMessage(data, [channel.port2]);
    });
  }

  async function enter(key, registering) {
    say("Opening the portfolio…");
    const answer = await post(await registering, { type: "unlock", key });
    if (!answer || !answer.ok) throw new Error("the service worker could not open the vault");
    input.value = "";
    window.location.replace(next());
  }

  async function start() {
    if (!window.isSecureContext || !window.crypto || !crypto.subtle) {
      say("This portfolio can only be opened over HTTPS.", true);
      return;
    }
    if (!("serviceWorker" in navigator)) {
      say("This browser cannot open encrypted portfolios: it does not run service workers.", true);
      return;
    }
    const response = await fetch("_vault/vault.json", { cache: "no-store" });
    if (!response.ok) throw new Error(`the vault answered ${response.status}`);
    const vault = await response.json();
    const registering = worker();
    // An older version of this page kept the raw key in the tab's storage: take it away.
    for (const name of Object.keys(sessionStorage)) {
      if (name.startsWith("mentorsite-key:")) sessionStorage.removeItem(name);
    }
    form.hidden = false;
    input.focus();
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      button.disabled = true;
      say("Checking the passphrase…");
      try {
        const key = await deriveKey(input.value, vault.kdf);
        if (!await opens(key, vault)) {
          say("That passphrase does not open this portfolio. Check it and try again.", true);
          input.select();
          return;
        }
        await enter(key, registering);
      } catch (error) {
        say(`The portfolio could not be opened (${error.message}). Reload the page and try again.`, true);
      } finally {
        button.disabled = false;
      }
    });
  }

  start().catch((error) => {
    say(`The portfolio could not be opened (${error.message}). Reload the page and try again.`, true);
  });
})();

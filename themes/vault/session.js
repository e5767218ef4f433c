// Added by the service worker of an encrypted mentorsite portfolio to each of its pages.
//
// When a page goes away (its tab closed, or left for another site), it tells the worker,
// which forgets the key at once if no page of the portfolio is left open (see sw.js).
"use strict";

window.addEventListener("pagehide", () => {
  const worker = navigator.serviceWorker && navigator.serviceWorker.controller;
  if (worker) worker.postMessage({ type: "leaving" });
});

// A page brought back from the browser's back-forward cache was never asked of the worker again:
// load it anew, so that a portfolio locked meanwhile asks for its passphrase instead of showing it.
window.addEventListener("pageshow", (event) => {
  if (event.persisted) window.location.reload();
});

// Added by the service worker of an encrypted mentorsite portfolio to each of its pages.
//
// When a page goes away (its tab closed, or left for another site), it tells the worker,
// which forgets the key at once if no page of the portfolio is left open (see sw.js).
"use strict";

// A page that went away no longer holds the portfolio open, even while the browser still lists it
// (it is being unloaded, or kept to be shown again on "back"): the worker counts it out.
window.addEventListener("pagehide", (event) => {
  const worker = navigator.serviceWorker && navigator.serviceWorker.controller;
  if (worker) worker.postMessage({ type: "leaving" });
  // Kept by the browser to be shown again on "back": keep no decrypted text in it meanwhile.
  if (event.persisted && document.body) document.body.replaceChildren();
});

// A page brought back from the browser's back-forward cache was never asked of the worker again:
// load it anew, so that a portfolio locked meanwhile asks for its passphrase instead of showing it
// (the worker does not count this page, which went away, as one that holds the portfolio open).
window.addEventListener("pageshow", (event) => {
  if (event.persisted) window.location.reload();
});

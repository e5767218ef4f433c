// Added by the service worker of an encrypted mentorsite portfolio to each of its pages.
//
// When a page goes away (its tab closed, or left for another site), it tells the worker,
// which forgets the key at once if no page of the portfolio is left open (see sw.js).
"use strict";

window.addEventListener("pagehide", () => {
  const worker = navigator.serviceWorker && navigator.serviceWorker.controller;
  if (worker) worker.postMessage({ type: "leaving" });
});

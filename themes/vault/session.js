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
  // Kept by the browser to be shown again on "back": keep no decrypted text on it meanwhile.
  if (event.persisted) {
    if (document.body) document.body.replaceChildren();
    document.title = "";
  }
});

// A page brought back from the browser's back-forward cache was never asked of the worker again:
// it tells the worker it is back (which locks the portfolio unless it was never left), then loads
// anew, so that a locked portfolio asks for its passphrase instead of showing the page.
window.addEventListener("pageshow", (event) => {
  if (!event.persisted) return;
  const worker = navigator.serviceWorker && navigator.serviceWorker.controller;
  const reload = () => window.location.reload();
  if (!worker) {
    reload();
    return;
  }
  const channel = new MessageChannel();
  const waited = setTimeout(reload, 2000);
  channel.port1.onmessage = () => {
    clearTimeout(waited);
    reload();
  };
  worker.postMessage({ type: "returned" }, [channel.port2]);
});

// The worker says here when the portfolio locks: a page kept for "back" that hears it is taken out
// of the browser's cache (it then loads anew through the worker). An open page does nothing.
{
  const scope = document.currentScript.src.replace(/_vault\/session\.js$/, "");
  new BroadcastChannel(`mentorsite-vault:${scope}`).onmessage = () => {};
}

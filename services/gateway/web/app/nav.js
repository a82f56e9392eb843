// nav — moving to another page of the app: a history entry, then the page drawn again. Shared
// by the operators' interface and the members' pages (anggota/); each document loads its own
// copy, so each has its own renderer.
// Owns: the renderer that router.js (or anggota/router.js) hands over at start-up. Pages call
// navigate() and never import the router, so no page imports back the module that imports it.
// Not for: which page a path is (the routers), links clicked (links.js).

let renderer = () => undefined;

// `draw()` draws the page of the current location; what it returns, navigate returns.
export function useRenderer(draw) { renderer = draw; }

// Draws the current location again (a language change, the back button, start-up).
export function redraw() { return renderer(); }

export function navigate(path, replace) {
  if (replace) history.replaceState(null, '', path); else history.pushState(null, '', path);
  return renderer();
}

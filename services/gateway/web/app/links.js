// links — a click on a link of the app itself is a client-side navigation (history API), not a
// page load; shared by the operators' interface (main.js) and the members' pages (anggota/).
// Not for: links to the API (files), other origins, or links the user opens elsewhere.

// `inApp(url)` says whether a same-origin URL belongs to the calling app.
export function followLinks(inApp, navigate) {
  document.addEventListener('click', (ev) => {
    const a = ev.target.closest && ev.target.closest('a[href]');
    if (!a || a.target || a.hasAttribute('download') || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.button !== 0) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || !inApp(url)) return;
    // A link within this page (the skip link to #main): focus its target, keep the page (and
    // what was typed in it) as it is.
    if (url.hash && url.pathname === location.pathname && url.search === location.search) {
      const target = document.getElementById(decodeURIComponent(url.hash.slice(1)));
      if (target) { ev.preventDefault(); target.focus(); }
      return;
    }
    ev.preventDefault();
    navigate(url.pathname + url.search);
  });
}

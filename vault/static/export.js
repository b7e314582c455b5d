// The parents' package page: while a package is being built, follow its progress through the API
// (the same cookie; a GET needs no CSRF token) and reload the page once it is done, unless a link and
// code shown once are on screen: then it says the package is done, in place.
(function () {
  "use strict";
  var busy = document.querySelectorAll('[data-export][data-status="queued"], [data-export][data-status="building"]');
  if (!busy.length) { return; }

  function check(card) {
    var id = card.getAttribute("data-export");
    return fetch("/api/v1/exports/" + encodeURIComponent(id), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (view) {
        if (!view) { return false; }
        var bar = card.querySelector("progress");
        var done = card.querySelector('[data-role="done"]');
        if (bar) { bar.max = view.progress.total || 1; bar.value = view.progress.done; }
        if (done) { done.textContent = String(view.progress.done); }
        return view.status !== "queued" && view.status !== "building";
      })
      .catch(function () { return false; });
  }

  function tick() {
    Promise.all(Array.prototype.map.call(busy, check)).then(function (finished) {
      if (!finished.some(Boolean)) { window.setTimeout(tick, 2000); return; }
      // A link and code shown once are on screen: never reload them away; say it is done instead.
      if (document.querySelector(".once")) {
        busy.forEach(function (card, i) {
          if (!finished[i]) { return; }
          var bar = card.querySelector("progress");
          if (bar) { bar.value = bar.max; }
          var note = card.querySelector("[aria-live]");
          if (note) { note.textContent = card.getAttribute("data-finished"); }
        });
        return;
      }
      window.location.assign(window.location.pathname);
    });
  }
  window.setTimeout(tick, 1500);
})();

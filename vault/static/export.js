// The parents' package page: while a package is being built, follow its progress through the API
// (the same cookie; a GET needs no CSRF token) and reload the page once it is done.
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
      if (finished.some(Boolean)) { window.location.assign(window.location.pathname); } else { window.setTimeout(tick, 2000); }
    });
  }
  window.setTimeout(tick, 1500);
})();

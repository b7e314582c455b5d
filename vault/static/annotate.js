// Coding while watching, on the trainer's recording page: a code's key marks the frame the player shows
// (frame = round(currentTime × the recording's rate)), shift and the key start a span and, pressed again,
// end it; the number keys choose who acts. The annotations API stores them (the session's cookie and
// its CSRF header; every request decided and logged by the server); a timeline under the player draws
// them per actor in their code's colour, and a click on one seeks to its first frame.
(function () {
  "use strict";
  var box = document.getElementById("annotations");
  var video = document.getElementById("video");
  if (!box || !video) { return; }
  var en = box.dataset.lang === "en";
  function t(nl, english) { return en ? english : nl; }
  var book = JSON.parse(box.dataset.codebook);
  var parts = box.dataset.rate.split("/");
  var rate = Number(parts[0]) / Number(parts[1] || 1);
  var url = "/api/v1/recordings/" + box.dataset.recording + "/annotations";
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var actor = document.getElementById("actor");
  var timeline = box.querySelector(".timeline");
  var list = document.querySelector("#annotation-list tbody");
  var status = document.getElementById("annotation-status");
  var length = Number(video.dataset.duration) || 0;
  // The player's own keys (clip.js) stay the player's, whatever the codebook says.
  var RESERVED = [" ", ",", ".", "[", "]"];

  function name(entry) { return entry ? (en ? entry.en : entry.nl) : ""; }
  function byKey(group) {
    var found = {};
    (book[group] || []).forEach(function (e) { found[e.key] = e; });
    return found;
  }
  var codes = byKey("codes"), moments = byKey("moments"), actors = byKey("actors");
  function code(key) { return codes[key] || moments[key]; }
  var shortcuts = {};
  (book.codes || []).concat(book.moments || []).forEach(function (e) { shortcuts[e.shortcut.toLowerCase()] = e; });
  var actorKeys = {};
  (book.actors || []).forEach(function (e) { actorKeys[e.shortcut.toLowerCase()] = e; });
  box.querySelectorAll(".swatch").forEach(function (s) { s.style.backgroundColor = s.dataset.colour; });

  function say(text) { status.textContent = text; }
  function clock(s) {
    s = Math.max(0, s || 0);
    var m = Math.floor(s / 60), r = s - 60 * m;
    return m + ":" + (r < 10 ? "0" : "") + r.toFixed(2).replace(".", en ? "." : ",");
  }
  function frameNow() { return Math.round(video.currentTime * rate); }
  function refusal(response) {
    return response.json().then(function (p) {
      return (en ? p.detail_en || p.detail : p.detail) || String(response.status);
    }, function () { return String(response.status); });
  }
  function send(method, path, body) {
    return fetch(path, {
      method: method, credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: body ? JSON.stringify(body) : undefined
    }).then(function (r) {
      if (r.ok) { return r.json(); }
      return refusal(r).then(function (why) { throw new Error(why); });
    });
  }

  var items = [];
  function seek(item) {
    video.pause();
    video.currentTime = item.frame_in / rate;
  }
  function label(item) {
    var words = name(code(item.code)) + (item.actor ? ", " + name(actors[item.actor]) : "") + ", " + clock(item.start_s);
    return item.frame_out === null ? words : words + t(" tot ", " to ") + clock(item.end_s);
  }
  function draw() {
    var total = video.duration && isFinite(video.duration) ? video.duration : length;
    timeline.textContent = "";
    var lanes = (book.actors || []).map(function (a) { return a.key; });
    if (items.some(function (i) { return !i.actor; })) { lanes.push(""); }
    lanes.forEach(function (key) {
      var lane = document.createElement("div");
      lane.className = "lane";
      lane.dataset.actor = key;
      var who = document.createElement("span");
      who.className = "who";
      who.textContent = key ? name(actors[key]) : t("niemand", "nobody");
      var track = document.createElement("div");
      track.className = "track";
      items.filter(function (i) { return (i.actor || "") === key; }).forEach(function (item) {
        var mark = document.createElement("button");
        mark.type = "button";
        mark.className = "mark";
        mark.title = label(item);
        mark.setAttribute("aria-label", t("Naar ", "Go to ") + label(item));
        mark.style.backgroundColor = (code(item.code) || {}).colour || "#777";
        mark.style.left = (total ? 100 * item.start_s / total : 0) + "%";
        if (item.frame_out !== null && total) { mark.style.width = (100 * (item.end_s - item.start_s) / total) + "%"; }
        mark.addEventListener("click", function () { seek(item); });
        track.appendChild(mark);
      });
      lane.appendChild(who);
      lane.appendChild(track);
      timeline.appendChild(lane);
    });
    list.textContent = "";
    items.forEach(function (item) {
      var row = document.createElement("tr");
      var cells = [clock(item.start_s) + (item.frame_out === null ? "" : " – " + clock(item.end_s)),
                   item.frame_out === null ? String(item.frame_in) : item.frame_in + " – " + item.frame_out,
                   name(code(item.code)) || item.code, item.actor ? name(actors[item.actor]) : "–"];
      cells.forEach(function (text) {
        var cell = document.createElement("td");
        cell.textContent = text;
        row.appendChild(cell);
      });
      var cell = document.createElement("td");
      var remove = document.createElement("button");
      remove.type = "button";
      remove.textContent = t("Verwijderen", "Delete");
      var hidden = document.createElement("span");
      hidden.className = "visually-hidden";
      hidden.textContent = " " + label(item);
      remove.appendChild(hidden);
      remove.addEventListener("click", function () { forget(item); });
      cell.appendChild(remove);
      row.appendChild(cell);
      list.appendChild(row);
    });
  }
  function sorted() { items.sort(function (a, b) { return a.frame_in - b.frame_in; }); draw(); }

  function store(entry, first, last) {
    var body = { frame_in: first, code: entry.key, actor: actor.value || "" };
    if (last !== null) { body.frame_out = last; }
    send("POST", url, body).then(function (item) {
      items.push(item);
      sorted();
      say(t("Opgeslagen: ", "Saved: ") + label(item));
    }, function (error) { say(t("Niet opgeslagen: ", "Not saved: ") + error.message); });
  }
  function forget(item) {
    send("DELETE", url + "/" + item.id).then(function () {
      items = items.filter(function (i) { return i.id !== item.id; });
      draw();
      say(t("Verwijderd: ", "Deleted: ") + label(item));
    }, function (error) { say(t("Niet verwijderd: ", "Not deleted: ") + error.message); });
  }

  var open = null; // a span begun with shift and a key: {entry, frame}
  document.addEventListener("keydown", function (e) {
    var tag = e.target && e.target.tagName;
    if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA" || e.ctrlKey || e.metaKey || e.altKey) { return; }
    var key = e.key.length === 1 ? e.key.toLowerCase() : "";
    if (!key || RESERVED.indexOf(key) >= 0) { return; }
    if (actorKeys[key] && !e.shiftKey) {
      actor.value = actorKeys[key].key;
      say(t("Wie: ", "Who: ") + name(actorKeys[key]));
      return;
    }
    var entry = shortcuts[key];
    if (!entry) { return; }
    e.preventDefault();
    var frame = frameNow();
    if (!e.shiftKey) { store(entry, frame, null); return; }
    if (!open || open.entry.key !== entry.key) {
      open = { entry: entry, frame: frame };
      say(t("Stuk begonnen: ", "Span started: ") + name(entry) + " " + clock(video.currentTime) +
          t(" (Shift+", " (Shift+") + entry.shortcut + t(" beëindigt het)", " ends it)"));
      return;
    }
    var first = Math.min(open.frame, frame), last = Math.max(open.frame, frame);
    open = null;
    store(entry, first, last);
  });
  video.addEventListener("loadedmetadata", draw);

  fetch(url, { credentials: "same-origin" }).then(function (r) {
    if (!r.ok) { return refusal(r).then(function (why) { throw new Error(why); }); }
    return r.json();
  }).then(function (page) {
    items = page.items;
    sorted();
    box.dataset.loaded = "1";
  }, function (error) { say(t("Aantekeningen niet geladen: ", "Annotations not loaded: ") + error.message); });
})();

// Coding while watching, on the trainer's recording page: a code's key marks the frame the player shows,
// shift and the key start a span and, pressed again, end it; the number keys choose who acts. Page Down
// and Page Up jump to the next and the previous annotation and select it; Enter opens the selected one in
// the form under the list (code, who, first and last frame, a note), and a deleted one can be brought
// back once. The annotations API stores them (the session's cookie and its CSRF header; every request
// decided and logged by the server); a timeline under the player draws them per actor in their code's
// colour, and a click on one seeks to its first frame.
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
  var form = document.getElementById("annotation-edit");
  var field = {
    code: document.getElementById("edit-code"), actor: document.getElementById("edit-actor"),
    frameIn: document.getElementById("edit-frame-in"), frameOut: document.getElementById("edit-frame-out"),
    note: document.getElementById("edit-note"), forFamily: document.getElementById("edit-for-family")
  };
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

  function say(text, undo) {
    status.textContent = text;
    if (undo) {
      var again = document.createElement("button");
      again.type = "button";
      again.id = "annotation-undo";
      again.textContent = t("Ongedaan maken", "Undo");
      again.addEventListener("click", undo);
      status.appendChild(document.createTextNode(" "));
      status.appendChild(again);
    }
  }
  function clock(s) {
    s = Math.max(0, s || 0);
    var m = Math.floor(s / 60), r = s - 60 * m;
    return m + ":" + (r < 10 ? "0" : "") + r.toFixed(2).replace(".", en ? "." : ",");
  }
  // The frame on screen: frame k is shown from k/rate up to (k+1)/rate (the stream puts it exactly
  // there, ADR 0011 decision 8), so paused between two frame times it is the earlier one.
  function frameNow() { return Math.floor(video.currentTime * rate + 1e-3); }
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
  var selected = null; // the id of the annotation the form changes
  function seek(item) {
    video.pause();
    video.currentTime = item.frame_in / rate;
  }
  function label(item) {
    var words = name(code(item.code)) + (item.actor ? ", " + name(actors[item.actor]) : "") + ", " + clock(item.start_s);
    return item.frame_out === null ? words : words + t(" tot ", " to ") + clock(item.end_s);
  }
  function button(text, hiddenText, action) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    var hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = " " + hiddenText;
    b.appendChild(hidden);
    b.addEventListener("click", action);
    return b;
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
        mark.className = item.id === selected ? "mark selected" : "mark";
        mark.dataset.code = item.code;
        mark.title = label(item);
        mark.setAttribute("aria-label", t("Naar ", "Go to ") + label(item));
        if (item.id === selected) { mark.setAttribute("aria-current", "true"); }
        mark.style.backgroundColor = (code(item.code) || {}).colour || "#777";
        mark.style.left = (total ? 100 * item.start_s / total : 0) + "%";
        if (item.frame_out !== null && total) { mark.style.width = (100 * (item.end_s - item.start_s) / total) + "%"; }
        mark.addEventListener("click", function () { choose(item); });
        track.appendChild(mark);
      });
      lane.appendChild(who);
      lane.appendChild(track);
      timeline.appendChild(lane);
    });
    list.textContent = "";
    items.forEach(function (item) {
      var row = document.createElement("tr");
      row.dataset.id = item.id;
      if (item.id === selected) { row.className = "selected"; row.setAttribute("aria-current", "true"); }
      var cells = [clock(item.start_s) + (item.frame_out === null ? "" : " – " + clock(item.end_s)),
                   item.frame_out === null ? String(item.frame_in) : item.frame_in + " – " + item.frame_out,
                   name(code(item.code)) || item.code, item.actor ? name(actors[item.actor]) : "–", item.note || ""];
      cells.forEach(function (text) {
        var cell = document.createElement("td");
        cell.textContent = text;
        row.appendChild(cell);
      });
      var cell = document.createElement("td");
      cell.appendChild(button(t("Wijzigen", "Change"), label(item), function () { choose(item); field.code.focus(); }));
      cell.appendChild(document.createTextNode(" "));
      cell.appendChild(button(t("Verwijderen", "Delete"), label(item), function () { forget(item); }));
      row.appendChild(cell);
      list.appendChild(row);
    });
  }
  function sorted() { items.sort(function (a, b) { return a.frame_in - b.frame_in; }); draw(); }

  // Selecting an annotation seeks to it and fills the form that changes it.
  function choose(item) {
    selected = item.id;
    seek(item);
    field.code.value = item.code;
    field.actor.value = item.actor || "";
    field.frameIn.value = String(item.frame_in);
    field.frameOut.value = item.frame_out === null ? "" : String(item.frame_out);
    field.note.value = item.note || "";
    field.forFamily.checked = !!item.for_family;
    form.hidden = false;
    draw();
    say(t("Gekozen: ", "Selected: ") + label(item));
  }
  function unselect() {
    selected = null;
    form.hidden = true;
    draw();
  }
  function jump(forward) {
    if (!items.length) { say(t("Er zijn nog geen aantekeningen.", "There are no annotations yet.")); return; }
    var at = frameNow(), current = items.filter(function (i) { return i.id === selected; })[0];
    var next = forward
      ? items.filter(function (i) { return i.frame_in > at || (current && i.frame_in === at && items.indexOf(i) > items.indexOf(current)); })[0]
      : items.filter(function (i) { return i.frame_in < at || (current && i.frame_in === at && items.indexOf(i) < items.indexOf(current)); }).pop();
    if (!next) { say(forward ? t("Dit is de laatste aantekening.", "This is the last annotation.") : t("Dit is de eerste aantekening.", "This is the first annotation.")); return; }
    choose(next);
  }

  function body(entry, first, last, who, note, modifiers, forFamily) {
    var b = { frame_in: first, code: entry, actor: who || "", note: note || "", modifiers: modifiers || [], for_family: !!forFamily };
    if (last !== null && last !== undefined) { b.frame_out = last; }
    return b;
  }
  function store(payload, done) {
    return send("POST", url, payload).then(function (item) {
      items.push(item);
      sorted();
      say((done || t("Opgeslagen: ", "Saved: ")) + label(item));
    }, function (error) { say(t("Niet opgeslagen: ", "Not saved: ") + error.message); });
  }
  function forget(item) {
    send("DELETE", url + "/" + item.id).then(function () {
      items = items.filter(function (i) { return i.id !== item.id; });
      if (selected === item.id) { unselect(); } else { draw(); }
      // Once, the deleted annotation comes back (as a new one, logged as made again).
      say(t("Verwijderd: ", "Deleted: ") + label(item) + ".", function () {
        store(body(item.code, item.frame_in, item.frame_out, item.actor, item.note, item.modifiers, item.for_family),
              t("Teruggezet: ", "Restored: "));
      });
    }, function (error) { say(t("Niet verwijderd: ", "Not deleted: ") + error.message); });
  }
  function frameField(input) {
    var text = input.value.trim();
    return text === "" ? null : Number(text);
  }
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var item = items.filter(function (i) { return i.id === selected; })[0];
    if (!item) { unselect(); return; }
    var first = frameField(field.frameIn), last = frameField(field.frameOut);
    if (first === null || !Number.isInteger(first) || first < 0 || (last !== null && (!Number.isInteger(last) || last < first))) {
      say(t("Vul als begin een beeldnummer in (0 of meer) en als einde niets of een beeldnummer vanaf het begin.",
            "Fill in a frame number (0 or more) as the start, and as the end nothing or a frame number from the start on."));
      field.frameIn.focus();
      return;
    }
    var changed = body(field.code.value, first, last, field.actor.value, field.note.value, item.modifiers, field.forFamily.checked);
    send("PUT", url + "/" + item.id, changed).then(function (saved) {
      items = items.map(function (i) { return i.id === saved.id ? saved : i; });
      sorted();
      say(t("Gewijzigd: ", "Changed: ") + label(saved));
    }, function (error) { say(t("Niet gewijzigd: ", "Not changed: ") + error.message); });
  });
  document.getElementById("edit-in-here").addEventListener("click", function () { field.frameIn.value = String(frameNow()); });
  document.getElementById("edit-out-here").addEventListener("click", function () { field.frameOut.value = String(frameNow()); });
  document.getElementById("edit-cancel").addEventListener("click", unselect);

  var open = null; // a span begun with shift and a key: {entry, frame}
  document.addEventListener("keydown", function (e) {
    var tag = e.target && e.target.tagName;
    if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA" || e.ctrlKey || e.metaKey || e.altKey) { return; }
    if (e.key === "PageDown" || e.key === "PageUp") { e.preventDefault(); jump(e.key === "PageDown"); return; }
    if (e.key === "Escape" && selected) { unselect(); return; }
    if (e.key === "Enter" && selected && tag !== "BUTTON" && tag !== "A") { e.preventDefault(); field.code.focus(); return; }
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
    if (!e.shiftKey) { store(body(entry.key, frame, null, actor.value)); return; }
    if (!open || open.entry.key !== entry.key) {
      open = { entry: entry, frame: frame };
      say(t("Stuk begonnen: ", "Span started: ") + name(entry) + " " + clock(video.currentTime) +
          t(" (Shift+", " (Shift+") + entry.shortcut + t(" beëindigt het)", " ends it)"));
      return;
    }
    var first = Math.min(open.frame, frame), last = Math.max(open.frame, frame);
    open = null;
    store(body(entry.key, first, last, actor.value));
  });
  video.addEventListener("loadedmetadata", draw);

  // A file of annotations (ELAN, WebVTT, JSON-LD; coded elsewhere or exported from another recording),
  // read in by the server all or nothing; the refusal names the entry and the file.
  var importFile = document.getElementById("import-file");
  document.getElementById("import-start").addEventListener("click", function () {
    var file = importFile.files && importFile.files[0];
    if (!file) { say(t("Kies eerst een bestand.", "Choose a file first.")); return; }
    say(t("Inlezen…", "Importing…"));
    fetch(url + "/import", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/octet-stream", "X-CSRF-Token": csrf },
      body: file
    }).then(function (r) {
      if (r.ok) { return r.json(); }
      return refusal(r).then(function (why) { throw new Error(why); });
    }).then(function (done) {
      items = items.concat(done.items);
      sorted();
      importFile.value = "";
      say(file.name + t(": ingelezen, nieuw ", ": imported, new ") + done.created +
        t(", overgeslagen (stond er al) ", ", skipped (already there) ") + done.skipped + ".");
    }, function (error) {
      say(file.name + t(" is niet ingelezen: ", " was not imported: ") + error.message);
    });
  });

  fetch(url, { credentials: "same-origin" }).then(function (r) {
    if (!r.ok) { return refusal(r).then(function (why) { throw new Error(why); }); }
    return r.json();
  }).then(function (page) {
    items = page.items;
    sorted();
    box.dataset.loaded = "1";
  }, function (error) { say(t("Aantekeningen niet geladen: ", "Annotations not loaded: ") + error.message); });
})();

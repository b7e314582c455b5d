// The trainer's check of an anonymised fragment (ADR 0017): the fragment itself plays (opened through the
// API: decided and logged) with what the copy blurs drawn over it — the faces the detector found (dashed,
// grown as the engine grows them; green where a keep box leaves them visible) and the trainer's own boxes (red: blurred; green: kept visible). Drag on
// the picture to add a box from this moment for the given seconds; "Eindpositie" draws where a moving face
// is at the end of its box. "Vakken opslaan" sends every box at once (PUT /api/v1/clips/{id}/faces) and
// asks for the copy again. "Stilte vanaf hier" marks a span where a name is spoken, silent in the copy
// (PUT /api/v1/clips/{id}/mute, saved with the boxes). Keys: space play/pause, , and . one frame.
(function () {
  "use strict";
  var root = document.getElementById("check");
  var video = document.getElementById("video");
  var canvas = document.getElementById("boxes");
  if (!root || !video || !canvas) { return; }
  var en = root.dataset.lang === "en";
  function t(nl, english) { return en ? english : nl; }
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var clip = root.dataset.clip;
  var start = Number(root.dataset.start), end = Number(root.dataset.end);
  var FPS = 25, GROW = 0.4, EVERY = 5 / 25;
  var status = document.getElementById("status");
  var list = document.getElementById("edits");
  var save = document.getElementById("save");
  var kind = document.getElementById("kind");
  var seconds = document.getElementById("seconds");
  var play = document.getElementById("play");
  var time = document.getElementById("time");
  var silence = document.getElementById("silence");
  var detections = [], edits = [], drag = null, ending = null, hls = null;
  var mutes = JSON.parse(root.dataset.mute || "[]"); // [{start_s, end_s}], seconds of the recording

  function say(text) { status.textContent = text; }
  function clock(s) {
    s = Math.max(0, s || 0);
    var m = Math.floor(s / 60), r = s - 60 * m;
    return m + ":" + (r < 10 ? "0" : "") + r.toFixed(1).replace(".", en ? "." : ",");
  }
  function now() { return start + video.currentTime; } // seconds of the recording
  function refusal(response) {
    return response.json().then(function (p) {
      return (en ? p.detail_en || p.detail : p.detail) || String(response.status);
    }, function () { return String(response.status); });
  }
  function send(method, path, body) {
    return fetch(path, {
      method: method, credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, "Accept": "application/json" },
      body: body ? JSON.stringify(body) : undefined
    }).then(function (r) {
      if (r.ok) { return r.json(); }
      return refusal(r).then(function (why) { throw new Error(why); });
    });
  }

  // Where the picture is inside the element (object-fit: contain), in CSS pixels.
  function picture() {
    var w = canvas.clientWidth, h = canvas.clientHeight;
    var vw = video.videoWidth || 16, vh = video.videoHeight || 9;
    var scale = Math.min(w / vw, h / vh);
    return { x: (w - vw * scale) / 2, y: (h - vh * scale) / 2, w: vw * scale, h: vh * scale };
  }
  function at(edit, moment) { // the edit's box at a moment (linear towards box_end)
    if (!edit.box_end || edit.end_s <= edit.start_s) { return edit.box; }
    var f = Math.max(0, Math.min(1, (moment - edit.start_s) / (edit.end_s - edit.start_s)));
    return edit.box.map(function (v, i) { return v + (edit.box_end[i] - v) * f; });
  }
  function found(moment) { // the detection in force at a moment: the last one at or before it
    var best = null;
    detections.forEach(function (d) { if (d.t <= moment + 1e-3 && moment - d.t < EVERY + 1e-3) { best = d; } });
    return best ? best.boxes : [];
  }
  // As the engine decides (engine.to_blur): a face is left visible only wholly inside a keep box, with
  // no blur box touching it.
  function shown(b, moment) {
    function active(e) { return moment >= e.start_s && moment + 1 / FPS <= e.end_s + 1e-9; }
    function inside(k) { return k[0] <= b[0] && b[0] + b[2] <= k[0] + k[2] && k[1] <= b[1] && b[1] + b[3] <= k[1] + k[3]; }
    function touches(a) { return a[0] <= b[0] + b[2] && b[0] <= a[0] + a[2] && a[1] <= b[1] + b[3] && b[1] <= a[1] + a[3]; }
    var keep = edits.filter(function (e) { return e.kind === "keep" && active(e); });
    var add = edits.filter(function (e) { return e.kind === "add" && moment > e.start_s - 1 / FPS && moment < e.end_s; });
    return keep.some(function (e) { return inside(at(e, moment)); }) &&
      !add.some(function (e) { return touches(at(e, moment)); });
  }
  function rect(ctx, p, b, grow) {
    var gx = b[2] * grow, gy = b[3] * grow;
    ctx.strokeRect(p.x + (b[0] - gx) * p.w, p.y + (b[1] - gy) * p.h, (b[2] + 2 * gx) * p.w, (b[3] + 2 * gy) * p.h);
  }
  function draw() {
    var ratio = window.devicePixelRatio || 1;
    canvas.width = canvas.clientWidth * ratio;
    canvas.height = canvas.clientHeight * ratio;
    var ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.lineWidth = 3;
    var p = picture(), moment = now();
    ctx.setLineDash([8, 6]);
    found(moment).forEach(function (b) {
      ctx.strokeStyle = shown(b, moment) ? "#4dd26b" : "#ffd24d";
      rect(ctx, p, b, GROW);
    });
    ctx.setLineDash([]);
    edits.forEach(function (e) {
      if (moment < e.start_s || moment > e.end_s) { return; }
      ctx.strokeStyle = e.kind === "add" ? "#ff4d4d" : "#4dd26b";
      rect(ctx, p, at(e, moment), e.kind === "add" ? GROW : 0);
    });
    if (drag && drag.now) {
      ctx.strokeStyle = "#ffffff";
      ctx.strokeRect(drag.x, drag.y, drag.now.x - drag.x, drag.now.y - drag.y);
    }
    var muted = mutes.some(function (m) { return moment >= m.start_s && moment < m.end_s; });
    time.textContent = clock(video.currentTime) + (muted ? " · " + t("stil", "muted") : "");
  }
  function tick() { draw(); if (!video.paused) { window.requestAnimationFrame(tick); } }

  function describe(e) {
    return (e.kind === "add" ? t("Vervagen", "Blur") : t("Zichtbaar laten", "Keep visible")) + ", " +
      clock(e.start_s - start) + t(" tot ", " to ") + clock(e.end_s - start) +
      (e.box_end ? t(", bewegend", ", moving") : "");
  }
  function button(text, action) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    b.addEventListener("click", action);
    return b;
  }
  function show() {
    list.textContent = "";
    edits.forEach(function (e, i) {
      var li = document.createElement("li");
      li.textContent = describe(e);
      li.appendChild(button(t("Eindpositie hier tekenen", "Draw the end position here"), function () {
        ending = i;
        say(t("Sleep nu waar het gezicht op dit moment is.", "Now drag where the face is at this moment."));
      }));
      li.appendChild(button(t("Verwijderen", "Remove"), function () { edits.splice(i, 1); show(); draw(); }));
      list.appendChild(li);
    });
    mutes.forEach(function (m, i) {
      var li = document.createElement("li");
      li.textContent = t("Stil, ", "Muted, ") + clock(m.start_s - start) + t(" tot ", " to ") + clock(m.end_s - start);
      li.appendChild(button(t("Verwijderen", "Remove"), function () { mutes.splice(i, 1); show(); draw(); }));
      list.appendChild(li);
    });
    save.hidden = false;
  }
  function point(event) {
    var r = canvas.getBoundingClientRect();
    return { x: event.clientX - r.left, y: event.clientY - r.top };
  }
  function normalised(a, b) { // a box [x, y, w, h] in 0..1 of the picture, clipped to it
    var p = picture();
    var x0 = Math.max(0, (Math.min(a.x, b.x) - p.x) / p.w), y0 = Math.max(0, (Math.min(a.y, b.y) - p.y) / p.h);
    var x1 = Math.min(1, (Math.max(a.x, b.x) - p.x) / p.w), y1 = Math.min(1, (Math.max(a.y, b.y) - p.y) / p.h);
    return x1 - x0 > 0.01 && y1 - y0 > 0.01 ? [x0, y0, x1 - x0, y1 - y0] : null;
  }
  canvas.addEventListener("pointerdown", function (event) {
    video.pause();
    canvas.setPointerCapture(event.pointerId);
    var p = point(event);
    drag = { x: p.x, y: p.y, now: null };
  });
  canvas.addEventListener("pointermove", function (event) { if (drag) { drag.now = point(event); draw(); } });
  canvas.addEventListener("pointerup", function (event) {
    if (!drag) { return; }
    var box = normalised(drag, point(event));
    drag = null;
    if (!box) { draw(); return; }
    var moment = Math.round(now() * 1000) / 1000;
    if (ending !== null && edits[ending] && moment > edits[ending].start_s) {
      edits[ending].end_s = Math.min(end, moment);
      edits[ending].box_end = box;
      ending = null;
      say("");
    } else {
      var length = Math.max(0.2, Number(seconds.value) || 2);
      var from = Math.max(start, Math.min(moment, end - 0.2)); // drawn at the very end: the last 0.2 s
      edits.push({ kind: kind.value, start_s: from, end_s: Math.min(end, from + length), box: box, box_end: null });
    }
    show();
    draw();
  });

  silence.addEventListener("click", function () {
    video.pause();
    var length = Math.max(0.2, Number(seconds.value) || 2);
    var from = Math.max(start, Math.min(Math.round(now() * 1000) / 1000, end - 0.2));
    mutes.push({ start_s: from, end_s: Math.min(end, from + length) });
    show();
    draw();
  });

  save.addEventListener("click", function () {
    save.disabled = true;
    say(t("Opslaan…", "Saving…"));
    send("PUT", "/api/v1/clips/" + clip + "/faces", { edits: edits }).then(function () {
      return send("PUT", "/api/v1/clips/" + clip + "/mute", { spans: mutes });
    }).then(function (saved) {
      mutes = saved.mute; // sorted, and those that overlap joined
      show();
      return send("POST", "/api/v1/clips/" + clip + "/anonymise");
    }).then(function (copy) {
      if (copy.anonymised !== "making") { // the same boxes as before: the copy stands as it was
        say(t("Opgeslagen; er was niets veranderd, de geanonimiseerde versie blijft zoals ze was.",
          "Saved; nothing had changed, the anonymised copy stays as it was."));
        return;
      }
      say(t("Opgeslagen. De geanonimiseerde versie wordt opnieuw gemaakt; ververs deze pagina over een minuut en bekijk haar voordat u haar goedkeurt.",
        "Saved. The anonymised copy is being made again; reload this page in a minute and watch it before you approve it."));
    }).catch(function (error) { say(error.message); }).then(function () { save.disabled = false; });
  });
  play.addEventListener("click", function () { if (video.paused) { video.play(); } else { video.pause(); } });
  function step(frames) {
    video.pause();
    video.currentTime = Math.max(0, Math.min(video.duration || 0, video.currentTime + frames / FPS));
  }
  document.getElementById("back").addEventListener("click", function () { step(-1); });
  document.getElementById("forward").addEventListener("click", function () { step(1); });
  document.addEventListener("keydown", function (event) {
    if (event.target.closest && event.target.closest("input, select, textarea, button")) { return; }
    if (event.key === " ") { event.preventDefault(); play.click(); }
    else if (event.key === ",") { step(-1); }
    else if (event.key === ".") { step(1); }
  });
  video.addEventListener("play", function () { play.textContent = t("Pauze", "Pause"); tick(); });
  video.addEventListener("pause", function () { play.textContent = t("Afspelen", "Play"); draw(); });
  video.addEventListener("seeked", draw);
  video.addEventListener("loadeddata", draw);
  window.addEventListener("resize", draw);
  window.addEventListener("pagehide", function () { if (hls) { hls.destroy(); } });

  document.getElementById("stage").hidden = false;
  document.getElementById("controls").hidden = false;
  send("GET", "/api/v1/clips/" + clip + "/faces").then(function (faces) {
    detections = faces.detections || [];
    edits = faces.edits || [];
    show();
    draw();
  }).catch(function (error) { say(error.message); });
  send("POST", "/api/v1/clips/" + clip + "/stream").then(function (link) {
    if (window.Hls && window.Hls.isSupported()) {
      hls = new window.Hls({ enableWorker: false });
      hls.loadSource(link.playlist);
      hls.attachMedia(video);
    } else {
      video.src = link.playlist;
    }
  }).catch(function (error) { say(error.message); });
}());

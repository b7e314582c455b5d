// The terugkijkgesprek (ADR 0016): the chosen fragments one at a time, each opened through the API
// (POST /api/v1/clips/{id}/stream: decided and logged, a fresh short-lived link per fragment), with slow
// motion, frame step, and a pause at each still (the marked moments). Without JavaScript the page still
// lists every fragment with its kijkrichting and stills. Keys: space play/pause, , and . one frame,
// [ and ] slower/faster, PageUp/PageDown previous/next fragment, f full screen.
(function () {
  "use strict";
  var main = document.getElementById("gesprek");
  var video = document.getElementById("video");
  var items = Array.prototype.slice.call(document.querySelectorAll(".fragment"));
  if (!main || !video || !items.length) { return; }
  var en = main.dataset.lang === "en";
  function t(nl, english) { return en ? english : nl; }
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var stage = document.getElementById("stage");
  var status = document.getElementById("status");
  var play = document.getElementById("play");
  var speed = document.getElementById("speed");
  var stopAtMarks = document.getElementById("stop-at-marks");
  var where = document.getElementById("where");
  var time = document.getElementById("time");
  var FPS = 25; // the review stream is rendered at 25 frames per second
  var hls = null, current = -1, marks = [], last = 0, playlist = null;

  main.classList.add("js");
  stage.hidden = false;
  function say(text) { status.textContent = text; }
  function clock(s) {
    s = Math.max(0, s || 0);
    var m = Math.floor(s / 60), r = Math.floor(s - 60 * m);
    return m + ":" + (r < 10 ? "0" : "") + r;
  }
  function stopStream() {
    if (playlist && navigator.sendBeacon) { navigator.sendBeacon(playlist.replace(/index\.m3u8$/, "stop")); }
    if (hls) { hls.destroy(); hls = null; }
    playlist = null;
  }
  function load(url) {
    playlist = url;
    if (window.Hls && window.Hls.isSupported()) {
      // A weak connection: buffer the whole fragment (3-4 minutes) ahead, in memory only (ADR 0016).
      hls = new window.Hls({ enableWorker: false, maxBufferLength: 300, maxMaxBufferLength: 300, fragLoadingMaxRetry: 8, fragLoadingRetryDelay: 1000 });
      hls.on(window.Hls.Events.ERROR, function (_e, data) {
        var code = data.response && data.response.code;
        if (code === 401 || code === 403) { hls.stopLoad(); say(t("Dit fragment kan niet (meer) worden getoond.", "This fragment cannot be shown (any more).")); }
        else if (data.fatal) { say(t("Afspelen mislukt; probeer het opnieuw.", "Playback failed; please try again.")); }
      });
      hls.loadSource(url);
      hls.attachMedia(video);
    } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
      video.src = url;
    } else {
      say(t("Deze browser kan het fragment niet afspelen.", "This browser cannot play the fragment."));
    }
  }
  function show(index) {
    if (index < 0 || index >= items.length) { return; }
    stopStream();
    video.removeAttribute("src");
    items.forEach(function (item, i) { item.classList.toggle("current", i === index); });
    current = index;
    var item = items[index];
    marks = JSON.parse(item.dataset.marks || "[]");
    last = 0;
    where.textContent = t("Fragment ", "Fragment ") + (index + 1) + t(" van ", " of ") + items.length;
    document.getElementById("previous").disabled = index === 0;
    document.getElementById("next").disabled = index === items.length - 1;
    if (item.dataset.refused) { say(""); return; }
    say(t("Laden…", "Loading…"));
    fetch("/api/v1/clips/" + item.dataset.clip + "/stream", {
      method: "POST", credentials: "same-origin", headers: { "X-CSRF-Token": csrf }
    }).then(function (r) {
      if (!r.ok) { throw new Error(String(r.status)); }
      return r.json();
    }).then(function (link) {
      if (current === index) { load(link.playlist); }
    }).catch(function () {
      say(t("Dit fragment kan nu niet worden getoond.", "This fragment cannot be shown now."));
    });
  }
  function toggle() { if (video.paused) { video.playbackRate = Number(speed.value); video.play(); } else { video.pause(); } }
  function step(frames) {
    video.pause();
    var frame = Math.round(video.currentTime * FPS) + frames;
    var end = Math.floor((video.duration || 0) * FPS) - 1;
    video.currentTime = Math.max(0, Math.min(frame, Math.max(end, 0))) / FPS;
  }
  function goTo(at) {
    video.pause();
    last = at;
    video.currentTime = at;
  }
  function faster(up) {
    var choices = [0.25, 0.5, 1], i = choices.indexOf(Number(speed.value));
    i = Math.max(0, Math.min(choices.length - 1, i + (up ? 1 : -1)));
    speed.value = String(choices[i]);
    video.playbackRate = choices[i];
  }

  // Pause at a marked moment: when playing crosses a still's time, stop on that frame.
  video.addEventListener("timeupdate", function () {
    var now = video.currentTime;
    if (!video.paused && stopAtMarks.checked) {
      for (var i = 0; i < marks.length; i++) {
        if (marks[i] > last && marks[i] <= now) { goTo(marks[i]); say(t("Gestopt bij een stilstaand beeld.", "Stopped at a still.")); break; }
      }
    }
    last = video.currentTime;
    time.textContent = clock(video.currentTime) + " / " + clock(video.duration);
  });
  video.addEventListener("seeked", function () { last = video.currentTime; });
  video.addEventListener("loadedmetadata", function () { say(""); });
  video.addEventListener("play", function () { play.textContent = t("Pauze", "Pause"); });
  video.addEventListener("pause", function () { play.textContent = t("Afspelen", "Play"); });
  video.addEventListener("click", toggle);
  play.addEventListener("click", toggle);
  speed.addEventListener("change", function () { video.playbackRate = Number(speed.value); });
  document.getElementById("back").addEventListener("click", function () { step(-1); });
  document.getElementById("forward").addEventListener("click", function () { step(1); });
  document.getElementById("previous").addEventListener("click", function () { show(current - 1); });
  document.getElementById("next").addEventListener("click", function () { show(current + 1); });
  Array.prototype.forEach.call(document.querySelectorAll(".still"), function (button) {
    button.addEventListener("click", function () { goTo(Number(button.dataset.at)); });
  });
  var full = document.getElementById("fullscreen");
  if (document.fullscreenEnabled) {
    full.hidden = false;
    full.addEventListener("click", function () {
      if (document.fullscreenElement) { document.exitFullscreen(); } else { main.requestFullscreen(); }
    });
  }
  document.addEventListener("keydown", function (e) {
    var tag = e.target && e.target.tagName;
    if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA" || e.ctrlKey || e.metaKey || e.altKey) { return; }
    if (e.key === " " && tag !== "BUTTON") { e.preventDefault(); toggle(); }
    else if (e.key === ",") { step(-1); }
    else if (e.key === ".") { step(1); }
    else if (e.key === "[") { faster(false); }
    else if (e.key === "]") { faster(true); }
    else if (e.key === "PageUp") { e.preventDefault(); show(current - 1); }
    else if (e.key === "PageDown") { e.preventDefault(); show(current + 1); }
    else if (e.key === "f" && document.fullscreenEnabled) { full.click(); }
  });
  window.addEventListener("pagehide", stopStream);
  show(0);
})();

// Two recordings side by side (issue #23): played, paused, slowed and stepped together. The left one
// leads; the right one follows its time (as far as it is long), corrected when they drift apart.
// Keys: space play/pause, , and . one frame.
(function () {
  "use strict";
  var videos = Array.prototype.slice.call(document.querySelectorAll("video.synced"));
  var controls = document.getElementById("compare-controls");
  if (videos.length !== 2 || !controls) { return; }
  var en = controls.dataset.lang === "en";
  function t(nl, english) { return en ? english : nl; }
  var lead = videos[0], follow = videos[1];
  var play = document.getElementById("play");
  var speed = document.getElementById("speed");
  var time = document.getElementById("time");
  var status = document.getElementById("status");
  var FPS = 25;
  var players = [];

  videos.forEach(function (video) {
    var playlist = video.dataset.playlist;
    if (window.Hls && window.Hls.isSupported()) {
      var hls = new window.Hls({ enableWorker: false, maxBufferLength: 12, fragLoadingMaxRetry: 6, fragLoadingRetryDelay: 1000 });
      hls.on(window.Hls.Events.ERROR, function (_e, data) {
        if (data.fatal) { status.textContent = t("Afspelen mislukt; laad de pagina opnieuw.", "Playback failed; reload the page."); }
      });
      hls.loadSource(playlist);
      hls.attachMedia(video);
      players.push(hls);
    } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
      video.src = playlist;
    }
    window.addEventListener("pagehide", function () {
      if (navigator.sendBeacon) { navigator.sendBeacon(playlist.replace(/index\.m3u8$/, "stop")); }
    });
  });

  function clock(s) {
    s = Math.max(0, s || 0);
    var m = Math.floor(s / 60), r = Math.floor(s - 60 * m);
    return m + ":" + (r < 10 ? "0" : "") + r;
  }
  function both(fn) { videos.forEach(fn); }
  function align() {
    var at = Math.min(lead.currentTime, Math.max((follow.duration || 0) - 1 / FPS, 0));
    if (Math.abs(follow.currentTime - at) > 0.001) { follow.currentTime = at; }
  }
  function toggle() {
    if (lead.paused) {
      align();
      both(function (v) { v.playbackRate = Number(speed.value); v.play(); });
    } else {
      both(function (v) { v.pause(); });
      align();
    }
  }
  function step(frames) {
    both(function (v) { v.pause(); });
    var frame = Math.round(lead.currentTime * FPS) + frames;
    var last = Math.floor((lead.duration || 0) * FPS) - 1;
    lead.currentTime = Math.max(0, Math.min(frame, Math.max(last, 0))) / FPS;
  }
  lead.addEventListener("seeked", align);
  lead.addEventListener("timeupdate", function () {
    if (!lead.paused && Math.abs(follow.currentTime - lead.currentTime) > 0.25) { align(); }
    time.textContent = clock(lead.currentTime);
  });
  lead.addEventListener("play", function () { play.textContent = t("Pauze", "Pause"); });
  lead.addEventListener("pause", function () { play.textContent = t("Afspelen", "Play"); });
  play.addEventListener("click", toggle);
  speed.addEventListener("change", function () { both(function (v) { v.playbackRate = Number(speed.value); }); });
  document.getElementById("back").addEventListener("click", function () { step(-1); });
  document.getElementById("forward").addEventListener("click", function () { step(1); });
  document.addEventListener("keydown", function (e) {
    var tag = e.target && e.target.tagName;
    if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA" || e.ctrlKey || e.metaKey || e.altKey) { return; }
    if (e.key === " " && tag !== "BUTTON") { e.preventDefault(); toggle(); }
    else if (e.key === ",") { step(-1); }
    else if (e.key === ".") { step(1); }
  });
})();

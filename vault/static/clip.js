// Clip making on a recording's page: the whole recording plays (HLS, watermarked, every segment decided
// by the server); "Begin hier"/"Einde hier" take the video's time into the form's number inputs, which
// also work on their own without JavaScript. Keys: space play/pause, , and . one frame, [ start, ] end
// (letters are the codebook's: annotate.js).
(function () {
  "use strict";
  var video = document.getElementById("video");
  if (!video) { return; }
  var en = video.dataset.lang === "en";
  function t(nl, english) { return en ? english : nl; }
  var playlist = video.dataset.playlist;
  var fps = Number(video.dataset.fps) || 25;
  var length = Number(video.dataset.duration) || 0;
  var status = document.getElementById("player-status");
  var play = document.getElementById("play");
  var time = document.getElementById("time");
  var start = document.getElementById("start_s");
  var end = document.getElementById("end_s");
  var span = document.getElementById("span");

  function say(text) { status.textContent = text; }
  function clock(s) {
    s = Math.max(0, s || 0);
    var m = Math.floor(s / 60), r = s - 60 * m;
    return m + ":" + (r < 10 ? "0" : "") + r.toFixed(2).replace(".", en ? "." : ",");
  }

  if (window.Hls && window.Hls.isSupported()) {
    var hls = new window.Hls({ enableWorker: false, maxBufferLength: 12, fragLoadingMaxRetry: 6, fragLoadingRetryDelay: 1000 });
    hls.on(window.Hls.Events.ERROR, function (_e, data) {
      var code = data.response && data.response.code;
      if (code === 401 || code === 403) {
        hls.stopLoad();
        say(t("Kijken kan niet (meer): laad de pagina opnieuw.", "Watching is not possible (any more): reload the page."));
      } else if (data.fatal) {
        say(t("Afspelen mislukt (", "Playback failed (") + data.details + ").");
      }
    });
    hls.loadSource(playlist);
    hls.attachMedia(video);
  } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
    video.src = playlist;
  } else {
    say(t("Deze browser kan de opname niet afspelen; vul begin en einde zelf in.", "This browser cannot play the recording; fill in start and end yourself."));
  }
  say(t("Laden…", "Loading…"));
  window.addEventListener("pagehide", function () {
    if (navigator.sendBeacon) { navigator.sendBeacon(playlist.replace(/index\.m3u8$/, "stop")); }
  });

  function toggle() { if (video.paused) { video.play(); } else { video.pause(); } }
  function step(frames) {
    video.pause();
    // Stay on the frame grid, so in and out points fall on whole frames; from the frame on screen
    // (frame k is shown from k/fps up to (k+1)/fps), also when paused between two frame times.
    var frame = Math.floor(video.currentTime * fps + 1e-3) + frames;
    var last = Math.floor((video.duration || length || 0) * fps) - 1;
    video.currentTime = Math.max(0, Math.min(frame, Math.max(last, 0))) / fps;
  }
  function seconds(value) { return String(Math.round(value * 100) / 100); }
  function showSpan() {
    var a = Number(start.value), b = Number(end.value);
    span.textContent = start.value && end.value && b > a
      ? t("Fragment van ", "Clip from ") + clock(a) + t(" tot ", " to ") + clock(b) + " (" + seconds(b - a).replace(".", en ? "." : ",") + " s)"
      : "";
  }
  function markIn() {
    start.value = seconds(video.currentTime);
    if (end.value && Number(end.value) <= Number(start.value)) { end.value = ""; }
    showSpan();
  }
  function markOut() {
    var at = video.currentTime;
    if (length) { at = Math.min(at, length); }
    end.value = seconds(at);
    showSpan();
  }

  // Play the chosen span once, to check it, and stop at its end.
  var stopAt = null;
  function playChoice() {
    var a = Number(start.value), b = Number(end.value);
    if (!start.value || !end.value || !(b > a)) {
      say(t("Kies eerst een begin en een einde.", "Choose a start and an end first."));
      return;
    }
    stopAt = b;
    video.currentTime = a;
    video.play();
  }
  video.addEventListener("timeupdate", function () {
    if (stopAt !== null && video.currentTime >= stopAt) {
      var at = stopAt;
      stopAt = null;
      video.pause();
      video.currentTime = at;
    }
  });
  document.getElementById("play-choice").addEventListener("click", playChoice);
  play.addEventListener("click", function () { stopAt = null; toggle(); });
  document.getElementById("back").addEventListener("click", function () { step(-1); });
  document.getElementById("forward").addEventListener("click", function () { step(1); });
  document.getElementById("mark-in").addEventListener("click", markIn);
  document.getElementById("mark-out").addEventListener("click", markOut);
  start.addEventListener("input", showSpan);
  end.addEventListener("input", showSpan);
  video.addEventListener("click", toggle);
  video.addEventListener("play", function () { play.textContent = t("Pauze", "Pause"); });
  video.addEventListener("pause", function () { play.textContent = t("Afspelen", "Play"); });
  video.addEventListener("loadedmetadata", function () { say(""); });
  video.addEventListener("timeupdate", function () { time.textContent = clock(video.currentTime) + " / " + clock(video.duration || length); });
  video.addEventListener("seeked", function () { time.textContent = clock(video.currentTime) + " / " + clock(video.duration || length); });
  document.addEventListener("keydown", function (e) {
    var tag = e.target && e.target.tagName;
    if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA" || e.ctrlKey || e.metaKey || e.altKey) { return; }
    if (e.key === " " && tag !== "BUTTON") { e.preventDefault(); toggle(); }
    else if (e.key === ",") { step(-1); }
    else if (e.key === ".") { step(1); }
    else if (e.key === "[") { markIn(); }
    else if (e.key === "]") { markOut(); }
  });
  showSpan();
})();

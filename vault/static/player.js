// The review player: HLS through hls.js (vendored, no CDN), with frame step and slow motion for trainers
// who analyse an interaction frame by frame. Keyboard: space play/pause, , and . one frame, [ and ] speed.
(function () {
  "use strict";
  var video = document.getElementById("video");
  var playlist = video.dataset.playlist;
  var fps = Number(video.dataset.fps) || 25;
  var status = document.getElementById("status");
  var play = document.getElementById("play");
  var seek = document.getElementById("seek");
  var time = document.getElementById("time");
  var speed = document.getElementById("speed");

  var english = document.documentElement.lang === "en";
  function w(nl, en) { return english ? en : nl; } // the page's language, one at a time
  function say(text) { status.textContent = text; }
  function clock(s) {
    s = Math.max(0, s || 0);
    var m = Math.floor(s / 60), r = s - 60 * m;
    return m + ":" + (r < 10 ? "0" : "") + r.toFixed(2);
  }
  function refused(code) {
    video.pause();
    say(code === 403
      ? w("U heeft (nu) geen toegang tot dit fragment: de toestemming is ingetrokken of de bijeenkomst is voorbij.",
          "You have no access to this clip (now): the consent was withdrawn or the session is over.")
      : code === 422
        ? w("Dit deel van de opname kan niet worden afgespeeld: de opgeslagen beelden zijn beschadigd. Meld dit bij de beheerder.",
            "This part of the recording cannot be played: the stored footage is damaged. Tell the administrator.")
        : code === 503
        ? w("De server is druk; het fragment wordt zo opnieuw geprobeerd.", "The server is busy; the clip is tried again shortly.")
        : w("De kijklink is verlopen; open het fragment opnieuw.", "The viewing link expired; open the clip again."));
  }

  if (window.Hls && window.Hls.isSupported()) {
    var hls = new window.Hls({ enableWorker: false, maxBufferLength: 12, fragLoadingMaxRetry: 6, fragLoadingRetryDelay: 1000 });
    hls.on(window.Hls.Events.ERROR, function (_e, data) {
      var code = data.response && data.response.code;
      if (code === 401 || code === 403 || code === 422) { hls.stopLoad(); refused(code); }
      else if (code === 503) { refused(503); }
      else if (data.fatal) { say(w("Afspelen mislukt (", "Playback failed (") + data.details + ")"); }
    });
    hls.loadSource(playlist);
    hls.attachMedia(video);
    window.beeldkluisHls = hls;
  } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
    video.src = playlist; // Safari plays HLS itself
  } else {
    say(w("Deze browser kan het fragment niet afspelen.", "This browser cannot play the clip."));
  }

  // Leaving the page stops this viewer's ffmpeg job at once (else it ends after a short idle time).
  window.addEventListener("pagehide", function () {
    if (navigator.sendBeacon) { navigator.sendBeacon(playlist.replace(/index\.m3u8$/, "stop")); }
  });

  function toggle() { if (video.paused) { video.play(); } else { video.pause(); } }
  function step(frames) {
    video.pause();
    var t = video.currentTime + frames / fps;
    video.currentTime = Math.min(Math.max(0, t), (video.duration || t) - 0.001);
  }
  function rate(delta) {
    var options = Array.prototype.map.call(speed.options, function (o) { return o.value; });
    var i = Math.min(Math.max(0, options.indexOf(String(video.playbackRate)) + delta), options.length - 1);
    speed.value = options[i];
    video.playbackRate = Number(options[i]);
  }

  play.addEventListener("click", toggle);
  document.getElementById("back").addEventListener("click", function () { step(-1); });
  document.getElementById("forward").addEventListener("click", function () { step(1); });
  speed.addEventListener("change", function () { video.playbackRate = Number(speed.value); });
  seek.addEventListener("input", function () { video.currentTime = Number(seek.value); });
  video.addEventListener("click", toggle);
  video.addEventListener("play", function () { play.textContent = w("Pauze", "Pause"); });
  video.addEventListener("pause", function () { play.textContent = w("Afspelen", "Play"); });
  video.addEventListener("loadedmetadata", function () { seek.max = String(video.duration); say(""); });
  video.addEventListener("timeupdate", function () {
    seek.value = String(video.currentTime);
    time.textContent = clock(video.currentTime) + " / " + clock(video.duration);
  });
  document.addEventListener("keydown", function (e) {
    if (e.target && e.target.tagName === "SELECT") { return; }
    if (e.key === " ") { e.preventDefault(); toggle(); }
    else if (e.key === ",") { step(-1); }
    else if (e.key === ".") { step(1); }
    else if (e.key === "[") { rate(-1); }
    else if (e.key === "]") { rate(1); }
  });
})();

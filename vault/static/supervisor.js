// Supervision notes beside the player: fill in the moment the video shows, jump to a note's moment,
// and keep the player's keyboard shortcuts (space, , . [ ]) out of the note form.
(function () {
  "use strict";
  var video = document.getElementById("video");
  var moment = document.getElementById("moment");
  var now = document.getElementById("now");

  function clock(s) {
    var tenths = Math.round(Math.max(0, s || 0) * 10);
    var m = Math.floor(tenths / 600), rest = tenths - 600 * m;
    var sec = Math.floor(rest / 10), frac = rest % 10;
    return m + ":" + (sec < 10 ? "0" : "") + sec + (frac ? "." + frac : "");
  }

  // Typing a space in a note is a space, not play/pause.
  Array.prototype.forEach.call(document.querySelectorAll("form"), function (form) {
    form.addEventListener("keydown", function (e) { e.stopPropagation(); });
  });

  if (video && moment) {
    var typed = moment.value !== "";
    moment.addEventListener("input", function () { typed = moment.value !== ""; });
    if (now) {
      now.addEventListener("click", function () {
        moment.value = clock(video.currentTime);
        typed = true;
        moment.focus();
      });
    }
    // Pausing is how one marks a moment: fill it in unless the supervisor typed one.
    video.addEventListener("pause", function () {
      if (!typed && video.currentTime > 0) { moment.value = clock(video.currentTime); }
    });
  }

  if (video) {
    Array.prototype.forEach.call(document.querySelectorAll("a.moment[data-at]"), function (link) {
      link.addEventListener("click", function (e) {
        e.preventDefault();
        video.pause();
        video.currentTime = Number(link.dataset.at) || 0;
        video.scrollIntoView({ block: "center" });
        video.focus();
      });
    });
  }
})();

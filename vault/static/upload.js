// Card import in the browser: pick the card's video files (as the CLI does: no thumbnails, proxies,
// sidecars or hidden files), hash each (SHA-256, so the server's check is end to end), send it over
// tus (resumable), wait until the server read it back and probed it, and only then call it safe.
// Nothing secret is kept: tus-js-client remembers only an upload's URL to resume it.
(function () {
  "use strict";
  var form = document.getElementById("import");
  if (!form || !window.tus) { return; }
  var en = form.dataset.lang === "en";
  function t(nl, english) { return en ? english : nl; }
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var trajectory = form.dataset.trajectory;
  var cardInput = document.getElementById("card");
  var filesInput = document.getElementById("files");
  var situation = document.getElementById("situation");
  var start = document.getElementById("start");
  var chosen = document.getElementById("chosen");
  var rows = document.getElementById("file-rows");
  var total = document.getElementById("total");
  var rate = document.getElementById("rate");
  var outcome = document.getElementById("outcome");

  // Mirrors vault/ingest/card.py.
  var VIDEO = [".mp4", ".mov", ".mts", ".m2ts", ".avi", ".mkv", ".3gp", ".m4v"];
  var SKIP_DIRS = [".trashes", ".spotlight-v100", ".fseventsd", "system volume information",
    "thmbnl", "clipinf", "playlist", "backup"];
  var GOPRO = /^(G[HX])(\d{2})(\d{4})$/i;
  var PART = 64 * 1024 * 1024; // per PATCH, as the CLI: four 16 MiB parts on the server
  var busy = false;

  // SHA-256, incremental (a card's files are larger than memory) ----------------------------------
  var K = new Uint32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2]);

  function Sha256() {
    this.h = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c,
      0x1f83d9ab, 0x5be0cd19]);
    this.w = new Int32Array(64);
    this.buf = new Uint8Array(64);
    this.fill = 0;
    this.length = 0;
  }
  Sha256.prototype.block = function (d, o) {
    var w = this.w, h = this.h, i, x, y;
    for (i = 0; i < 16; i++) {
      w[i] = (d[o + 4 * i] << 24) | (d[o + 4 * i + 1] << 16) | (d[o + 4 * i + 2] << 8) | d[o + 4 * i + 3];
    }
    for (i = 16; i < 64; i++) {
      x = w[i - 15]; y = w[i - 2];
      w[i] = (w[i - 16] + ((x >>> 7 | x << 25) ^ (x >>> 18 | x << 14) ^ (x >>> 3)) + w[i - 7] +
        ((y >>> 17 | y << 15) ^ (y >>> 19 | y << 13) ^ (y >>> 10))) | 0;
    }
    var a = h[0], b = h[1], c = h[2], e = h[4], f = h[5], g = h[6], k = h[7], dd = h[3], t1, t2;
    for (i = 0; i < 64; i++) {
      t1 = (k + ((e >>> 6 | e << 26) ^ (e >>> 11 | e << 21) ^ (e >>> 25 | e << 7)) +
        ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
      t2 = (((a >>> 2 | a << 30) ^ (a >>> 13 | a << 19) ^ (a >>> 22 | a << 10)) +
        ((a & b) ^ (a & c) ^ (b & c))) | 0;
      k = g; g = f; f = e; e = (dd + t1) | 0; dd = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += dd; h[4] += e; h[5] += f; h[6] += g; h[7] += k;
  };
  Sha256.prototype.update = function (data) {
    var i = 0, n = data.length;
    this.length += n;
    if (this.fill) {
      while (i < n && this.fill < 64) { this.buf[this.fill++] = data[i++]; }
      if (this.fill < 64) { return; }
      this.block(this.buf, 0);
      this.fill = 0;
    }
    for (; i + 64 <= n; i += 64) { this.block(data, i); }
    while (i < n) { this.buf[this.fill++] = data[i++]; }
  };
  Sha256.prototype.hex = function () {
    var bits = this.length * 8;
    var tail = new Uint8Array(((this.fill < 56) ? 64 : 128) - this.fill);
    tail[0] = 0x80;
    var n = tail.length;
    var high = Math.floor(bits / 0x100000000), low = bits >>> 0;
    tail[n - 8] = high >>> 24; tail[n - 7] = high >>> 16; tail[n - 6] = high >>> 8; tail[n - 5] = high;
    tail[n - 4] = low >>> 24; tail[n - 3] = low >>> 16; tail[n - 2] = low >>> 8; tail[n - 1] = low;
    this.update(tail);
    var out = "";
    for (var i = 0; i < 8; i++) { out += ("00000000" + (this.h[i] >>> 0).toString(16)).slice(-8); }
    return out;
  };
  window.beeldkluisSha256 = function (bytes) { var s = new Sha256(); s.update(bytes); return s.hex(); };

  function hashFile(file, onProgress) {
    var sha = new Sha256(), offset = 0, STEP = 4 * 1024 * 1024;
    function next() {
      if (offset >= file.size) { return Promise.resolve(sha.hex()); }
      return file.slice(offset, offset + STEP).arrayBuffer().then(function (buffer) {
        sha.update(new Uint8Array(buffer));
        offset += buffer.byteLength;
        onProgress(offset);
        return next();
      });
    }
    return next();
  }

  // Choosing files ---------------------------------------------------------------------------------
  function pathOf(file) { return file.webkitRelativePath || file.name; }
  function isVideo(file) {
    var parts = pathOf(file).split("/");
    var name = parts.pop();
    if (name.charAt(0) === ".") { return false; }
    var dirs = parts.slice(file.webkitRelativePath ? 1 : 0); // the chosen folder itself may be named anything
    if (dirs.some(function (d) { return d.charAt(0) === "." || SKIP_DIRS.indexOf(d.toLowerCase()) >= 0; })) { return false; }
    var dot = name.lastIndexOf(".");
    return dot > 0 && VIDEO.indexOf(name.slice(dot).toLowerCase()) >= 0;
  }
  function groupOf(file) {
    var parts = pathOf(file).split("/");
    var name = parts.pop();
    var stem = name.slice(0, name.lastIndexOf("."));
    var parent = parts.length ? parts[parts.length - 1] : "";
    var m = GOPRO.exec(stem);
    return m ? { group: parent + "/" + m[1].toUpperCase() + m[3], part: Number(m[2]) }
      : { group: parent + "/" + stem, part: 1 };
  }
  function human(n) {
    var units = ["B", "KB", "MB", "GB"];
    for (var i = 0; i < units.length; i++) {
      if (n < 1024) { return (i ? n.toFixed(1) : n.toFixed(0)).replace(".", en ? "." : ",") + " " + units[i]; }
      n /= 1024;
    }
    return n.toFixed(1) + " TB";
  }
  function clock(seconds) {
    seconds = Math.max(0, Math.round(seconds));
    var m = Math.floor(seconds / 60), s = seconds % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }

  var picked = [], skipped = 0;
  function choose() {
    var all = Array.prototype.slice.call(cardInput.files || []).concat(Array.prototype.slice.call(filesInput.files || []));
    picked = all.filter(isVideo).sort(function (a, b) { return pathOf(a) < pathOf(b) ? -1 : pathOf(a) > pathOf(b) ? 1 : 0; });
    skipped = all.length - picked.length;
    var size = picked.reduce(function (sum, f) { return sum + f.size; }, 0);
    chosen.textContent = picked.length
      ? t(picked.length + " videobestand(en) gevonden, samen " + human(size) + ".", picked.length + " video file(s) found, " + human(size) + " in all.") +
        (skipped ? " " + t(skipped + " ander(e) bestand(en) overgeslagen.", skipped + " other file(s) skipped.") : "")
      : (all.length ? t("Geen videobestanden gevonden in deze keuze.", "No video files found in this choice.") : "");
    start.disabled = busy || !picked.length;
  }
  cardInput.addEventListener("change", choose);
  filesInput.addEventListener("change", choose);

  // Sending and checking ---------------------------------------------------------------------------
  function row(file) {
    var tr = document.createElement("tr");
    var name = document.createElement("th"); name.scope = "row"; name.textContent = pathOf(file);
    var size = document.createElement("td"); size.textContent = human(file.size);
    var cell = document.createElement("td");
    var bar = document.createElement("progress"); bar.max = 1; bar.value = 0;
    bar.setAttribute("aria-label", t("Voortgang van ", "Progress of ") + file.name);
    cell.appendChild(bar);
    var state = document.createElement("td"); state.className = "state";
    tr.appendChild(name); tr.appendChild(size); tr.appendChild(cell); tr.appendChild(state);
    rows.appendChild(tr);
    return { tr: tr, bar: bar, state: state };
  }
  function mark(item, text, kind) {
    item.view.state.textContent = text;
    item.view.tr.className = kind || "";
  }
  function api(path) {
    return fetch(path, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) {
        if (r.ok) { return r.json(); }
        return r.json().catch(function () { return {}; }).then(function (body) { // the server's own words
          throw new Error(body && body.detail ? (en && body.detail_en ? body.detail_en : body.detail)
            : t("de server antwoordde met ", "the server answered ") + r.status);
        });
      }, function () { throw new Error(t("de server is niet bereikbaar", "the server cannot be reached")); });
  }
  function reasonOf(error) {
    var response = error && error.originalResponse;
    if (response) {
      try {
        var body = JSON.parse(response.getBody());
        if (body && body.detail) { return en && body.detail_en ? body.detail_en : body.detail; }
      } catch (_e) { /* not JSON */ }
      return t("de server antwoordde met ", "the server answered ") + response.getStatus();
    }
    return t("de verbinding is verbroken; start opnieuw om verder te gaan", "the connection broke; start again to resume");
  }
  function sleep(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  var totalBytes = 0, doneBytes = 0, sendStarted = 0, sentSinceStart = 0;
  function showTotal(current) {
    var sent = doneBytes + current;
    total.value = totalBytes ? sent / totalBytes : 1;
    if (!sendStarted || !sentSinceStart) { return; }
    var elapsed = (Date.now() - sendStarted) / 1000;
    var speed = sentSinceStart / Math.max(elapsed, 0.001);
    rate.textContent = Math.floor(100 * total.value) + "% · " + human(speed) + "/s · " +
      t("nog ongeveer ", "about ") + clock((totalBytes - sent) / Math.max(speed, 1)) + t("", " left");
  }

  function send(item) {
    return new Promise(function (resolve, reject) {
      var counted = 0;
      var upload = new window.tus.Upload(item.file, {
        endpoint: "/api/v1/uploads",
        headers: { "X-CSRF-Token": csrf },
        chunkSize: PART,
        retryDelays: [0, 1000, 3000, 5000, 10000, 20000],
        removeFingerprintOnSuccess: true,
        metadata: {
          trajectory: trajectory, filename: item.file.name, sha256: item.sha256,
          group: item.group.group, part: String(item.group.part), situation: situation.value,
          // the file's own time on the card; the camera's time from inside the file wins on the server
          recorded_at: item.file.lastModified ? new Date(item.file.lastModified).toISOString() : ""
        },
        onProgress: function (sent, size) {
          if (!sendStarted) { sendStarted = Date.now(); }
          sentSinceStart += sent - counted;
          counted = sent;
          item.view.bar.value = size ? sent / size : 1;
          mark(item, t("Versturen… ", "Sending… ") + Math.floor(100 * sent / Math.max(size, 1)) + "%");
          showTotal(sent);
        },
        onError: function (error) { reject(error); },
        onSuccess: function () { resolve(upload.url); }
      });
      upload.findPreviousUploads().then(function (previous) {
        if (previous.length) { upload.resumeFromPreviousUpload(previous[0]); }
        upload.start();
      }, function () { upload.start(); });
    });
  }

  function verified(item, url) {
    var id = url.replace(/\/+$/, "").split("/").pop();
    var until = Date.now() + 15 * 60 * 1000;
    mark(item, t("Verstuurd; wordt gecontroleerd…", "Sent; being checked…"));
    function poll() {
      return api("/api/v1/uploads/" + encodeURIComponent(id)).then(function (status) {
        if (status.status === "stored" && status.sha256 === item.sha256) {
          item.result = "stored";
          mark(item, t("Veilig opgeslagen en gecontroleerd", "Safely stored and verified"), "ok");
        } else if (status.status === "rejected") {
          item.result = "rejected";
          mark(item, t("Niet opgeslagen: ", "Not stored: ") + status.reason, "bad");
        } else if (status.status === "stored") {
          item.result = "failed";
          mark(item, t("Niet gelukt: de controlesom klopt niet", "Failed: the checksum does not match"), "bad");
        } else if (Date.now() > until) {
          item.result = "failed";
          mark(item, t("Niet gelukt: controle niet op tijd afgerond", "Failed: the check did not finish in time"), "bad");
        } else {
          return sleep(1000).then(poll);
        }
      }, function () {
        if (Date.now() > until) { item.result = "failed"; mark(item, t("Niet gelukt: de status is niet op te vragen", "Failed: no status"), "bad"); return; }
        return sleep(2000).then(poll);
      });
    }
    return poll();
  }

  function digestOf(item) {
    if (!item.hashing) {
      mark(item, t("Controlesom berekenen…", "Computing checksum…"));
      item.hashing = hashFile(item.file, function (offset) {
        mark(item, t("Controlesom berekenen… ", "Computing checksum… ") + Math.floor(100 * offset / Math.max(item.file.size, 1)) + "%");
      }).then(function (digest) { mark(item, t("Wacht op zijn beurt", "Waiting its turn")); return digest; },
        function () { throw new Error(t("het bestand is niet te lezen", "the file cannot be read")); });
    }
    return item.hashing;
  }

  function one(item, next, checks) {
    return digestOf(item)
      .then(function (digest) {
        item.sha256 = digest;
        return api("/api/v1/uploads?trajectory=" + encodeURIComponent(trajectory) + "&sha256=" + digest);
      })
      .then(function (known) {
        if ((known.items || []).some(function (u) { return u.status === "stored" && u.sha256 === item.sha256; })) {
          item.result = "skipped";
          item.view.bar.value = 1;
          mark(item, t("Al eerder geïmporteerd en veilig opgeslagen", "Imported before and safely stored"), "ok");
          return;
        }
        if (next) { digestOf(next).catch(function () { /* reported on its own turn */ }); } // hashed while this one is sent
        return send(item).then(function (url) {
          checks.push(verified(item, url)); // the next file is sent while the server checks this one
        }, function (error) {
          item.result = "failed";
          mark(item, t("Niet gelukt: ", "Failed: ") + reasonOf(error), "bad");
        });
      })
      .catch(function (error) {
        item.result = "failed";
        mark(item, t("Niet gelukt: ", "Failed: ") + (error && error.message ? error.message : error), "bad");
      })
      .then(function () { doneBytes += item.file.size; showTotal(0); });
  }

  function report(items) {
    var safe = items.filter(function (i) { return i.result === "stored" || i.result === "skipped"; });
    var bad = items.filter(function (i) { return i.result !== "stored" && i.result !== "skipped"; });
    outcome.textContent = "";
    function list(title, entries) {
      if (!entries.length) { return; }
      var h = document.createElement("h3"); h.textContent = title; outcome.appendChild(h);
      var ul = document.createElement("ul");
      entries.forEach(function (i) {
        var li = document.createElement("li");
        li.textContent = pathOf(i.file) + (i.result === "skipped" ? t(" (al eerder geïmporteerd)", " (imported before)") :
          i.result === "stored" ? "" : ": " + i.view.state.textContent);
        ul.appendChild(li);
      });
      outcome.appendChild(ul);
    }
    list(t("Veilig opgeslagen en gecontroleerd", "Safely stored and verified"), safe);
    list(t("Niet opgeslagen", "Not stored"), bad);
    var verdict = document.createElement("p");
    if (!bad.length && safe.length) {
      verdict.className = "notice";
      verdict.textContent = t("Alle beelden staan veilig in Beeldkluis. De kaart mag nu worden gewist.",
        "All footage is safe in Beeldkluis. The card may now be wiped.");
    } else {
      verdict.className = "warn";
      verdict.textContent = t("Wis de kaart nog NIET: niet alle beelden zijn veilig opgeslagen.",
        "Do NOT wipe the card yet: not all footage is safely stored.");
    }
    outcome.appendChild(verdict);
    document.getElementById("outcome-card").hidden = false;
    rate.textContent = t("Klaar.", "Done.");
    verdict.setAttribute("tabindex", "-1");
    verdict.focus();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (busy || !picked.length) { return; }
    busy = true;
    start.disabled = cardInput.disabled = filesInput.disabled = situation.disabled = true;
    rows.textContent = "";
    document.getElementById("progress-card").hidden = false;
    document.getElementById("outcome-card").hidden = true;
    var items = picked.map(function (file) { return { file: file, group: groupOf(file), view: row(file) }; });
    totalBytes = picked.reduce(function (sum, f) { return sum + f.size; }, 0);
    doneBytes = 0; sendStarted = 0; sentSinceStart = 0;
    var checks = [];
    items.reduce(function (chain, item, i) { return chain.then(function () { return one(item, items[i + 1], checks); }); }, Promise.resolve())
      .then(function () { rate.textContent = t("Alles verstuurd; de server controleert de bestanden…", "All sent; the server is checking the files…"); return Promise.all(checks); })
      .then(function () {
        busy = false;
        cardInput.disabled = filesInput.disabled = situation.disabled = false;
        report(items);
        choose();
      });
  });

  // Leaving the page while sending would stop the import (it can be resumed, but warn).
  window.addEventListener("beforeunload", function (event) {
    if (busy) { event.preventDefault(); event.returnValue = ""; }
  });
})();

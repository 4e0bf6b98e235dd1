/* Voice notes: record in the browser (MediaRecorder) into the form's file input, and poll a
   note's status until its transcript is ready. Without JavaScript the plain file input and a
   page refresh do the same job. */
(function () {
  "use strict";
  var script = document.currentScript;

  function setupRecorder() {
    var box = document.getElementById("recorder");
    var input = document.getElementById("id_audio");
    if (!box || !input || !window.MediaRecorder || !navigator.mediaDevices ||
        typeof DataTransfer === "undefined") return;
    var start = document.getElementById("record-start");
    var stop = document.getElementById("record-stop");
    var status = document.getElementById("record-status");
    var preview = document.getElementById("record-preview");
    var recorder = null, chunks = [];
    box.hidden = false;
    start.addEventListener("click", function () {
      navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
        var type = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/mp4"].filter(
          function (t) { return MediaRecorder.isTypeSupported(t); })[0] || "";
        recorder = new MediaRecorder(stream, type ? { mimeType: type, audioBitsPerSecond: 32000 } : {});
        chunks = [];
        recorder.ondataavailable = function (e) { if (e.data.size) chunks.push(e.data); };
        recorder.onstop = function () {
          stream.getTracks().forEach(function (t) { t.stop(); });
          var mime = recorder.mimeType || "audio/webm";
          var ext = mime.indexOf("ogg") >= 0 ? "ogg" : mime.indexOf("mp4") >= 0 ? "m4a" : "webm";
          var blob = new Blob(chunks, { type: mime });
          var transfer = new DataTransfer();
          transfer.items.add(new File([blob], "voice-note." + ext, { type: mime }));
          input.files = transfer.files;
          preview.src = URL.createObjectURL(blob);
          preview.hidden = false;
          status.textContent = script.dataset.recorded || "";
          start.disabled = false; stop.disabled = true;
        };
        recorder.start(1000);
        status.textContent = script.dataset.recording || "";
        start.disabled = true; stop.disabled = false;
      }).catch(function () { status.textContent = script.dataset.denied || ""; });
    });
    stop.addEventListener("click", function () { if (recorder) recorder.stop(); });
  }

  function renderSegments(segments) {
    var body = document.getElementById("voice-segments");
    if (!body) return;
    body.textContent = "";
    segments.forEach(function (s) {
      var row = document.createElement("tr");
      [s.start.toFixed(1) + "–" + s.end.toFixed(1) + " s", s.text,
       Math.round((s.confidence || 0) * 100) + "%"].forEach(function (value, i) {
        var cell = document.createElement("td");
        if (i === 1) cell.dir = "auto";
        cell.textContent = value;
        row.appendChild(cell);
      });
      body.appendChild(row);
    });
  }

  function pollStatus() {
    var badge = document.getElementById("voice-status");
    if (!badge) return;
    var done = { ready: 1, failed: 1, confirmed: 1 };
    if (done[badge.dataset.status]) return;
    var timer = setInterval(function () {
      fetch(badge.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) return;
          badge.textContent = data.status_label;
          badge.dataset.status = data.status;
          var failure = document.getElementById("voice-failure");
          if (failure) { failure.textContent = data.failure_reason || ""; failure.hidden = !data.failure_reason; }
          if (data.status === "ready") {
            var text = document.getElementById("id_text");
            if (text && !text.value) text.value = data.text || "";
            renderSegments(data.segments || []);
            document.getElementById("voice-transcript").hidden = false;
          }
          if (done[data.status]) clearInterval(timer);
        })
        .catch(function () { /* offline for a moment: try again next tick */ });
    }, 3000);
  }

  setupRecorder();
  pollStatus();
})();

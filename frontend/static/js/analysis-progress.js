/* The analysis page's progress bar: polls the run's progress (JSON) every two seconds
   until it is done or failed, and then offers the draft report. No inline script: the
   element carries its URL and messages in data- attributes. */
(function () {
  "use strict";
  var box = document.getElementById("analysis-progress");
  if (!box || box.dataset.done) return;
  var status = document.getElementById("analysis-status");
  var stage = document.getElementById("analysis-stage");
  var bar = document.getElementById("analysis-bar");
  var percent = document.getElementById("analysis-percent");
  var report = document.getElementById("analysis-report");
  var button = document.getElementById("run-analysis");
  var timer = setInterval(poll, 2000);

  function show(data) {
    status.textContent = data.status_label;
    status.dataset.status = data.status;
    stage.textContent = data.stage_label;
    bar.value = data.percent;
    bar.textContent = data.percent + "%";
    percent.textContent = data.percent + "%";
    if (!data.done) return;
    clearInterval(timer);
    box.dataset.done = "1";
    if (button) button.disabled = false;
    report.textContent = "";
    if (data.report_url) {
      var link = document.createElement("a");
      link.href = data.report_url;
      link.textContent = box.dataset.msgReport;
      report.appendChild(link);
    } else if (data.status === "failed") {
      report.textContent = box.dataset.msgFailed;
    } else {
      report.textContent = box.dataset.msgReady;
    }
  }

  function poll() {
    fetch(box.dataset.progressUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) show(data); })
      .catch(function () { /* offline for a moment: the next poll tries again */ });
  }
})();

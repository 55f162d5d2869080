// EstateFlow console: small behaviours on top of pages that work without
// script. Loaded with `defer`; no inline script anywhere (CSP).
//  - form[data-confirm]: asks before a destructive action ("重试 1,204 个任务？").
//  - input[data-select-all]: ticks every checkbox of the named field in its form.
//  - [data-refresh="/console/..."]: the element's content is fetched again
//    every data-interval seconds (default 5) while the tab is visible, with
//    jitter and If-None-Match, so that many open tabs do not poll in step
//    and an unchanged fragment costs a 304.
(function () {
  "use strict";

  //  - a submit button's own data-confirm wins over its form's; "{n}" in it
  //    becomes the number of ticked boxes named "id" in the form.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    var question = (button && button.getAttribute("data-confirm")) ||
      (form.getAttribute && form.getAttribute("data-confirm"));
    if (question && question.indexOf("{n}") >= 0) {
      var ticked = form.querySelectorAll('input[type="checkbox"][name="id"]:checked').length;
      question = question.split("{n}").join(ticked.toLocaleString());
    }
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  document.addEventListener("change", function (event) {
    var box = event.target;
    var field = box.getAttribute && box.getAttribute("data-select-all");
    if (!field || !box.form) return;
    // The form's elements: those inside it and those naming it (form="…").
    var boxes = box.form.elements;
    for (var i = 0; i < boxes.length; i++) {
      if (boxes[i].type === "checkbox" && boxes[i].name === field) boxes[i].checked = box.checked;
    }
  });

  function refresh(element) {
    var url = element.getAttribute("data-refresh");
    var seconds = parseFloat(element.getAttribute("data-interval") || "5");
    var etag = null;
    function schedule() {
      // ±20 % jitter: tabs opened together drift apart.
      var delay = seconds * 1000 * (0.8 + Math.random() * 0.4);
      window.setTimeout(tick, delay);
    }
    function tick() {
      // A selection in progress is not swept away by a refresh.
      if (element.querySelector('input[type="checkbox"]:checked')) {
        schedule();
        return;
      }
      if (document.visibilityState !== "visible") {
        document.addEventListener("visibilitychange", function resume() {
          if (document.visibilityState === "visible") {
            document.removeEventListener("visibilitychange", resume);
            tick();
          }
        });
        return;
      }
      var headers = { "Accept": "text/html" };
      if (etag) headers["If-None-Match"] = etag;
      fetch(url, { headers: headers, credentials: "same-origin", cache: "no-store" })
        .then(function (response) {
          if (response.status === 401 || response.redirected) {
            window.location.reload();
            return null;
          }
          if (response.status === 200) {
            etag = response.headers.get("ETag");
            return response.text();
          }
          return null;
        })
        .then(function (html) {
          if (html !== null && html !== undefined) {
            element.innerHTML = html;
            element.setAttribute("data-refreshed", String(Date.now()));
          }
        })
        .catch(function () { /* the next tick tries again */ })
        .then(schedule);
    }
    schedule();
  }

  var live = document.querySelectorAll("[data-refresh]");
  for (var i = 0; i < live.length; i++) refresh(live[i]);
})();

// EstateFlow console: small behaviours on top of pages that work without
// script. Loaded with `defer`; no inline script anywhere (CSP).
//  - form[data-confirm]: asks before a destructive action ("重试 1,204 个任务？").
//  - input[data-select-all]: ticks every checkbox of the named field in its form.
//  - [data-refresh="/console/..."]: the element's content is fetched again
//    every data-interval seconds (default 5) while the tab is visible, with
//    jitter and If-None-Match, so that many open tabs do not poll in step
//    and an unchanged fragment costs a 304.
//  - a form posted from a page's main area is sent in the background: when
//    the service refuses the input, the fields it names are marked in place
//    (aria-invalid, the reason beside the field) and every value typed stays;
//    otherwise the browser goes where the service sends it. form[data-native]
//    is posted as a plain form.
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
      return;
    }
    if (inline(form)) {
      event.preventDefault();
      send(form, button);
    }
  });

  function inline(form) {
    return form.method && form.method.toLowerCase() === "post" &&
      !form.hasAttribute("data-native") && !form.hasAttribute("target") &&
      form.closest && form.closest("main") !== null && window.fetch && window.DOMParser;
  }

  function send(form, button) {
    var data = new FormData(form);
    if (button && button.name) data.append(button.name, button.value);
    var multipart = (form.enctype || "").toLowerCase() === "multipart/form-data";
    var body = multipart ? data : new URLSearchParams(data);
    if (button) button.disabled = true;
    fetch(form.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "text/html", "X-Console-Form": "1" }
    }).then(function (response) {
      var next = response.headers.get("X-Console-Location");
      if (next) {
        window.location.assign(next);
        return null;
      }
      return response.text().then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var problem = page.querySelector("section.problem");
        // Input the service refused (invalid, or against a rule): stay.
        var refused = [400, 409, 422].indexOf(response.status) >= 0;
        if (refused && problem) {
          if (button) button.disabled = false;
          mark(form, problem);
          return;
        }
        // Any other answer (a page showing a secret once, a refusal of the
        // viewer, an error of the service) replaces this page, as a plain
        // form post would.
        document.open();
        document.write(html);
        document.close();
      });
    }).catch(function () {
      // The service could not be reached in the background: post plainly.
      form.submit();
    });
  }

  // Marks the fields `problem` names; what no field holds is said above
  // the form.
  function mark(form, problem) {
    var old = form.querySelectorAll(".field-error, .form-problem");
    for (var i = 0; i < old.length; i++) old[i].parentNode.removeChild(old[i]);
    var invalid = form.querySelectorAll("[aria-invalid]");
    for (var j = 0; j < invalid.length; j++) {
      invalid[j].removeAttribute("aria-invalid");
      invalid[j].removeAttribute("aria-describedby");
    }
    var unplaced = [];
    var first = null;
    var items = problem.querySelectorAll("[data-pointer]");
    for (var k = 0; k < items.length; k++) {
      var field = fieldOf(form, items[k].getAttribute("data-pointer"));
      var detail = items[k].getAttribute("data-detail") || items[k].textContent;
      if (!field) {
        unplaced.push(detail);
        continue;
      }
      var note = document.createElement("p");
      note.className = "field-error";
      note.id = "error-" + (field.id || field.name) + "-" + k;
      note.textContent = detail;
      field.setAttribute("aria-invalid", "true");
      field.setAttribute("aria-describedby", note.id);
      field.insertAdjacentElement("afterend", note);
      if (!first) first = field;
    }
    if (items.length === 0 || unplaced.length > 0) {
      var box = document.createElement("div");
      box.className = "form-problem problem";
      box.setAttribute("role", "alert");
      var lead = problem.querySelector("p");
      if (items.length === 0 && lead) unplaced.unshift(lead.textContent);
      for (var n = 0; n < unplaced.length; n++) {
        var line = document.createElement("p");
        line.textContent = unplaced[n];
        box.appendChild(line);
      }
      form.insertBefore(box, form.firstChild);
      if (!first) box.setAttribute("tabindex", "-1");
      if (!first) first = box;
    }
    if (first) first.focus();
  }

  // The form's field a problem's JSON pointer names ("/email", "/grants/2/scope"):
  // the longest leading part of the pointer that is a field's name.
  function fieldOf(form, pointer) {
    if (!pointer) return null;
    var parts = pointer.replace(/^\//, "").split("/");
    for (var end = parts.length; end > 0; end--) {
      var names = [parts.slice(0, end).join("."), parts.slice(0, end).join("/"), parts[end - 1]];
      for (var i = 0; i < names.length; i++) {
        var field = form.elements.namedItem(names[i]);
        if (field && field.length !== undefined && !field.tagName) field = field[0];
        if (field && field.type !== "hidden") return field;
      }
    }
    return null;
  }

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
      // A page replaced by a form's answer stops polling for it.
      if (!element.isConnected) return;
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

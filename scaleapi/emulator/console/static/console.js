// The emulator console's only script. The pages work without it: it refreshes the parts marked
// data-refresh every two seconds and checks JSON in a response box as it is typed.
"use strict";

(function () {
  var REFRESH_MS = 2000;

  function busy() {
    // Never replace what someone is editing.
    var active = document.activeElement;
    return active && active.closest && active.closest("[data-refresh]") !== null &&
      /^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(active.tagName);
  }

  function refresh() {
    if (document.hidden || busy()) {
      return;
    }
    fetch(window.location.href, {credentials: "same-origin", headers: {"X-Console-Refresh": "1"}})
      .then(function (answer) { return answer.ok ? answer.text() : null; })
      .then(function (html) {
        if (html === null) {
          return;
        }
        var fresh = new DOMParser().parseFromString(html, "text/html");
        document.querySelectorAll("[data-refresh][id]").forEach(function (part) {
          var next = fresh.getElementById(part.id);
          if (next !== null && next.innerHTML !== part.innerHTML) {
            part.replaceChildren.apply(part, Array.prototype.map.call(next.childNodes, function (node) {
              return document.importNode(node, true);
            }));
          }
        });
      })
      .catch(function () { /* the emulator stopped or restarted: try again next time */ });
  }

  function checkJson(box) {
    var status = box.parentNode.querySelector("[data-json-status]");
    if (status === null) {
      return;
    }
    try {
      var value = JSON.parse(box.value);
      var ok = value !== null && typeof value === "object" && !Array.isArray(value);
      status.textContent = ok ? "valid JSON object" : "must be a JSON object";
      status.className = ok ? "hint ok" : "hint bad";
    } catch (err) {
      status.textContent = "not valid JSON: " + err.message;
      status.className = "hint bad";
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("textarea[data-json]").forEach(function (box) {
      box.addEventListener("input", function () { checkJson(box); });
      checkJson(box);
    });
    if (document.querySelector("[data-refresh]") !== null) {
      window.setInterval(refresh, REFRESH_MS);
    }
  });
}());

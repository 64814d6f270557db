// Disclosures: the concern details of a product page and the filters of a list page.
(function () {
  "use strict";

  // A link to a concern (#risk-...) opens its folded details.
  function openTarget() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (target && target.tagName === "DETAILS") { target.open = true; }
  }

  function start() {
    openTarget();
    window.addEventListener("hashchange", openTarget);
    document.querySelectorAll("a[href^='#']").forEach(function (link) {
      link.addEventListener("click", function () { window.setTimeout(openTarget, 0); });
    });
    [["[data-open-all]", true], ["[data-close-all]", false]].forEach(function (pair) {
      document.querySelectorAll(pair[0]).forEach(function (button) {
        button.hidden = false;
        button.addEventListener("click", function () {
          document.querySelectorAll(".concern-details details").forEach(function (details) {
            details.open = pair[1];
          });
        });
      });
    });
    // List filters: open on a wide screen, folded behind "Filters" on a narrow one so the
    // results come first.
    var narrow = window.matchMedia("(max-width: 800px)");
    var filters = document.querySelectorAll("details.filters");
    filters.forEach(function (details) { details.open = !narrow.matches; });
    narrow.addEventListener("change", function () {
      filters.forEach(function (details) { details.open = !narrow.matches; });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

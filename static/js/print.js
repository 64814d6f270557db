// Printing: the Print buttons, and the running header and footer of every printed page.
//
// The header and footer are CSS paged-media margin boxes (print.css numbers the pages). Their
// text depends on the page (the product, its plan version, the data version) and on the time
// of printing, so it is added here to the print stylesheet as one more @page rule: the
// Content-Security-Policy allows no inline style, and the time must be the printing's, not
// the time the page was served (a cached page is served again).
(function () {
  "use strict";

  function cssString(text) {
    return '"' + String(text).replace(/\s+/g, " ").trim()
      .replace(/\\/g, "\\\\").replace(/"/g, '\\"') + '"';
  }

  function utcNow() {
    var months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    var now = new Date();
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return now.getUTCDate() + " " + months[now.getUTCMonth()] + " " + now.getUTCFullYear() + " " +
      pad(now.getUTCHours()) + ":" + pad(now.getUTCMinutes()) + " UTC";
  }

  var added = null;

  function setRunningHeader() {
    var link = document.getElementById("print-css");
    var sheet = link && link.sheet;
    if (!sheet) { return; }
    var subject = document.querySelector("[data-print-title]");
    var footer = document.querySelector("[data-data-version]");
    var title = subject ? subject.getAttribute("data-print-title") : document.title;
    var plan = subject ? subject.getAttribute("data-print-plan") : "";
    var version = footer ? footer.getAttribute("data-data-version") : "";
    var rule = "@page { " +
      "@top-left { content: " + cssString(title) + "; } " +
      "@top-right { content: " + cssString(plan) + "; } " +
      "@bottom-left { content: " + cssString((version ? version + " · " : "") + "printed " + utcNow()) + "; } " +
      "}";
    if (added !== null && sheet.cssRules[added]) { sheet.deleteRule(added); }
    try {
      added = sheet.insertRule(rule, sheet.cssRules.length);
    } catch (error) {
      added = null;  // a browser without margin boxes prints without the running header
    }
  }

  function start() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
    var link = document.getElementById("print-css");
    if (link && !link.sheet) { link.addEventListener("load", setRunningHeader); }
    setRunningHeader();
    window.addEventListener("beforeprint", setRunningHeader);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

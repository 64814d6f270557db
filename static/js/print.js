// The Print button on the printable pages, and the time a page is printed in its footer:
// set by the browser when it prints, never by the server (pages are cached).
(function () {
  function pad(number) { return String(number).padStart(2, "0"); }
  var months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

  function stampPrintedAt() {
    var now = new Date();
    var text = " · Printed " + now.getDate() + " " + months[now.getMonth()] + " " +
      now.getFullYear() + " " + pad(now.getHours()) + ":" + pad(now.getMinutes());
    document.querySelectorAll("[data-printed-at]").forEach(function (element) {
      element.textContent = text;
    });
  }

  window.addEventListener("beforeprint", stampPrintedAt);
  document.addEventListener("DOMContentLoaded", function () {
    stampPrintedAt();  // the printable view shows it on screen too
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  });
})();

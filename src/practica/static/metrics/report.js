/* The monthly report's "Print or save as PDF" button: the browser's print dialog, where
   "Save as PDF" is one of the printers. Without JavaScript the button is not shown. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-print-report]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  });
})();

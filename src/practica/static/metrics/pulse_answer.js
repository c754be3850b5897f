// One-click answers from the pulse mail: the answer page for a link's score carries
// `data-autosubmit`, and this submits it once on load. The page itself records nothing, so
// mail scanners that fetch links (and run no script) never answer for anyone.
(function () {
  "use strict";

  function submitOnce() {
    var form = document.querySelector("form[data-autosubmit]");
    if (!form || form.dataset.submitted) {
      return;
    }
    form.dataset.submitted = "true";
    form.removeAttribute("data-autosubmit");
    var button = form.querySelector("button[type=submit]");
    if (button) {
      button.disabled = true;
    }
    form.submit();
  }

  // Coming back with the browser's Back button restores the page from its cache: do not
  // submit again (the answer is recorded already).
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) {
      submitOnce();
    }
  });
})();

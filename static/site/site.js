// Small behaviours of the candidate site, declared in the markup with data-* attributes:
// the Content-Security-Policy forbids inline handlers (onsubmit="…", onfocus="…").
// Without this script the pages still work; the server checks everything either way.
(function () {
  "use strict";

  // A form or submit button with data-confirm asks its question before it submits.
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var question =
      (button && button.getAttribute("data-confirm")) ||
      event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });

  // A field with data-select-on-focus selects its whole text (a link to copy).
  document.addEventListener("focusin", function (event) {
    if (event.target.hasAttribute && event.target.hasAttribute("data-select-on-focus")) {
      event.target.select();
    }
  });
})();

/* One tap, one submit: a form marked data-submit-once, once sent, says that it is working
   (aria-busy on the form, the submit button's label replaced by its data-busy-label) and
   ignores further submits until the next page arrives. The first submit is never held back:
   only the submits after it are cancelled. The server keeps the same promise with the form's
   one-time token, so a retry that gets through is answered "already saved". */
(function () {
  "use strict";

  function setUp(form) {
    var sent = false;
    var buttons = Array.prototype.slice.call(form.querySelectorAll("[type=submit]"));
    var labels = buttons.map(function (button) { return button.textContent; });

    function busy() {
      sent = true;
      form.setAttribute("aria-busy", "true");
      buttons.forEach(function (button) {
        button.setAttribute("aria-disabled", "true");
        if (button.hasAttribute("data-busy-label")) {
          button.textContent = button.getAttribute("data-busy-label");
        }
      });
    }

    function ready() {
      sent = false;
      form.removeAttribute("aria-busy");
      buttons.forEach(function (button, index) {
        button.removeAttribute("aria-disabled");
        if (button.hasAttribute("data-busy-label")) { button.textContent = labels[index]; }
      });
    }

    form.addEventListener("submit", function (event) {
      if (sent) {
        event.preventDefault();
        return;
      }
      busy();
      // A later listener may still cancel this submit: then the form was not sent.
      window.setTimeout(function () {
        if (event.defaultPrevented) { ready(); }
      }, 0);
    });

    // Back to this page from the browser's history: the form is usable again.
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) { ready(); }
    });
  }

  document.querySelectorAll("form[data-submit-once]").forEach(setUp);
})();

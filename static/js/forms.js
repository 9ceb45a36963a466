/* Forms that forgive. After the server refused a form, the error summary
   (templates/partials/error_summary.html, tabindex=-1) takes the focus, so that a keyboard or
   screen reader user starts at the list of what to correct, and the page title says "Error:".
   A link of the summary focuses its field and scrolls so that the field's label (or the
   legend of its group) is in view, opening a closed <details> around it first.
   Without JavaScript the summary is still there and its links still lead to the fields. */
(function () {
  "use strict";

  var summary = document.querySelector("[data-error-summary]");
  if (!summary) { return; }

  var prefix = summary.getAttribute("data-title-prefix");
  if (prefix && document.title.indexOf(prefix) !== 0) {
    document.title = prefix + " " + document.title;
  }
  summary.focus();

  function labelOf(input) {
    var fieldset = input.closest("fieldset");
    if (fieldset && input.type !== "file" && (input.type === "radio" || input.type === "checkbox")) {
      var legend = fieldset.querySelector("legend");
      if (legend) { return legend; }
    }
    return (input.id && document.querySelector("label[for='" + input.id + "']")) || input;
  }

  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) { return; }
    var input = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    if (!input) { return; }
    event.preventDefault();
    var details = input.closest("details");
    if (details) { details.open = true; }
    labelOf(input).scrollIntoView({ block: "start" });
    input.focus({ preventScroll: true });
  });
})();

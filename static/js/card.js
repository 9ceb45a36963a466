/* The partnership card and its print view.
   - The print view's "Print" button (shown only when this script runs) opens the browser's
     print dialog.
   - A link to a record on the card (#meeting-12, after a save) that sits in the folded
     "show all meetings" opens the fold, so that the browser can scroll to it. */
(function () {
  "use strict";

  function openTarget() {
    var id = window.location.hash.slice(1);
    if (!id) return;
    var target = document.getElementById(id);
    if (!target) return;
    var fold = target.closest("details");
    if (fold && !fold.open) {
      fold.open = true;
      target.scrollIntoView();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var buttons = document.querySelectorAll("[data-print]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].hidden = false;
      buttons[i].addEventListener("click", function () { window.print(); });
    }
    openTarget();
  });
  window.addEventListener("hashchange", openTarget);
})();

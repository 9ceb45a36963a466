/* /notifications/: the "Copy the address" button of the calendar section (shown only when this
   script runs and the browser can copy) copies the calendar address and says so. */
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    var buttons = document.querySelectorAll("[data-copy]");
    var status = document.querySelector("[data-copy-status]");
    for (var i = 0; i < buttons.length; i++) {
      var button = buttons[i];
      var field = document.getElementById(button.getAttribute("data-copy"));
      if (!field || !navigator.clipboard) continue;
      button.hidden = false;
      button.addEventListener("click", function (event) {
        var source = document.getElementById(event.currentTarget.getAttribute("data-copy"));
        var done = event.currentTarget.getAttribute("data-copied");
        source.select();
        navigator.clipboard.writeText(source.value).then(function () {
          if (status) status.textContent = done;
        });
      });
    }
    // A tap on the address selects all of it, ready to copy.
    var fields = document.querySelectorAll(".calendar-feed__url");
    for (var j = 0; j < fields.length; j++) {
      fields[j].addEventListener("focus", function (event) { event.currentTarget.select(); });
    }
  });
})();

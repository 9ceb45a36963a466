/* The meeting form's quick-add of new partners: one blank partner at first; the button
   "add another new partner" adds the next blank one (from the formset's empty form), up to the
   formset's maximum, and moves the focus to its name. Without JavaScript the button stays
   hidden and the server adds a blank partner when the form comes back with all filled in. */
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    var list = document.querySelector("[data-new-partners]");
    var template = document.querySelector("template[data-new-partner-template]");
    var button = document.querySelector("[data-add-new-partner]");
    if (!list || !template || !button) return;
    var total = document.querySelector("input[name$='-TOTAL_FORMS']");
    if (!total) return;
    var max = parseInt(list.getAttribute("data-max"), 10) || 5;

    function refresh() {
      button.hidden = parseInt(total.value, 10) >= max;
    }

    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      if (index >= max) return;
      var holder = document.createElement("div");
      holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
      var block = holder.firstElementChild;
      list.appendChild(block);
      total.value = String(index + 1);
      refresh();
      var first = block.querySelector("input:not([type=hidden]), select");
      if (first) first.focus();
    });
    refresh();
  });
})();

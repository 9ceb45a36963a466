/* The invitation form (/people/new/) shows only the fields of the chosen role: a field whose
   input carries data-role="animator" (animators/forms.py, ROLE_FIELDS) is shown when that role
   is chosen, hidden otherwise, and all of them are hidden until a role is chosen.
   Without JavaScript every field shows, each role's own marked "Required for an animator."
   (or a librarian), and the server checks the fields of the role sent. */
(function () {
  "use strict";

  var form = document.querySelector("[data-person-form]");
  if (!form) { return; }

  var fields = [];
  form.querySelectorAll("[data-role]").forEach(function (input) {
    var field = input.closest(".field");
    if (field && fields.indexOf(field) === -1) {
      field.setAttribute("data-for-role", input.getAttribute("data-role"));
      fields.push(field);
    }
  });

  function show() {
    var checked = form.querySelector("input[name='role']:checked");
    var role = checked ? checked.value : "";
    fields.forEach(function (field) {
      field.hidden = field.getAttribute("data-for-role") !== role;
    });
  }

  form.querySelectorAll("input[name='role']").forEach(function (radio) {
    radio.addEventListener("change", show);
  });
  show();
})();

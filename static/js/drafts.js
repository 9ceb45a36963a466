/* Nothing typed is lost: a form marked data-draft="KEY" is copied to this browser's storage
   as it is typed, kept until the server confirms the save (the confirmation page carries
   data-saved-draft="KEY"), and restored when the form is opened again — e.g. after signing in
   again when the session had expired, or after the connection dropped on save. Hidden fields
   marked data-draft-keep (the form's one-time token) go with the draft: a draft sent again
   after a save whose confirmation was lost is then answered "already saved". Every form of
   the partnership card is marked so. Files cannot be kept in a draft: the files kept by the
   server after a refused form (their "-pending" fields) belong to that page only. A restored
   value inside a closed <details> (the quick-add of new partners) opens it. */
(function () {
  "use strict";
  var PREFIX = "prb-draft:";
  var storage;
  try { storage = window.localStorage; storage.setItem(PREFIX + "test", "1"); storage.removeItem(PREFIX + "test"); }
  catch (e) { return; }

  document.querySelectorAll("[data-saved-draft]").forEach(function (el) {
    storage.removeItem(PREFIX + el.getAttribute("data-saved-draft"));
  });

  var form = document.querySelector("form[data-draft]");
  if (!form) { return; }
  var key = PREFIX + form.getAttribute("data-draft");
  var SKIP = { csrfmiddlewaretoken: true };

  function fields() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && !SKIP[el.name] && el.type !== "file" && el.type !== "submit" &&
        !/-pending(-remove)?$/.test(el.name) &&
        (el.type !== "hidden" || el.hasAttribute("data-draft-keep"));
    });
  }

  function save() {
    var values = {};
    fields().forEach(function (el) {
      if (el.type === "checkbox" || el.type === "radio") {
        if (!values[el.name]) { values[el.name] = []; }
        if (el.checked) { values[el.name].push(el.value); }
      } else {
        values[el.name] = el.value;
      }
    });
    storage.setItem(key, JSON.stringify({ savedAt: new Date().toISOString(), values: values }));
  }

  function restore(values) {
    fields().forEach(function (el) {
      if (!(el.name in values)) { return; }
      var value = values[el.name];
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = value.indexOf(el.value) !== -1;
      } else {
        el.value = value;
      }
      var details = el.closest("details");
      if (details && el.type !== "hidden" && (el.checked || (el.type !== "checkbox" && el.value))) {
        details.open = true;
      }
    });
  }

  var draft = null;
  try { draft = JSON.parse(storage.getItem(key)); } catch (e) { draft = null; }
  var notice = document.getElementById("draft-notice");
  if (draft && draft.values && form.getAttribute("data-bound") !== "true") {
    var rendered = fields().map(function (el) { return [el, el.value]; });
    restore(draft.values);
    if (notice) {
      var when = new Date(draft.savedAt);
      notice.textContent = notice.getAttribute("data-text-restored")
        .replace("{time}", when.toLocaleString(document.documentElement.lang || undefined));
      var discard = document.createElement("button");
      discard.type = "button";
      discard.className = "link-button";
      discard.textContent = notice.getAttribute("data-text-discard");
      discard.addEventListener("click", function () {
        storage.removeItem(key);
        form.reset();
        // reset() leaves hidden fields as restored: give back the values the page came with.
        rendered.forEach(function (pair) {
          if (pair[0].type === "hidden") { pair[0].value = pair[1]; }
        });
        notice.hidden = true;
      });
      notice.appendChild(document.createTextNode(" "));
      notice.appendChild(discard);
      notice.hidden = false;
    }
  }
  form.addEventListener("input", save);
  form.addEventListener("change", save);
  form.addEventListener("submit", save);
})();

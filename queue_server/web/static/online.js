/* The online application form (/online/OFFICE/SERVICE) and its receipt page.
 * - keeps what was typed in the phone's storage (localStorage, per office and service)
 *   and puts it back when the page is opened again: a dropped connection or a closed tab
 *   loses nothing typed (the files must be chosen again: browsers never keep them);
 * - refuses a file over the office's limit before it is sent, and shows what was chosen;
 * - shows "Mengirim…" and disables the button while the form is sent (one submit);
 * - the receipt page forgets the draft (the application exists now).
 * Test hook: window.loketOnline = {restored, refused}.
 */
(function () {
  "use strict";
  var L = window.Loket, cfg = (L && L.config) || {};
  var state = {restored: 0, refused: 0};
  window.loketOnline = state;
  var store = null;
  try { store = window.localStorage; } catch (e) { store = null; }

  if (cfg.clear_draft && store) {
    Object.keys(store).forEach(function (k) { if (k.indexOf("loket-online-") === 0) { store.removeItem(k); } });
    return;
  }
  var form = document.getElementById("online-form");
  if (!form) { return; }
  var key = cfg.draft;
  var fields = form.querySelectorAll("input[name^='ap_'], select[name^='ap_'], select[name='pickup_office']");

  function save() {
    if (!store || !key) { return; }
    var data = {};
    fields.forEach(function (f) { data[f.name] = f.type === "checkbox" ? f.checked : f.value; });
    try { store.setItem(key, JSON.stringify(data)); } catch (e) { /* storage full or private mode */ }
  }
  if (store && key) {
    var saved = null;
    try { saved = JSON.parse(store.getItem(key) || "null"); } catch (e) { saved = null; }
    if (saved) {
      fields.forEach(function (f) {
        if (!(f.name in saved)) { return; }
        if (f.type === "checkbox") { if (!f.checked) { f.checked = !!saved[f.name]; } }
        else if (!f.value || (f.tagName === "SELECT" && f.value !== saved[f.name] && !f.dataset.chosen)) {
          f.value = saved[f.name];  // a select shows its first option until restored
          state.restored += 1;
        }
      });
    }
  }
  fields.forEach(function (f) { f.addEventListener("change", save); f.addEventListener("input", save); });

  form.querySelectorAll("input[type='file']").forEach(function (input) {
    input.addEventListener("change", function () {
      var note = document.getElementById("chosen-" + input.name), file = input.files && input.files[0];
      input.setCustomValidity("");
      if (file && cfg.max_bytes && file.size > cfg.max_bytes) {
        input.setCustomValidity(cfg.too_large);
        state.refused += 1;
        input.value = "";
        if (note) { note.textContent = cfg.too_large; }
        input.reportValidity();
        return;
      }
      if (note) { note.textContent = file ? file.name + " · " + Math.max(1, Math.round(file.size / 1024)) + " KB" : ""; }
    });
  });
  form.addEventListener("submit", function () {
    save();
    var button = document.getElementById("online-submit"), sending = document.getElementById("sending");
    if (button) { button.disabled = true; }
    if (sending) { sending.hidden = false; }
  });
})();

/* The citizen's follow page (/s/CODE): refreshes the ticket's status every few seconds
 * from /api/v1/status/CODE (no event stream: a phone costs one short request per poll)
 * and, when the number is called, shows "Silakan menuju loket N", vibrates and beeps
 * where the browser allows. Without JavaScript the page reloads itself (meta refresh).
 * Test hook: window.loketFollow = {status, polls, rang}.
 */
(function () {
  "use strict";
  var L = window.Loket, cfg = L.config, code = cfg.code;
  var state = {status: cfg.status, polls: 0, rang: 0};
  window.loketFollow = state;
  var audio = null;
  var byId = function (id) { return document.getElementById(id); };

  function show(id, on) { var el = byId(id); if (el) { el.hidden = !on; } }
  function text(id, value) { var el = byId(id); if (el) { el.textContent = value; } }

  function beep() {
    try {
      if (!audio) { audio = new (window.AudioContext || window.webkitAudioContext)(); }
      [0, 0.35, 0.7].forEach(function (at) {
        var osc = audio.createOscillator(), gain = audio.createGain();
        osc.frequency.value = 880;
        gain.gain.setValueAtTime(0.25, audio.currentTime + at);
        gain.gain.setValueAtTime(0, audio.currentTime + at + 0.25);
        osc.connect(gain); gain.connect(audio.destination);
        osc.start(audio.currentTime + at); osc.stop(audio.currentTime + at + 0.3);
      });
    } catch (e) { /* no audio on this browser */ }
  }

  function ring() {
    state.rang += 1;
    if (navigator.vibrate) { try { navigator.vibrate([400, 200, 400, 200, 400]); } catch (e) { /* denied */ } }
    beep();
  }

  function render(s) {
    var card = byId("ticket");
    if (!card || s.kind !== "ticket") { return; }
    var before = state.status && state.status.status, calledBefore = state.status && state.status.called_at;
    card.className = "c-card c-ticket status-" + s.status;
    text("state", s.text);
    text("ahead", L.t("ahead", {n: s.people_ahead || 0}));
    text("wait", L.t("wait_estimate", {n: Math.round((s.estimated_wait_seconds || 0) / 60)}));
    show("ahead", s.status === "waiting");
    show("wait", s.status === "waiting");
    text("call", L.t("go_to_counter", {n: s.counter_number || s.counter || ""}));
    show("call", s.status === "called");
    var help = {skipped: "skipped_help", no_show: "no_show_help", done: "done_help"}[s.status];
    text("help", help ? L.t(help) : "");
    text("updated", L.t("updated_at", {time: new Date().toLocaleTimeString(cfg.lang === "en" ? "en-GB" : "id-ID")}));
    if (s.status === "called" && (before !== "called" || s.called_at !== calledBefore)) { ring(); }
    state.status = s;
  }

  function poll() {
    if (document.hidden) { return; }
    L.api("GET", "status/" + encodeURIComponent(code) + "?lang=" + cfg.lang).then(function (s) {
      state.polls += 1;
      render(s);
    }, function () { /* the next poll tries again */ });
  }

  var button = byId("enable-alert");
  if (button) {
    button.addEventListener("click", function () { beep(); button.hidden = true; });
  }
  if (byId("ticket") && state.status && !state.status.day_ended &&
      ["waiting", "called", "skipped"].indexOf(state.status.status) >= 0) {
    setInterval(poll, (cfg.poll || 10) * 1000);
    document.addEventListener("visibilitychange", function () { if (!document.hidden) { poll(); } });
    if (state.status.status === "called") { ring(); }
  }
})();

/* The web call panel (issue 15 §3): one loket's queue actions through the public API,
 * with the same guards as the Kivy station (every action names the ticket on screen, so
 * a number another officer moved is refused with 409 instead of acted on twice).
 * Keys: F2 call next, F3 recall, F4 skip, F5 finish, F6 call a number, F7 transfer.
 * A server silent for 7 s (no heartbeat) is shown at once and actions wait.
 * Test hook: window.loketPanel. */
(function () {
  "use strict";
  var L = window.Loket, el = L.el;
  var COUNTER_KEY = "loket.panel.counter";
  var panel = {counter: null, counters: [], services: [], current: null, live: false, busy: false, lostSince: null};

  function $(id) { return document.getElementById(id); }
  function message(text, error) {
    var m = $("message");
    m.textContent = text || "";
    m.className = "message" + (error ? " error" : "");
  }

  function renderCurrent() {
    var t = panel.current;
    $("current").textContent = t ? t.number : "—";
    var meta = $("current-meta");
    meta.textContent = "";
    if (t) {
      if (t.priority) { meta.appendChild(el("span", {className: "tag priority", text: L.t("priority")})); }
      meta.appendChild(el("span", {className: "tag", text: t.booked ? L.t("booked") : L.t("walk_in")}));
      meta.appendChild(el("span", {text: " " + t.service + (t.called_at ? " · " + L.t("called_at", {time: t.called_at.substr(11, 5)}) : "")}));
    } else {
      meta.textContent = L.t("none_current");
    }
    var list = $("checklist");
    list.textContent = "";
    ((t && t.checklist && t.checklist.items) || []).forEach(function (item) {
      list.appendChild(el("li", {text: item.label || item.name || item.code}));
    });
    var answers = $("answers");
    answers.textContent = "";
    var service = t && panel.services.filter(function (s) { return s.code === t.origin_service; })[0];
    Object.keys((t && t.answers) || {}).forEach(function (k) {
      // the question's label and the choice's label, as the kiosk showed them, never codes
      var q = service && service.questions.filter(function (x) { return x.key === k; })[0];
      var value = t.answers[k];
      var choice = q && q.choices.filter(function (c) { return c.value === value; })[0];
      if (value === true || value === false) { value = value ? L.t("yes") : L.t("no"); }
      if (q && q.kind === "date" && /^\d{4}-\d{2}-\d{2}$/.test(String(value))) {
        value = new Date(value + "T00:00:00").toLocaleDateString(L.config.lang === "en" ? "en-GB" : "id-ID",
                                                                 {day: "numeric", month: "long", year: "numeric"});
      }
      answers.appendChild(el("dt", {text: q ? q.label : k}));
      answers.appendChild(el("dd", {text: choice ? choice.label : String(value)}));
    });
    document.body.setAttribute("data-current", t ? t.number : "");
    ["btn-recall", "btn-skip", "btn-finish", "btn-transfer"].forEach(function (id) { $(id).disabled = !t || !panel.live; });
    ["btn-next", "btn-call-number"].forEach(function (id) { $(id).disabled = !panel.live; });
  }

  /* Answers can come back out of order on a busy server: only the newest refresh, and
   * none begun before the last action's answer, may change what the panel shows. */
  var refreshSeq = 0;
  function refresh() {
    if (!panel.counter) { return Promise.resolve(); }
    var mine = ++refreshSeq;
    return L.api("GET", "queue").then(function (q) {
      if (mine !== refreshSeq) { return null; }
      var here = q.counters.filter(function (c) { return String(c.code) === panel.counter; })[0];
      var serves = here ? here.services : [];
      var waiting = q.services.filter(function (s) { return serves.indexOf(s.service) >= 0; })
        .reduce(function (n, s) { return n + s.waiting; }, 0);
      $("waiting-here").textContent = L.t("waiting_here", {n: waiting});
      if (here && here.current) {
        if (panel.current && panel.current.id === here.current.id) { return null; }
        return L.api("GET", "tickets/" + here.current.id).then(function (t) {
          if (mine === refreshSeq) { panel.current = t; renderCurrent(); }
        });
      }
      panel.current = null;
      renderCurrent();
      return null;
    }).catch(function (err) { if (!err.status) { lost(); } });
  }

  function act(path, body, done) {
    if (panel.busy || !panel.live) { return; }
    panel.busy = true;
    message("");
    L.api("POST", "counters/" + encodeURIComponent(panel.counter) + "/" + path, body).then(function (t) {
      refreshSeq += 1;  // a refresh begun before this answer must not undo it
      var before = panel.current;
      if (done) { message(done(before, t)); }
      panel.current = t && t.status === "called" ? t : null;
      if (path === "call-next" && !t) { message(L.t("nobody_waiting")); }
      renderCurrent();
      panel.busy = false;  // the next key works as soon as the answer is shown, not after the refresh
      return refresh();
    }, function (err) {
      message(err.message, true);
      panel.busy = false;
      return refresh();
    });
  }

  function expected() { return {ticket: panel.current ? panel.current.id : null}; }
  var actions = {
    next: function () { act("call-next", expected(), function (before) { return before ? L.t("done_msg", {number: before.number}) : ""; }); },
    recall: function () { if (panel.current) { act("recall", expected()); } },
    skip: function () { if (panel.current) { act("skip", expected(), function (before) { return L.t("skipped_msg", {number: before.number}); }); } },
    finish: function () { if (panel.current) { act("finish", expected(), function (before) { return L.t("done_msg", {number: before.number}); }); } },
    callNumber: function () {
      var number = $("call-number").value.trim().toUpperCase().replace(/[^A-Z0-9]/g, "");
      if (number) { act("call", {number: number}); $("call-number").value = ""; }
    },
    transfer: function () {
      var service = $("transfer-service").value;
      if (panel.current && service) {
        act("transfer", {service: service, ticket: panel.current.id},
            function (before) { return L.t("transferred_msg", {number: before.number, service: service}); });
      }
    }
  };

  $("btn-next").addEventListener("click", actions.next);
  $("btn-recall").addEventListener("click", actions.recall);
  $("btn-skip").addEventListener("click", actions.skip);
  $("btn-finish").addEventListener("click", actions.finish);
  $("call-number-form").addEventListener("submit", function (ev) { ev.preventDefault(); actions.callNumber(); });
  $("transfer-form").addEventListener("submit", function (ev) { ev.preventDefault(); actions.transfer(); });
  document.addEventListener("keydown", function (ev) {
    if ($("app").hidden) { return; }
    var map = {F2: actions.next, F3: actions.recall, F4: actions.skip, F5: actions.finish,
               F6: function () { $("call-number").focus(); }, F7: function () { $("transfer-service").focus(); }};
    if (map[ev.key]) { ev.preventDefault(); map[ev.key](); }
  });

  function lost() {
    panel.live = false;
    if (!panel.lostSince) { panel.lostSince = new Date(); }
    L.banner(L.t("server_lost", {time: panel.lostSince.toTimeString().substr(0, 5)}));
    document.body.setAttribute("data-live", "0");
    renderCurrent();
  }

  function pickCounter(code) {
    panel.counter = code;
    try { window.localStorage.setItem(COUNTER_KEY, code); } catch (e) { /* private mode */ }
    panel.current = null;
    $("waiting-here").textContent = "";  // until this loket's queue is read
    renderCurrent();
    refresh();
  }

  L.staff(["operator", "petugas_distribusi"], function (user) {
    $("who").textContent = user.username;
    Promise.all([L.api("GET", "counters"), L.api("GET", "services")]).then(function (res) {
      panel.counters = res[0].counters;
      panel.services = res[1].services;
      var pick = $("counter-pick");
      pick.textContent = "";
      panel.counters.forEach(function (c) {
        pick.appendChild(el("option", {value: String(c.code), text: c.name + " (" + c.number + ")"}));
      });
      var transfer = $("transfer-service");
      transfer.textContent = "";
      panel.services.forEach(function (s) { transfer.appendChild(el("option", {value: s.code, text: s.name})); });
      var saved = null;
      try { saved = window.localStorage.getItem(COUNTER_KEY); } catch (e) { saved = null; }
      var first = panel.counters.some(function (c) { return String(c.code) === saved; }) ? saved : String(panel.counters[0].code);
      pick.value = first;
      pick.addEventListener("change", function () { pickCounter(pick.value); });
      pickCounter(first);
      L.stream({
        types: ["ticket.issued", "ticket.called", "ticket.recalled", "ticket.finished", "ticket.skipped",
                "ticket.no_show", "ticket.transferred", "counter.closed", "office.day_closed"],
        onOpen: function () {
          panel.live = true;
          panel.lostSince = null;
          L.banner(null);
          document.body.setAttribute("data-live", "1");
          refresh();
        },
        onLost: lost,
        onEvent: function (type) { if (type.indexOf("ticket.") === 0 || type === "counter.closed" || type === "office.day_closed") { refresh(); } }
      });
    });
  });
  window.loketPanel = panel;
}());

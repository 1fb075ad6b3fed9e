/* The head of office's live dashboard (issue 15 §2): GET /api/v1/dashboard, redrawn on
 * every queue or berkas event (at most twice a second) and every 15 s; alerts arrive as
 * `alert.raised` events. Log in as kepala or admin. Test hook: window.loketDashboard. */
(function () {
  "use strict";
  var L = window.Loket, el = L.el;
  var last = null, pending = null, lostSince = null;

  function row(cells, attrs) {
    return el("tr", attrs || {}, cells.map(function (c) { return el("td", {text: c === null || c === undefined ? "—" : String(c)}); }));
  }

  function alertText(a) {
    var name = a.service;
    var service = (last && last.services.filter(function (s) { return s.service === a.service; })[0]) || null;
    if (service) { name = service.name; }
    var step = a.step;
    var st = last && last.steps.filter(function (s) { return s.service === a.service && s.step === a.step; })[0];
    if (st) { step = st.step_name; }
    return L.t(a.kind === "wait" ? "alert_wait" : "alert_step",
               {service: name, step: step, minutes: L.minutes(a.seconds), limit: L.minutes(a.threshold_seconds)});
  }

  function render(d) {
    last = d;
    document.getElementById("office-name").textContent = d.office_name;
    document.getElementById("updated").textContent = L.t("updated", {time: d.local_time.substr(11, 5) + " " + d.zone});
    document.getElementById("totals").textContent = L.t("totals", d.totals);
    var alerts = document.getElementById("alerts");
    alerts.textContent = "";
    if (!d.alerts.length) { alerts.appendChild(el("li", {className: "none", text: L.t("no_alerts")})); }
    d.alerts.forEach(function (a) {
      alerts.appendChild(el("li", {className: "alert", "data-kind": a.kind, "data-service": a.service},
                            [el("strong", {text: a.at.substr(11, 5) + " "}), document.createTextNode(alertText(a))]));
    });
    var services = document.getElementById("services");
    services.textContent = "";
    d.services.forEach(function (s) {
      services.appendChild(row([s.name, s.waiting, s.longest_wait_seconds === null ? null : L.t("minutes", {n: L.minutes(s.longest_wait_seconds)}),
                                s.waiting ? L.t("minutes", {n: L.minutes(s.estimated_wait_seconds)}) : null, s.tickets_today],
                               {"data-service": s.service, className: s.alert ? "late" : ""}));
    });
    var counters = document.getElementById("counters");
    counters.textContent = "";
    d.counters.forEach(function (c) {
      var state = c.state === "serving" ? L.t("serving", {number: c.current.number}) : L.t(c.state);
      counters.appendChild(row([c.name, state, c.officer || null, c.seconds === null ? null : L.t("minutes", {n: L.minutes(c.seconds)})],
                               {"data-counter": c.code, "data-state": c.state, className: "state-" + c.state}));
    });
    var steps = document.getElementById("steps");
    steps.textContent = "";
    d.steps.forEach(function (s) {
      steps.appendChild(row([s.service, s.step_name, s.waiting_now, s.late_now,
                             s.oldest_seconds === null ? null : L.t("minutes", {n: L.minutes(s.oldest_seconds)}),
                             s.mutu_baku_seconds === null ? null : L.t("minutes", {n: L.minutes(s.mutu_baku_seconds)}),
                             s.done_today], {"data-step": s.service + ":" + s.step, className: s.late_now ? "late" : ""}));
    });
    var ikm = d.ikm && d.ikm.respondents ? L.t("ikm_value", {score: d.ikm.converted, category: d.ikm.category,
                                                             n: d.ikm.respondents}) : L.t("ikm_none");
    document.getElementById("ikm").textContent = ikm;
    document.body.setAttribute("data-loaded", "1");
  }

  /* The outbox (issue 14): counts per state and the failed messages; an admin resends one. */
  var user = null, outbox = null;
  function loadOutbox() {
    return L.api("GET", "messages?state=failed&limit=20").then(function (d) {
      outbox = d;
      document.getElementById("outbox-counts").textContent = L.t("outbox_counts", d.counts);
      var body = document.getElementById("outbox-failed");
      body.textContent = "";
      if (!d.messages.length) { body.appendChild(el("tr", {}, [el("td", {text: L.t("outbox_failed_none")})])); }
      d.messages.forEach(function (m) {
        var cells = [el("td", {text: L.t("kind_" + m.kind)}), el("td", {text: m.channel}), el("td", {text: m.recipient}),
                     el("td", {text: (m.last_error || "").substr(0, 80)})];
        if (user && user.role === "admin") {
          var b = el("button", {type: "button", className: "small", text: L.t("resend"), "data-resend": m.id});
          b.addEventListener("click", function () {
            b.disabled = true;
            L.api("POST", "messages/" + m.id + "/resend", {version: m.version}).then(function () {
              b.textContent = L.t("resent");
              loadOutbox();
            }, function () { b.disabled = false; });
          });
          cells.push(el("td", {}, [b]));
        }
        body.appendChild(el("tr", {"data-message": m.id}, cells));
      });
    }, function () { /* the dashboard's own banner tells a lost server */ });
  }

  function load() {
    loadOutbox();
    return L.api("GET", "dashboard?lang=" + (L.config.lang || "id")).then(function (d) {
      lostSince = null;
      L.banner(null);
      render(d);
    }, function (err) {
      if (!err.status) { lost(); }
    });
  }

  function lost() {
    if (!lostSince) { lostSince = new Date(); }
    L.banner(L.t("server_lost", {time: lostSince.toTimeString().substr(0, 5)}));
  }

  function soon() {
    if (pending) { return; }
    pending = setTimeout(function () { pending = null; load(); }, 500);
  }

  L.staff(["kepala"], function (who) {
    user = who;
    load();
    setInterval(load, 15000);
    L.stream({
      types: ["ticket.issued", "ticket.called", "ticket.recalled", "ticket.finished", "ticket.skipped",
              "ticket.no_show", "ticket.transferred", "ticket.returned", "counter.closed",
              "application.step_finished", "alert.raised", "office.day_closed"],
      onOpen: function () { soon(); },
      onLost: lost,
      onEvent: function (type) { if (type !== "heartbeat" && type !== "ping" && type !== "message") { soon(); } }
    });
  });
  window.loketDashboard = {data: function () { return last; }, outbox: function () { return outbox; }, reload: load};
}());

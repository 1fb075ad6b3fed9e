/* The browser waiting-room display (issue 15 §1): the same rules as the Kivy display
 * (display/state.py). A snapshot from /api/v1/queue at start and after every reconnect;
 * events from the stream move the numbers; a call is announced only when its event is
 * newer than the last one announced and at most 30 s old (a catch-up after a cut shows
 * the calls without saying them). The voice plays the server's clip pack in order with
 * the Web Audio API, one call after the other, never overlapping.
 *
 * Test hook: window.loketDisplay = {state, voice, view()}.
 */
(function () {
  "use strict";
  var L = window.Loket, cfg = L.config, opts = cfg.options || {};
  var MAX_CALLS = 9, ANNOUNCE_MAX_AGE_DEFAULT = 30, SAME_CALL_SECONDS = 1.5;
  // a call missed during a cut is shown but not spoken once older than this (seconds)
  var ANNOUNCE_MAX_AGE = parseFloat(opts.announce_max_age) > 0 ? parseFloat(opts.announce_max_age) : ANNOUNCE_MAX_AGE_DEFAULT;
  var CALL_TYPES = {"ticket.called": "call", "ticket.recalled": "recall"};
  var LEAVE_TYPES = ["ticket.finished", "ticket.skipped", "ticket.no_show", "ticket.transferred", "counter.closed"];
  /* events whose effect on the waiting counts the page cannot work out itself: a refresh soon */
  var RECOUNT_TYPES = ["ticket.returned", "office.day_closed"];
  var filterServices = opts.services ? opts.services.toUpperCase().split(",") : null;
  var filterCounters = opts.counters ? opts.counters.split(",") : null;
  var officeParam = opts.office ? "?office=" + encodeURIComponent(opts.office) : "";

  var state = {office: null, officeDay: null, counters: {}, order: [], services: {}, calls: [],
               announcedId: 0, lastEventId: 0, serverOffset: 0, connection: "connecting", loaded: false,
               revision: 0};

  function serverNow() { return Date.now() / 1000 + state.serverOffset; }
  function epoch(iso) { var t = Date.parse(iso); return isNaN(t) ? serverNow() : t / 1000; }
  function visible(call) {
    var c = state.counters[call.counter];
    var num = String(c ? c.number : call.counterNumber);
    return (!filterServices || filterServices.indexOf(String(call.service).toUpperCase()) >= 0) &&
      (!filterCounters || filterCounters.indexOf(String(call.counter)) >= 0 || filterCounters.indexOf(num) >= 0);
  }
  function sameCall(a, b) {
    if (a.id && b.id) { return a.id === b.id; }
    return a.number === b.number && a.counter === b.counter && a.action === b.action &&
      Math.abs(a.at - b.at) < SAME_CALL_SECONDS;
  }

  /* ------------------------------------------------------------------ voice */
  var voice = {
    queue: [], played: [], clipsPlayed: [], busy: false, context: null, buffers: {},
    enabled: opts.voice !== "off",
    ensure: function () {
      if (!this.context) {
        var Ctx = window.AudioContext || window.webkitAudioContext;
        if (!Ctx) { return null; }
        this.context = new Ctx();
      }
      return this.context;
    },
    announce: function (call) {
      if (!this.enabled) { return; }
      this.queue.push(call);
      this.pump();
    },
    buffer: function (url) {
      var self = this;
      if (!self.buffers[url]) {
        self.buffers[url] = fetch(url, {credentials: "same-origin"}).then(function (r) { return r.arrayBuffer(); })
          .then(function (data) {
            return new Promise(function (resolve, reject) { self.context.decodeAudioData(data, resolve, reject); });
          });
      }
      return self.buffers[url];
    },
    pump: function () {
      var self = this;
      if (self.busy || !self.queue.length) { return; }
      var ctx = self.ensure();
      if (!ctx) { self.queue = []; return; }
      if (ctx.state === "suspended") { showSoundButton(); return; }  // waits for a tap
      var call = self.queue.shift();
      self.busy = true;
      var q = "number=" + encodeURIComponent(call.number) + "&counter=" + encodeURIComponent(call.counterNumber) +
        "&mode=" + (opts.voice_mode || "words") + "&spelling=" + (opts.spelling || "name") +
        "&repeat=" + (opts.repeat || "1");
      L.api("GET", "voice/call?" + q).then(function (plan) {
        return Promise.all(plan.clips.map(function (c) { return c.url ? self.buffer(c.url) : null; }))
          .then(function (buffers) {
            var at = ctx.currentTime + 0.05, tokens = [];
            plan.clips.forEach(function (c, i) {
              if (!c.url) { at += c.pause; return; }
              var src = ctx.createBufferSource();
              src.buffer = buffers[i];
              src.connect(ctx.destination);
              src.start(at);
              tokens.push(c.token);
              at += buffers[i].duration + (c.gap_after || 0);
            });
            self.played.push({number: call.number, counter: call.counterNumber, action: call.action,
                              clips: tokens, started: Date.now()});
            self.clipsPlayed = self.clipsPlayed.concat(tokens);
            return new Promise(function (resolve) { setTimeout(resolve, Math.max(0, (at - ctx.currentTime) * 1000)); });
          });
      }).catch(function () { return null; }).then(function () {
        self.busy = false;
        self.pump();
      });
    }
  };

  function showSoundButton() {
    var button = document.getElementById("enable-sound");
    button.hidden = false;
  }
  document.getElementById("enable-sound").addEventListener("click", function () {
    var ctx = voice.ensure();
    if (ctx) {
      ctx.resume().then(function () {
        document.getElementById("enable-sound").hidden = true;
        voice.pump();
      });
    }
  });

  /* ------------------------------------------------------------------ state */
  function loadSnapshot(overview) {
    var counters = {}, order = [];
    overview.counters.forEach(function (c) {
      var cur = c.current;
      counters[String(c.code)] = {code: String(c.code), number: c.number, name: c.name, services: c.services || [],
                                  current: cur ? cur.number : null, service: cur ? cur.service : null};
      order.push(String(c.code));
    });
    state.counters = counters;
    state.order = order;
    state.office = overview.office;
    state.officeDay = overview.office_day;
    loadServices(overview);
    var old = state.calls;
    state.calls = [];
    overview.last_calls.slice().reverse().forEach(function (r) {  // oldest first
      var call = {number: r.number, service: r.service, counter: String(r.counter), counterNumber: r.counter_number,
                  action: r.action || "call", at: epoch(r.at), id: null};
      if (!visible(call)) { return; }
      var known = old.filter(function (o) { return sameCall(o, call); })[0];
      state.calls.push(known || call);
    });
    state.calls = state.calls.slice(-MAX_CALLS);
    state.loaded = true;
    changed();
  }

  function loadServices(overview) {
    var services = {};
    overview.services.forEach(function (s) {
      services[s.service] = {code: s.service, name: cfg.lang === "en" ? (s.name_en || s.name) : s.name,
                             prefix: s.prefix, waiting: s.waiting, estimate: s.estimated_wait_seconds};
    });
    state.services = services;
  }

  function apply(type, ev, id) {
    if (id && id <= state.lastEventId) { return; }  // a replay
    if (id) { state.lastEventId = id; }
    var counter = ev.counter === undefined || ev.counter === null ? null : String(ev.counter);
    if (CALL_TYPES[type]) {
      var call = {number: String(ev.number), service: String(ev.service), counter: counter,
                  counterNumber: ev.counter_number, action: CALL_TYPES[type], at: ev.at || serverNow(), id: id};
      var c = state.counters[counter];
      if (c) { c.current = call.number; c.service = call.service; }
      if (type === "ticket.called") { bumpWaiting(call.service, -1); }
      if (visible(call)) {
        var known = state.calls.some(function (o) { return sameCall(o, call); });
        if (known) {
          state.calls = state.calls.map(function (o) { return sameCall(o, call) ? call : o; });
        } else {
          state.calls.push(call);
          state.calls = state.calls.slice(-MAX_CALLS);
        }
        var fresh = serverNow() - call.at <= ANNOUNCE_MAX_AGE;
        if (id && id > state.announcedId && fresh) {
          voice.announce(call);
          callout(call);
        }
        if (id) { state.announcedId = Math.max(state.announcedId, id); }
      }
      changed(true);
    } else if (LEAVE_TYPES.indexOf(type) >= 0) {
      var k = state.counters[counter];
      if (k && k.current && (!ev.number || k.current === ev.number)) { k.current = null; k.service = null; }
      if (type === "ticket.transferred") { bumpWaiting(ev.to_service, +1); }
      changed();
    } else if (type === "ticket.issued") {
      bumpWaiting(ev.service, +1);
      changed();
    }
    if (RECOUNT_TYPES.indexOf(type) >= 0) { scheduleRefresh(); }
  }

  function bumpWaiting(service, delta) {
    var s = state.services[service];
    if (s) { s.waiting = Math.max(0, s.waiting + delta); }
  }

  /* The events move the waiting counts as they happen; a refresh every 20-30 s (random,
   * so a hall of TVs does not ask at the same moment) corrects the estimates. 100 open
   * displays cost the server about 4 requests a second however fast tickets come
   * (bench/bench_web.py; it was one 5-10 s after every queue event: ~17/s). */
  var refreshTimer = null;
  function scheduleRefresh() {
    if (refreshTimer) { return; }
    refreshTimer = setTimeout(function () { refreshTimer = null; refreshWaiting(); }, 2000 + Math.random() * 3000);
  }
  function refreshWaiting() {
    if (state.connection !== "live") { return; }
    L.api("GET", "queue" + officeParam).then(function (overview) {
      if (state.officeDay && overview.office_day !== state.officeDay) { loadSnapshot(overview); return; }
      loadServices(overview);
      changed();
    }).catch(function () { return null; });
  }
  (function refreshLoop() {
    setTimeout(function () { refreshWaiting(); refreshLoop(); }, 20000 + Math.random() * 10000);
  }());

  /* ------------------------------------------------------------------ view */
  var calloutTimer = null;
  function callout(call) {
    var box = document.getElementById("callout");
    if (!document.getElementById("signage").hidden || document.body.classList.contains("with-signage")) {
      document.getElementById("callout-number").textContent = call.number;
      document.getElementById("callout-counter").textContent = L.t("to_counter", {n: call.counterNumber});
      box.hidden = false;
      clearTimeout(calloutTimer);
      calloutTimer = setTimeout(function () { box.hidden = true; }, 8000);
    }
    var latest = document.getElementById("latest");
    latest.classList.remove("flash");
    void latest.offsetWidth;  // restart the animation
    latest.classList.add("flash");
  }

  function view() {
    var calls = state.calls.slice().reverse();
    return {latest: calls[0] || null, history: calls.slice(1), counters: state.order.map(function (code) {
      return state.counters[code];
    }).filter(function (c) {
      return (!filterCounters || filterCounters.indexOf(c.code) >= 0 || filterCounters.indexOf(String(c.number)) >= 0) &&
        (!filterServices || c.services.some(function (s) { return filterServices.indexOf(s.toUpperCase()) >= 0; }));
    }), services: Object.keys(state.services).map(function (k) { return state.services[k]; }).filter(function (s) {
      return !filterServices || filterServices.indexOf(s.code.toUpperCase()) >= 0;
    }), connection: state.connection};
  }

  function changed() {
    state.revision += 1;
    render();
  }

  function render() {
    var v = view();
    var el = L.el;
    document.getElementById("latest-number").textContent = v.latest ? v.latest.number : "—";
    document.getElementById("latest-counter").textContent = v.latest ? L.t("to_counter", {n: v.latest.counterNumber}) : "";
    var counters = document.getElementById("counters");
    counters.textContent = "";
    v.counters.forEach(function (c) {
      counters.appendChild(el("div", {className: "counter-card" + (c.current ? " busy" : ""), "data-counter": c.code}, [
        el("div", {className: "name", text: L.t("counter_short", {n: c.number})}),
        el("div", {className: "current", text: c.current || L.t("free")})
      ]));
    });
    var history = document.getElementById("history");
    history.textContent = "";
    v.history.forEach(function (call) {
      history.appendChild(el("li", {}, [el("span", {className: "number", text: call.number}),
                                        el("span", {className: "to", text: L.t("counter_short", {n: call.counterNumber})})]));
    });
    var services = document.getElementById("services");
    services.textContent = "";
    v.services.forEach(function (s) {
      services.appendChild(el("div", {className: "service", "data-service": s.code}, [
        el("div", {className: "name", text: s.name}),
        el("div", {className: "count", text: L.t("waiting") + ": " + s.waiting}),
        el("div", {className: "estimate", text: s.waiting ? L.t("estimate", {n: Math.max(1, Math.round(s.estimate / 60))}) : ""})
      ]));
    });
    document.body.setAttribute("data-connection", state.connection);
    document.body.setAttribute("data-revision", String(state.revision));
  }

  /* ------------------------------------------------------------------ clock */
  var office = {timezone: "Asia/Jakarta", zone: "WIB"};
  function tick() {
    var now = new Date(serverNow() * 1000);
    var locale = cfg.lang === "en" ? "en-GB" : "id-ID";
    try {
      document.getElementById("clock-time").textContent = now.toLocaleTimeString(locale,
        {hour: "2-digit", minute: "2-digit", timeZone: office.timezone, hour12: false});
      document.getElementById("clock-date").textContent = now.toLocaleDateString(locale,
        {weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone: office.timezone});
    } catch (e) {
      document.getElementById("clock-time").textContent = now.toISOString().substr(11, 5);
    }
    document.getElementById("clock-zone").textContent = office.zone;
  }
  setInterval(tick, 1000);

  /* ------------------------------------------------------------------ signage */
  function signage(items) {
    if (!items || !items.length) { return; }
    var box = document.getElementById("signage"), i = 0;
    box.hidden = false;
    document.body.classList.add("with-signage");
    function show() {
      var item = items[i % items.length];
      i += 1;
      box.textContent = "";
      if (item.kind === "video") {
        var video = L.el("video", {src: item.url, muted: "", autoplay: "", playsinline: ""});
        video.muted = true;
        video.addEventListener("ended", show);
        video.addEventListener("error", function () { setTimeout(show, 1000); });
        box.appendChild(video);
      } else {
        box.appendChild(L.el("img", {src: item.url, alt: ""}));
        setTimeout(show, 10000);
      }
    }
    show();
  }

  /* ------------------------------------------------------------------ start */
  function prepare() {
    return L.api("GET", "health").then(function (health) {
      state.serverOffset = health.time - Date.now() / 1000;
      return L.api("GET", "queue" + officeParam).then(function (overview) {
        var first = !state.loaded;
        loadSnapshot(overview);
        var serverLast = health.last_event_id || 0;
        if (first || serverLast < state.lastEventId) {  // start-up, or a new event log
          state.lastEventId = serverLast;
          state.announcedId = serverLast;
          return serverLast;
        }
        return state.lastEventId;
      });
    });
  }

  L.api("GET", "offices").then(function (data) {
    var code = opts.office || data["default"];
    (data.offices || []).forEach(function (o) {
      if (o.code === code || (!opts.office && state.office === o.code)) {
        office = o;
        document.getElementById("office-name").textContent = o.name;
        document.getElementById("ticker").textContent = o.running_text || "";
      }
    });
    tick();
  }).catch(function () { return null; });

  L.banner(null);
  if (opts.motion === "reduced") { document.body.classList.add("reduce-motion"); }
  signage(cfg.signage);
  voice.ensure();
  if (voice.enabled && voice.context && voice.context.state === "suspended") { showSoundButton(); }
  L.stream({
    office: opts.office || null,
    types: Object.keys(CALL_TYPES).concat(LEAVE_TYPES, ["ticket.issued", "ticket.returned", "office.day_closed",
                                                         "application.step_finished"]),
    prepare: prepare,
    onOpen: function () { state.connection = "live"; L.banner(null); changed(); },
    onLost: function () {
      state.connection = "disconnected";
      L.banner(L.t("disconnected"));
      changed();
    },
    onEvent: function (type, data, id) {
      if (type === "heartbeat" || type === "ping" || type === "message") {
        if (data.at || data.time) { state.serverOffset = (data.at || data.time) - Date.now() / 1000; }
        return;
      }
      apply(type, data, id);
      if (type === "office.day_closed") { prepare().catch(function () { return null; }); }
    }
  });
  render();
  window.loketDisplay = {state: state, voice: voice, view: view};
}());

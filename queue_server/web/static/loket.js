/* Loket browser pages: shared helpers (no build step, no dependencies).
 *
 * Loket.config   the page's configuration (JSON block #loket-config: lang, texts, ...)
 * Loket.t        a text of the page with {placeholders} filled
 * Loket.api      one JSON call of /api/v1 (token from the tab's session, if any)
 * Loket.stream   the server's event stream with a heartbeat watchdog and resume
 * Loket.staff    log-in form, session token, logout (staff pages)
 * Loket.banner   the red "TERPUTUS" bar
 */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("loket-config").textContent);

  function t(key, vars) {
    var text = (config.texts && config.texts[key]) || key;
    return text.replace(/\{(\w+)\}/g, function (m, name) {
      return vars && vars[name] !== undefined ? String(vars[name]) : m;
    });
  }

  function ApiError(status, body) {
    var err = (body && body.error) || {};
    this.status = status;
    this.code = err.code || (status ? "http_" + status : "unreachable");
    this.message = (config.lang === "en" ? err.message_en : err.message) || err.message || this.code;
    this.details = err.details || {};
  }

  function api(method, path, body, options) {
    options = options || {};
    var headers = {"Accept": "application/json", "Accept-Language": config.lang || "id"};
    var token = options.token !== undefined ? options.token : staffToken();
    if (token) { headers["Authorization"] = "Bearer " + token; }
    var init = {method: method, headers: headers, credentials: "same-origin", cache: "no-store"};
    if (body !== undefined && body !== null) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    var controller = window.AbortController ? new AbortController() : null;
    if (controller) { init.signal = controller.signal; }
    var timer = setTimeout(function () { if (controller) { controller.abort(); } }, options.timeout || 8000);
    return fetch(path.indexOf("/") === 0 ? path : "/api/v1/" + path, init).then(function (r) {
      clearTimeout(timer);
      if (r.status === 204) { return null; }
      return r.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        if (!r.ok) { throw new ApiError(r.status, data); }
        return data;
      });
    }, function () {
      clearTimeout(timer);
      throw new ApiError(0, null);
    });
  }

  /* The event stream: EventSource on /api/v1/events (the cookie carries the token).
   * options: office, types (event names), onEvent(type, data, id), onOpen(), onLost(),
   * prepare() -> Promise of the id to resume after (called before each connection),
   * heartbeatTimeout (ms). A stream silent for heartbeatTimeout (the server sends a
   * heartbeat every 3 s) or failing is closed, onLost() is called, and a new one is
   * opened after a backoff (0.5 s doubling to 5 s), resuming after the last id. */
  function stream(options) {
    var source = null, watchdog = null, retry = null, delay = 500, lastId = null, stopped = false;
    var timeout = options.heartbeatTimeout || 7000;
    function alive() {
      clearTimeout(watchdog);
      watchdog = setTimeout(lost, timeout);
    }
    function lost() {
      clearTimeout(watchdog);
      if (source) { source.close(); source = null; }
      if (options.onLost) { options.onLost(); }
      if (!stopped) {
        clearTimeout(retry);
        retry = setTimeout(connect, delay);
        delay = Math.min(delay * 2, 5000);
      }
    }
    function handle(type, ev) {
      alive();
      if (ev.lastEventId && /^\d+$/.test(ev.lastEventId)) { lastId = parseInt(ev.lastEventId, 10); }
      var data = {};
      try { data = ev.data ? JSON.parse(ev.data) : {}; } catch (e) { data = {}; }
      if (options.onEvent) { options.onEvent(type, data, lastId); }
    }
    function connect() {
      if (stopped) { return; }
      Promise.resolve(options.prepare ? options.prepare(lastId) : lastId).then(function (resume) {
        if (resume !== null && resume !== undefined) { lastId = resume; }
        var query = [];
        if (options.office) { query.push("office=" + encodeURIComponent(options.office)); }
        if (lastId !== null) { query.push("last_id=" + lastId); }
        source = new EventSource("/api/v1/events" + (query.length ? "?" + query.join("&") : ""),
                                 {withCredentials: true});
        source.onopen = function () {
          delay = 500;
          alive();
          if (options.onOpen) { options.onOpen(); }
        };
        source.onerror = function () { lost(); };
        ["heartbeat", "ping", "message"].concat(options.types || []).forEach(function (type) {
          source.addEventListener(type, function (ev) { handle(type, ev); });
        });
        alive();
      }, function () { lost(); });
    }
    connect();
    return {
      stop: function () { stopped = true; clearTimeout(watchdog); clearTimeout(retry); if (source) { source.close(); } },
      lastId: function () { return lastId; }
    };
  }

  function banner(text) {
    var el = document.getElementById("banner");
    if (!el) { return; }
    el.textContent = text || "";
    el.hidden = !text;
  }

  /* --------------------------------------------------------------- staff pages */
  var TOKEN_KEY = "loket.staff.token";
  var USER_KEY = "loket.staff.user";

  function staffToken() {
    try { return window.sessionStorage.getItem(TOKEN_KEY); } catch (e) { return null; }
  }

  function staffUser() {
    try { return JSON.parse(window.sessionStorage.getItem(USER_KEY) || "null"); } catch (e) { return null; }
  }

  /* Show the login form until a staff member with one of `roles` logs in, then call
   * ready(user). The token stays in this tab (sessionStorage) and, for the event stream,
   * in the page cookie (POST /web/session). */
  function staff(roles, ready) {
    var form = document.getElementById("login-form");
    var box = document.getElementById("login");
    var app = document.getElementById("app");
    var error = document.getElementById("login-error");
    function enter(user) {
      if (roles.indexOf(user.role) < 0 && user.role !== "admin") {
        error.textContent = t("forbidden");
        error.hidden = false;
        box.hidden = false;
        app.hidden = true;
        return;
      }
      box.hidden = true;
      app.hidden = false;
      ready(user);
    }
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      error.hidden = true;
      api("POST", "auth/login", {username: form.username.value.trim(), password: form.password.value},
          {token: null}).then(function (body) {
        window.sessionStorage.setItem(TOKEN_KEY, body.token);
        var user = {username: body.username || form.username.value.trim(), role: body.role, office: body.office};
        window.sessionStorage.setItem(USER_KEY, JSON.stringify(user));
        form.password.value = "";
        return api("POST", "/web/session").then(function () { enter(user); });
      }).catch(function (err) {
        error.textContent = t("login_failed", {message: err.message});
        error.hidden = false;
      });
    });
    var logout = document.getElementById("logout");
    if (logout) {
      logout.addEventListener("click", function () {
        var done = function () {
          window.sessionStorage.removeItem(TOKEN_KEY);
          window.sessionStorage.removeItem(USER_KEY);
          window.location.reload();
        };
        api("POST", "auth/logout").catch(function () { return null; })
          .then(function () { return api("DELETE", "/web/session"); }).then(done, done);
      });
    }
    var user = staffUser();
    if (staffToken() && user) {
      api("GET", "auth/me").then(function () { enter(user); }, function () {
        window.sessionStorage.removeItem(TOKEN_KEY);
        box.hidden = false;
      });
    } else {
      box.hidden = false;
    }
  }

  function minutes(seconds) {
    return seconds === null || seconds === undefined ? "—" : String(Math.round(seconds / 60));
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") { node.textContent = attrs[k]; } else if (k === "className") { node.className = attrs[k]; }
      else { node.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) { node.appendChild(c); });
    return node;
  }

  window.Loket = {config: config, t: t, api: api, stream: stream, banner: banner, staff: staff,
                  staffToken: staffToken, staffUser: staffUser, minutes: minutes, el: el, ApiError: ApiError};
}());

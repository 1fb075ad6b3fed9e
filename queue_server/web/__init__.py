"""Browser surfaces served by the queue server (issue 15): the waiting-room display
(``/display``), the head of office's live dashboard (``/dashboard``) and the web call
panel (``/counter``). Flask + Jinja2 pages with a little vanilla JavaScript from
``static/`` (no build step, no CDN, no inline script: the CSP is ``'self'``).

The pages read and act only through the public HTTP API and its event stream. A browser
cannot put a bearer token on an ``EventSource``, so the token also travels in an
HttpOnly, SameSite=Strict cookie (:data:`COOKIE`) that the server accepts **for GET and
HEAD only** (reads; no write can be forged with it):

* a TV opens ``/display?token=DISPLAY-TOKEN`` once; the server checks that it is a
  display token, keeps it in the cookie for a year and drops it from the address;
* the staff pages log in with ``POST /api/v1/auth/login``, keep the token in the tab's
  ``sessionStorage`` for writes (``Authorization`` header) and call ``POST /web/session``
  once so the event stream can use the cookie; ``DELETE /web/session`` forgets it.

Signage (optional): images and videos in ``DATA_DIR/signage`` play in a side panel of
the display, in name order; an announced call takes the screen.
"""
from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlencode

from flask import Blueprint, abort, current_app, g, make_response, redirect, render_template, request, send_from_directory

from client.protocol import error_body

from ..auth import WEB_COOKIE, AuthError, authenticate
from ..domain import roles
from .texts import page_texts, t

bp = Blueprint("web", __name__, template_folder="templates", static_folder="static", static_url_path="/web/static")

#: The cookie holding the page's token (read by the server for GET/HEAD only).
COOKIE = WEB_COOKIE
#: Query options of ``/display`` passed on to the page.
DISPLAY_OPTIONS = ("services", "counters", "voice_mode", "spelling", "repeat", "lang", "voice", "office",
                   "announce_max_age", "motion")
#: Signage files shown on the display.
SIGNAGE_TYPES = {".png": "image", ".jpg": "image", ".jpeg": "image", ".webp": "image", ".mp4": "video",
                 ".webm": "video"}


def _lang() -> str:
    """Bahasa Indonesia unless the page was opened with ``?lang=en`` (a TV or PC set to
    English still shows the office's language)."""
    return "en" if (request.args.get("lang") or "").lower().startswith("en") else "id"


def _set_cookie(response, token: str, max_age: int | None) -> None:
    response.set_cookie(COOKIE, token, max_age=max_age, httponly=True, samesite="Strict",
                        secure=request.scheme == "https", path="/")


def _page(template: str, page: str, context: dict | None = None, **config):
    """Render ``template`` with the page's texts; ``config`` goes to its scripts (JSON),
    ``context`` to the template."""
    lang = _lang()
    data = {"lang": lang, "texts": page_texts(page, lang), **config}
    html = render_template(template, t=lambda key, **kw: t(key, lang, **kw), lang=lang, **(context or {}),
                           config_json=json.dumps(data, ensure_ascii=False).replace("</", "<\\/"))
    response = make_response(html)
    response.headers["Cache-Control"] = "no-store"
    return response


def _signage_dir() -> Path:
    return Path(current_app.config["DATA_DIR"]) / "signage"


def _signage() -> list[dict]:
    folder = _signage_dir()
    if not folder.is_dir():
        return []
    return [{"url": f"/display/signage/{p.name}", "kind": SIGNAGE_TYPES[p.suffix.lower()]}
            for p in sorted(folder.iterdir()) if p.is_file() and p.suffix.lower() in SIGNAGE_TYPES]


@bp.get("/display")
def display_page():
    """The waiting-room display; ``?token=`` (a display token) is stored in the cookie."""
    token = request.args.get("token")
    if token is not None:
        try:
            who = authenticate(f"Bearer {token.strip()}", now=current_app.extensions["loket"].now())
        except AuthError:
            who = None
        if who is None or who.role != roles.DISPLAY:
            return _page("display_token.html", "display", {"error": True}), 401
        rest = {k: v for k, v in request.args.items() if k in DISPLAY_OPTIONS and v}
        response = redirect("/display" + (f"?{urlencode(rest)}" if rest else ""), code=303)
        _set_cookie(response, token.strip(), 365 * 86400)
        return response
    actor = g.get("actor")
    if actor is None or actor.role not in (roles.DISPLAY, roles.ADMIN):
        return _page("display_token.html", "display", {"error": False}), 401
    options = {k: request.args.get(k) for k in DISPLAY_OPTIONS if request.args.get(k)}
    return _page("display.html", "display", options=options, signage=_signage())


@bp.get("/display/signage/<path:name>")
def signage_file(name: str):
    """A signage image or video for the display (display token)."""
    actor = g.get("actor")
    if actor is None or actor.role not in (roles.DISPLAY, roles.ADMIN):
        abort(401)
    if Path(name).suffix.lower() not in SIGNAGE_TYPES or "/" in name:
        abort(404)
    return send_from_directory(_signage_dir(), name, max_age=3600)


@bp.get("/dashboard")
def dashboard_page():
    """The head of office's live dashboard (log in as kepala or admin)."""
    return _page("dashboard.html", "dashboard")


@bp.get("/counter")
def counter_page():
    """The web call panel (log in as a counter officer)."""
    return _page("counter.html", "counter")


@bp.post("/web/session")
def session_start():
    """Keep the caller's bearer token in the page cookie (staff pages' event stream)."""
    actor = g.get("actor")
    header = request.headers.get("Authorization", "")
    if actor is None or actor.kind != "staff":
        return error_body("auth_required", "Perlu masuk (token).", "Authentication required."), 401
    response = make_response({"ok": True})
    _set_cookie(response, header.partition(" ")[2].strip(), None)  # a session cookie: gone with the browser
    return response


@bp.delete("/web/session")
def session_end():
    """Forget the page cookie."""
    response = make_response({"ok": True})
    response.delete_cookie(COOKIE, path="/")
    return response

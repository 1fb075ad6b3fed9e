"""HTTP API for the browser surfaces (issue 15): ``GET /api/v1/dashboard`` (the head of
office's live figures and alerts: kepala and admin), ``GET /api/v1/voice/call`` (the clip
sequence of one announcement, for a display: any device or staff token) and
``GET /api/v1/voice/clips/<token>.wav`` (the clips themselves, public: they hold no data).
Errors use the API's one shape."""
from __future__ import annotations

from apiflask import APIBlueprint, Schema
from apiflask.fields import Integer, String
from apiflask.validators import Length, OneOf, Range, Regexp
from flask import send_file

from display.voice import compose
from display.voice.pack import VoicePack, default_pack_dir

from .. import dashboard
from ..auth import require
from ..domain import roles
from ..errors import NotFound, Unprocessable
from .common import actor, ctx, lang

bp = APIBlueprint("live", __name__, url_prefix="/api/v1")

#: The clip pack the browser display plays: the one the Kivy display ships with.
PACK = VoicePack(default_pack_dir())


class DashboardQuery(Schema):
    office = String(load_default=None, validate=Length(1, 64))
    lang = String(load_default=None, validate=OneOf(("id", "en")))


class VoiceQuery(Schema):
    number = String(required=True, validate=Regexp(r"^[A-Za-z]{1,2}-?\d{1,4}$", error="A ticket number, e.g. A012."))
    counter = Integer(required=True, validate=Range(1, compose.MAX_COUNTER))
    mode = String(load_default="words", validate=OneOf(("words", "digits")))
    spelling = String(load_default="name", validate=OneOf(tuple(compose.SPELLINGS)))
    repeat = Integer(load_default=1, validate=OneOf((1, 2)))


@bp.get("/dashboard")
@bp.input(DashboardQuery, location="query", arg_name="query")
@bp.doc(tags=["reports"], summary="Live dashboard: waiting, counters, late berkas per step, IKM, alerts (kepala)")
def dashboard_get(query):
    a = require(actor(), roles.KEPALA)
    office = ctx().office(query["office"] or a.office)
    require(a, roles.KEPALA, office=office.code)
    return dashboard.live_dashboard(ctx(), office, query["lang"] or lang())


@bp.get("/voice/call")
@bp.input(VoiceQuery, location="query", arg_name="query")
@bp.doc(tags=["public"], summary="The clips of one call announcement, in order, with the gaps between them")
def voice_call(query):
    require(actor(), *roles.ROLES)
    try:
        tokens = compose.call_tokens(query["number"], query["counter"], mode=query["mode"],
                                     spelling=query["spelling"], repeat=query["repeat"])
        text = compose.call_text(query["number"], query["counter"], mode=query["mode"])
    except ValueError as exc:
        raise Unprocessable("invalid_call", "Nomor atau loket tidak bisa diucapkan.", str(exc),
                            {"field": "number"}) from None
    missing = PACK.missing(tokens)
    if missing:
        raise NotFound("voice_clip_missing", "Paket suara tidak lengkap.", "The voice pack lacks clips.",
                       {"missing": missing})
    clips = []
    for i, token in enumerate(tokens):
        last = i == len(tokens) - 1
        if token == compose.PAUSE:
            clips.append({"pause": PACK.repeat_pause})
        else:
            clips.append({"token": token, "url": f"/api/v1/voice/clips/{token}.wav",
                          "gap_after": 0.0 if last else PACK.gap_after(token)})
    return {"number": query["number"].upper(), "counter": query["counter"], "text": text, "clips": clips}


@bp.get("/voice/clips/<token>.wav")
@bp.doc(tags=["public"], summary="One clip of the voice pack (WAV)")
def voice_clip(token: str):
    try:
        path = PACK.path(token)
    except ValueError:
        path = None
    if path is None or not path.is_file():
        raise NotFound("voice_clip_missing", "Klip suara tidak ada.", "No such voice clip.", {"field": "token"})
    return send_file(path, mimetype="audio/wav", max_age=86400)

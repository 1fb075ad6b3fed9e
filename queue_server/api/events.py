"""``/api/v1/events``: the server-sent event stream (public types for devices, all for staff).

Every handler authenticates through ``g.actor`` (set from the bearer token before the
request), checks the role in the operation it calls, and answers JSON; errors have the one
shape of ``client.protocol.error_body``.
"""
from __future__ import annotations

from apiflask import APIBlueprint
from flask import Response, current_app, request, stream_with_context

from ..auth import require
from ..domain import roles
from ..errors import Conflict, Unprocessable
from ..events import stream
from . import schemas as s
from .common import actor, ctx

bp = APIBlueprint("events", __name__, url_prefix="/api/v1")


@bp.get("/events")
@bp.input(s.EventsQuery, location="query", arg_name="query")
@bp.doc(tags=["events"], summary="Server-sent events; resume with the Last-Event-ID header")
def events(query):
    a = require(actor(), *roles.ROLES)
    office = query["office"] or a.office
    if office:
        ctx().office(office)
        require(a, *roles.ROLES, office=office)
    public_only = a.role in (roles.DISPLAY, roles.KIOSK)
    header = request.headers.get("Last-Event-ID")
    last_id = query["last_id"]
    if header is not None:
        if not header.strip().isdigit() or len(header.strip()) > 18:
            raise Unprocessable("invalid_last_event_id", "Last-Event-ID harus angka (paling banyak 18 digit).",
                                "Last-Event-ID must be a number (at most 18 digits).", {"field": "Last-Event-ID"})
        last_id = int(header.strip())
    broker = current_app.extensions["loket_broker"]
    limit = current_app.config["MAX_STREAMS"]
    owner, per_token = f"{a.kind}:{a.name}", current_app.config.get("MAX_STREAMS_PER_TOKEN", 4)
    # a token at its own limit replaces its oldest stream instead of taking a new slot
    if broker.count_for(owner) < per_token and broker.subscriber_count >= limit:
        raise Conflict("too_many_streams", "Terlalu banyak koneksi layar. Coba lagi sebentar.",
                       "Too many event streams; retry shortly.", {"limit": limit})
    gen = stream(broker, office=office, public_only=public_only, last_id=last_id,
                 heartbeat=current_app.config["SSE_HEARTBEAT"], max_seconds=current_app.config.get("SSE_MAX_SECONDS"),
                 now=ctx().now, owner=owner, owner_limit=per_token)
    from ..db.database import release_connection
    release_connection()  # a stream of hours must not hold one of the pool's connections
    return Response(stream_with_context(gen), mimetype="text/event-stream",
                    headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

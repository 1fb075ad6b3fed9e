"""``/api/v1/bookings``: antrean online (issue 12 items 4-5) — slots, booking and
cancelling (public, no token, rate-limited: :mod:`queue_server.limits`), the kiosk's
check-in (kiosk or operator token) and the office's list of the day's bookings (staff).

Errors have the one shape of ``client.protocol.error_body``; a full slot is 409
``kuota_habis``, the same NIK, service and day again 409 ``sudah_terdaftar``.
"""
from __future__ import annotations

from apiflask import APIBlueprint
from flask import request

from .. import bookings as bk
from .. import tickets
from ..applications import mask_nik
from ..auth import require
from ..db.models import Booking
from ..domain import roles
from ..limits import booking_by_address, booking_by_nik, public_read
from . import schemas as s
from .common import _office, actor, ctx, lang, notify

bp = APIBlueprint("bookings", __name__, url_prefix="/api/v1")


@bp.get("/bookings/slots")
@bp.input(s.SlotsQuery, location="query", arg_name="query")
@bp.doc(tags=["bookings"], summary="A bookable day's slots with their remaining places (public)",
        responses={422: "date not bookable or service takes no bookings"})
@public_read
def slots(query):
    return bk.slots(ctx(), _office(query["office"]), query["service"], query["date"])


@bp.post("/bookings")
@bp.input(s.BookingIn, arg_name="body")
@bp.doc(tags=["bookings"], summary="Book a visit (public, no token; one per NIK, service and day)",
        responses={201: "booked", 409: "kuota_habis (slot or day full) or sudah_terdaftar (NIK booked)",
                   422: "bad input, the field named", 429: "too many requests"})
@booking_by_address
@booking_by_nik
def create(body):
    booking, checklist = bk.create_booking(
        ctx(), office_code=body["office"], service_code=body["service"], day=body["date"], slot=body["slot"],
        nik=body["nik"], answers=body["answers"], phone=body["phone"], email=body["email"],
        remote_addr=request.remote_addr or "", notify=body["notify"], lang=body["lang"])
    notify()
    return bk.booking_public(ctx(), booking, lang()), 201


@bp.get("/bookings/<code>")
@bp.doc(tags=["bookings"], summary="A booking by its code (public: no personal data, the NIK masked)")
@public_read
def get(code):
    return bk.booking_public(ctx(), bk.get_booking(code), lang())


@bp.delete("/bookings/<code>")
@bp.doc(tags=["bookings"], summary="Cancel a booking by its code (public: the code is the key)",
        responses={200: "cancelled", 409: "already checked in, cancelled or missed"})
@booking_by_address
def cancel(code):
    who = actor() or bk.public_actor(request.remote_addr or "")
    booking = bk.cancel_booking(ctx(), code, actor=who)
    notify()
    return bk.booking_public(ctx(), booking, lang())


@bp.post("/bookings/<code>/check-in")
@bp.doc(tags=["bookings"], summary="Check a booking in at the kiosk: a ticket in the booked lane",
        responses={201: "ticket issued", 200: "already checked in: its ticket",
                   409: "outside the check-in window (reason in code and details), cancelled or another day"})
def check_in(code):
    ticket, checklist, created = bk.check_in(ctx(), actor(), code)
    if created:
        notify()
    office = ctx().office(ticket.office)
    data = tickets.ticket_public(ctx(), office, ticket)
    data.update(checklist=checklist, office_name=office.name, created=created)
    return data, 201 if created else 200


@bp.get("/bookings")
@bp.input(s.BookingListQuery, location="query", arg_name="query")
@bp.doc(tags=["bookings"], summary="The office's bookings of a day (staff; NIK masked, contact shown to staff)")
def listing(query):
    office = _office(query["office"])
    require(actor(), roles.OPERATOR, roles.PETUGAS_DISTRIBUSI, roles.KEPALA, roles.ADMIN, office=office.code)
    day = query["date"] or ctx().office_day(office)
    rows = (Booking.select().where((Booking.office == office.code) & (Booking.office_day == day))
            .order_by(Booking.slot, Booking.id))
    return {"office": office.code, "date": day, "bookings": [
        {"code": b.code, "service": b.service, "slot": b.slot, "status": b.status, "nik": mask_nik(b.nik),
         "phone": b.phone, "email": b.email, "ticket": b.ticket.number if b.ticket_id else None}
        for b in rows]}

"""``/api/v1/tickets`` and ``/counters/{id}/…``: issuing tickets and the counter actions.

Every handler authenticates through ``g.actor`` (set from the bearer token before the
request), checks the role in the operation it calls, and answers JSON; errors have the one
shape of ``client.protocol.error_body``.
"""
from __future__ import annotations

from apiflask import APIBlueprint
from flask import request

from .. import applications as apps
from .. import tickets
from ..auth import require
from ..db.models import Ticket
from ..bookings import normalise_contact
from ..errors import NotFound, Unprocessable
from . import schemas as s
from .common import STAFF_READ, actor, ctx, lang, notify

bp = APIBlueprint("tickets", __name__, url_prefix="/api/v1")


@bp.post("/tickets")
@bp.input(s.TicketIn, arg_name="body")
@bp.doc(tags=["tickets"], summary="Issue a queue number (kiosk or operator token)",
        responses={201: "ticket issued", 200: "idempotent replay", 409: "quota used up or closed"})
def issue(body):
    key = body["idempotency_key"] or request.headers.get("Idempotency-Key")
    contact = normalise_contact(body["contact"], "contact") if body["notify"] else ""
    if body["notify"] and not contact:
        raise Unprocessable("contact_required", "Isi nomor HP atau email untuk menerima pemberitahuan.",
                            "Give a phone number or an email to be notified.", {"field": "contact"})
    res = tickets.issue_ticket(ctx(), actor(), office_code=body["office"], service_code=body["service"],
                               priority=body["priority"], answers=body["answers"], idempotency_key=key,
                               contact=contact, notify=body["notify"], lang=body["lang"])
    if res.created:
        notify()
    office = ctx().office(res.ticket.office)
    data = tickets.ticket_public(ctx(), office, res.ticket)
    data["checklist"] = res.checklist
    data["office_name"] = office.name
    data["created"] = res.created
    return data, 201 if res.created else 200


@bp.post("/tickets/reprint")
@bp.input(s.TicketReprintIn, arg_name="body")
@bp.doc(tags=["tickets"], summary="Reprint today's ticket by its number (officer; audited)",
        responses={200: "the ticket to print", 404: "no such number today"})
def reprint(body):
    t, checklist = tickets.reprint_ticket(ctx(), actor(), office_code=body["office"], number=body["number"])
    office = ctx().office(t.office)
    data = tickets.ticket_public(ctx(), office, t)
    data["checklist"] = checklist
    data["office_name"] = office.name
    return data


@bp.get("/tickets/<int:ticket_id>")
@bp.doc(tags=["tickets"], summary="A ticket with its applications (staff)")
def ticket_get(ticket_id):
    t = Ticket.get_or_none(Ticket.id == ticket_id)
    if t is None:
        raise NotFound("unknown_ticket", "Nomor antrean tidak ditemukan.", "Ticket not found.")
    office = ctx().office(t.office)
    require(actor(), *STAFF_READ, office=office.code)
    return _ticket_staff_view(office, t)


def _ticket_staff_view(office, t, **kw) -> dict:
    """A ticket as staff see it: the public fields, the kiosk's answers and checklist,
    and its applications (personal data: staff answers only)."""
    data = tickets.ticket_public(ctx(), office, t, **kw)
    data["origin_service"] = t.origin_service  # the service the kiosk's answers belong to
    data["answers"] = {k: v for k, v in (t.answers or {}).items() if not k.startswith("_")}
    data["checklist"] = (t.answers or {}).get("_checklist")
    data["applications"] = [apps.application_dict(ctx(), a, lang=lang()) for a in t.applications]
    return data


def _counter_action(fn, counter_id, **kw):
    office = request.args.get("office")
    result = fn(ctx(), actor(), office_code=office, counter_code=counter_id, **kw)
    notify()
    if result is None:
        return "", 204
    # The officer's station needs the visit at once: one request per call, no re-read.
    return _ticket_staff_view(ctx().office(result.office), result, with_position=False)


@bp.post("/counters/<counter_id>/call-next")
@bp.input(s.CounterActionIn, arg_name="body")
@bp.doc(tags=["counters"], summary="Call the next number (204 when nobody waits)")
def call_next(counter_id, body):
    return _counter_action(tickets.call_next, counter_id, expected_ticket=body["ticket"])


@bp.post("/counters/<counter_id>/call")
@bp.input(s.CallNumberIn, arg_name="body")
@bp.doc(tags=["counters"], summary="Call a specific number")
def call_number(counter_id, body):
    return _counter_action(tickets.call_number, counter_id, number=body["number"])


@bp.post("/counters/<counter_id>/recall")
@bp.input(s.CounterActionIn, arg_name="body")
@bp.doc(tags=["counters"], summary="Announce the current number again")
def recall(counter_id, body):
    return _counter_action(tickets.recall, counter_id, expected_ticket=body["ticket"])


@bp.post("/counters/<counter_id>/skip")
@bp.input(s.CounterActionIn, arg_name="body")
@bp.doc(tags=["counters"], summary="Skip / no-show the current number")
def skip(counter_id, body):
    return _counter_action(tickets.skip, counter_id, expected_ticket=body["ticket"])


@bp.post("/counters/<counter_id>/transfer")
@bp.input(s.TransferIn, arg_name="body")
@bp.doc(tags=["counters"], summary="Transfer the current number to another service or step")
def transfer(counter_id, body):
    return _counter_action(tickets.transfer, counter_id, service_code=body["service"], step_code=body["step"],
                           expected_ticket=body["ticket"])


@bp.post("/counters/<counter_id>/finish")
@bp.input(s.CounterActionIn, arg_name="body")
@bp.doc(tags=["counters"], summary="Finish the current visit")
def finish(counter_id, body):
    return _counter_action(tickets.finish, counter_id, expected_ticket=body["ticket"])


@bp.post("/counters/<counter_id>/close")
@bp.doc(tags=["counters"], summary="Close the counter (finishes the current visit; displays clear it)")
def close_counter(counter_id):
    ticket = tickets.close_counter(ctx(), actor(), office_code=request.args.get("office"), counter_code=counter_id)
    notify()
    return {"closed": counter_id, "finished": ticket.number if ticket else None}


@bp.post("/counters/<counter_id>/priority")
@bp.input(s.PriorityIn, arg_name="body")
@bp.doc(tags=["counters"], summary="Confirm, change or clear the current ticket's priority category")
def confirm_priority(counter_id, body):
    return _counter_action(tickets.set_priority, counter_id, priority=body["priority"], expected_ticket=body["ticket"])



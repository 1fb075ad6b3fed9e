"""Request schemas (marshmallow via apiflask): the server validates with these and the
OpenAPI document at ``/api/v1/openapi.json`` is generated from them."""
from __future__ import annotations

from apiflask import Schema
from apiflask.fields import Boolean, Dict, Integer, List, Nested, String
from apiflask.validators import Length, OneOf, Range, Regexp

from ..domain import roles
from ..domain.office import PRIORITY_CATEGORIES


class StrictSchema(Schema):
    """Unknown fields are errors (a typo must not pass silently)."""

    class Meta:
        unknown = "raise"


class LoginIn(StrictSchema):
    username = String(required=True, validate=Length(1, 64))
    password = String(required=True, validate=Length(1, 200))


class NikIn(StrictSchema):
    nik = String(required=True, validate=Length(1, 40))
    birth_date = String(load_default=None, allow_none=True, validate=Length(0, 10),
                        metadata={"description": "birth date on the documents (YYYY-MM-DD): a mismatch is a warning"})
    sex = String(load_default=None, allow_none=True, validate=OneOf(["L", "P"]),
                 metadata={"description": "sex on the documents: a mismatch is a warning"})
    office = String(load_default=None, allow_none=True, validate=Length(1, 64))


class TicketIn(StrictSchema):
    service = String(required=True, validate=Length(1, 32))
    priority = String(load_default=None, allow_none=True, validate=OneOf(PRIORITY_CATEGORIES))
    answers = Dict(keys=String(validate=Length(1, 64)), load_default=dict)
    idempotency_key = String(load_default=None, allow_none=True, validate=Length(1, 100))
    office = String(load_default=None, allow_none=True, validate=Length(1, 64))
    contact = String(load_default="", validate=Length(0, 200), metadata={
        "description": "a mobile number (08…, +62…) or an email for 'your turn is near' and 'called' (issue 14)"})
    notify = Boolean(load_default=False, metadata={"description": "the citizen agreed to those messages"})
    lang = String(load_default="id", validate=OneOf(["id", "en"]))


class TicketReprintIn(StrictSchema):
    number = String(required=True, validate=Length(1, 16), metadata={"description": "today's number, e.g. A003"})
    office = String(load_default=None, allow_none=True, validate=Length(1, 64))


class CounterActionIn(StrictSchema):
    ticket = Integer(load_default=None, allow_none=True, metadata={"description": "expected current ticket id"})


class PriorityIn(StrictSchema):
    priority = String(required=True, allow_none=True, validate=OneOf(PRIORITY_CATEGORIES))
    ticket = Integer(load_default=None, allow_none=True)


class CallNumberIn(StrictSchema):
    number = String(required=True, validate=[Length(1, 16), Regexp(r"^[A-Za-z]{1,4}[0-9]{1,6}$")])


class TransferIn(StrictSchema):
    service = String(required=True, validate=Length(1, 32))
    step = String(load_default=None, allow_none=True, validate=Length(1, 48))
    ticket = Integer(load_default=None, allow_none=True)


class ApplicantIn(StrictSchema):
    name = String(load_default="", validate=Length(0, 200))
    nik = String(load_default="", validate=Length(0, 40))
    birth_date = String(load_default=None, allow_none=True, validate=Length(0, 10))
    phone = String(load_default="", validate=Length(0, 32))
    kecamatan_code = String(load_default="", validate=Length(0, 16))
    sex = String(load_default="", validate=Length(0, 1), metadata={
        "description": "L or P; from the NIK when empty (a different value is a warning)"})
    email = String(load_default="", validate=Length(0, 200))
    notify = Boolean(load_default=False, metadata={
        "description": "the citizen agreed to messages about this berkas (returned, ready, uncollected, survey) "
                       "at the phone (a mobile) or email"})


class ApplicationIn(StrictSchema):
    service = String(required=True, validate=Length(1, 32))
    answers = Dict(keys=String(validate=Length(1, 64)), load_default=dict)
    applicant = Nested(ApplicantIn, load_default=dict)
    pickup_office = String(load_default=None, allow_none=True, validate=Length(1, 64),
                           metadata={"description": "office code where the document is handed over (UPTD)"})
    confirm_duplicate = Boolean(load_default=False, metadata={
        "description": "the officer confirms a second open application of this service for the same NIK "
                       "(e.g. a replacement); without it that is refused with 409 duplicate_application"})


class ApplicationPatchIn(StrictSchema):
    applicant = Nested(ApplicantIn(partial=True), load_default=None, allow_none=True)
    answers = Dict(keys=String(validate=Length(1, 64)), load_default=None, allow_none=True)
    siak_reference = String(load_default=None, allow_none=True, validate=Length(0, 64))
    version = Integer(load_default=None, allow_none=True)


class VerifyIn(StrictSchema):
    present = List(String(validate=Length(1, 64)), required=True, validate=Length(0, 50))
    siak_reference = String(load_default=None, allow_none=True, validate=Length(0, 64))
    version = Integer(load_default=None, allow_none=True)


class StepCompleteIn(StrictSchema):
    outcome = String(required=True, validate=OneOf(["done", "returned"]))
    note = String(load_default="", validate=Length(0, 500))
    card_serial = String(load_default=None, allow_none=True, validate=Length(1, 64))
    ikd_activated = Boolean(load_default=None, allow_none=True)
    reason = String(load_default=None, allow_none=True, validate=Length(0, 500))
    card = Dict(keys=String(validate=Length(1, 32)), values=String(validate=Length(0, 200)), load_default=None,
                allow_none=True, metadata={"description": "KIA card fields typed at the print step (birth_place, "
                                                          "kk_number, head_of_family, birth_certificate_number, "
                                                          "religion, address): kept on the berkas and the Register"})
    version = Integer(load_default=None, allow_none=True)


class HandoverIn(StrictSchema):
    received_by = String(required=True, validate=Length(1, 200))
    relation = String(load_default="", validate=Length(0, 64))
    identity_checked = Boolean(required=True)
    version = Integer(load_default=None, allow_none=True)


class ReprintIn(StrictSchema):
    card_serial = String(required=True, validate=Length(1, 64))
    reason = String(required=True, validate=Length(1, 200))


class IkmIn(StrictSchema):
    answers = List(Integer(strict=True, validate=Range(1, 4)), required=True, validate=Length(9, 9))
    ticket_code = String(load_default=None, allow_none=True, validate=Length(1, 16))
    office = String(load_default=None, allow_none=True, validate=Length(1, 64))


class FaultIn(StrictSchema):
    kind = String(required=True, validate=OneOf(["printer", "network", "other"]))
    code = String(load_default="", validate=Length(0, 64))
    message = String(load_default="", validate=Length(0, 500))
    ticket = String(load_default=None, allow_none=True, validate=Length(0, 16))


class StaffIn(StrictSchema):
    username = String(required=True, validate=Length(1, 64))
    role = String(required=True, validate=OneOf(roles.STAFF_ROLES))
    password = String(required=True, validate=Length(8, 200))
    full_name = String(load_default="", validate=Length(0, 200))
    nip = String(load_default="", validate=Length(0, 32))
    office = String(load_default=None, allow_none=True, validate=Length(1, 64))


class DeviceIn(StrictSchema):
    role = String(required=True, validate=OneOf(roles.DEVICE_ROLES))
    name = String(required=True, validate=Length(1, 100))
    office = String(load_default=None, allow_none=True, validate=Length(1, 64))
    expires_days = Integer(load_default=None, allow_none=True, validate=Range(1, 3650),
                           metadata={"description": "days until the token ends (none: until revoked)"})


class PasswordResetIn(StrictSchema):
    password = String(required=True, validate=Length(8, 200))


class PasswordChangeIn(StrictSchema):
    old_password = String(required=True, validate=Length(1, 200))
    new_password = String(required=True, validate=Length(8, 200))


class OfficeQuery(Schema):
    office = String(load_default=None, validate=Length(1, 64))


class WorkQuery(Schema):
    office = String(load_default=None, validate=Length(1, 64))
    service = String(load_default=None, validate=Length(1, 32))


class EventsQuery(Schema):
    office = String(load_default=None, validate=Length(1, 64))
    last_id = Integer(load_default=None, validate=Range(0, 2**63 - 1))


class DayQuery(Schema):
    office = String(load_default=None, validate=Length(1, 64))
    date = String(load_default=None, validate=Regexp(r"^\d{4}-\d{2}-\d{2}$"))


class SlotsQuery(Schema):
    service = String(required=True, validate=Length(1, 32))
    date = String(load_default=None, validate=Length(1, 10),
                  metadata={"description": "YYYY-MM-DD; the first bookable day when left out"})
    office = String(load_default=None, validate=Length(1, 64))


class BookingIn(StrictSchema):
    service = String(required=True, validate=Length(1, 32))
    date = String(required=True, validate=Length(1, 10), metadata={"description": "the visit day, YYYY-MM-DD"})
    slot = String(required=True, validate=Length(1, 5), metadata={"description": "the slot's start, HH:MM"})
    nik = String(required=True, validate=Length(1, 40))
    answers = Dict(keys=String(validate=Length(1, 64)), load_default=dict)
    phone = String(load_default=None, allow_none=True, validate=Length(0, 32))
    email = String(load_default=None, allow_none=True, validate=Length(0, 200))
    notify = Boolean(load_default=False, metadata={
        "description": "the citizen agreed to a confirmation and a reminder at the phone/email"})
    lang = String(load_default="id", validate=OneOf(["id", "en"]))
    office = String(load_default=None, allow_none=True, validate=Length(1, 64))


class BookingListQuery(Schema):
    date = String(load_default=None, validate=Length(1, 10))
    office = String(load_default=None, validate=Length(1, 64))


class OnlineVerifyIn(StrictSchema):
    """The online verification (SOP 001 row 2): accept, or return with notes."""

    outcome = String(required=True, validate=OneOf(["accept", "return"]))
    present = List(String(validate=Length(1, 64)), required=True, validate=Length(0, 50),
                   metadata={"description": "requirement codes whose upload matches SIAK"})
    siak_reference = String(load_default=None, allow_none=True, validate=Length(0, 64))
    notes = String(load_default="", validate=Length(0, 1000),
                   metadata={"description": "what is missing or wrong (required to return)"})
    version = Integer(load_default=None, allow_none=True)


class BatchIn(StrictSchema):
    office = String(load_default=None, validate=Length(1, 64))
    pickup_office = String(required=True, validate=Length(1, 64))
    applications = List(Integer(), load_default=None, allow_none=True, validate=Length(1, 500),
                        metadata={"description": "only these berkas (default: all waiting for that office)"})


class BatchQuery(Schema):
    office = String(load_default=None, validate=Length(1, 64))
    pickup_office = String(load_default=None, validate=Length(1, 64))
    pending = Boolean(load_default=False)


class BatchReceiveIn(StrictSchema):
    note = String(load_default="", validate=Length(0, 500))

"""peewee models on a ``DatabaseProxy`` (SQLite file by default, any peewee URL otherwise).

Times are stored as UTC epoch seconds (float); an *office day* is the ISO date of the
office's own timezone (``"2026-11-21"``) so numbering resets at the office's local
midnight without deleting history. JSON columns hold plain dicts/lists.
"""
from __future__ import annotations

import json

from peewee import (
    AutoField,
    BlobField,
    BooleanField,
    DoubleField,
    CharField,
    CompositeKey,
    DatabaseProxy,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

db = DatabaseProxy()


class JSONField(TextField):
    """A text column holding JSON (compact, UTF-8)."""

    def db_value(self, value):
        return None if value is None else json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    def python_value(self, value):
        return None if value is None else json.loads(value)


class BaseModel(Model):
    class Meta:
        database = db
        legacy_table_names = False


class SchemaVersion(BaseModel):
    """One row: the schema version the database is at (see ``migrations``)."""

    version = IntegerField()


class Staff(BaseModel):
    """A staff account. ``office`` None = all offices (admin of the Dinas)."""

    username = CharField(unique=True, max_length=64)
    full_name = CharField(max_length=200, default="")
    nip = CharField(max_length=32, default="")
    role = CharField(max_length=32)
    office = CharField(max_length=64, null=True)
    password_hash = CharField(max_length=256)
    active = BooleanField(default=True)
    created_at = DoubleField()


class Token(BaseModel):
    """A bearer token (only its SHA-256 is stored). Staff tokens expire; device tokens don't."""

    token_hash = CharField(unique=True, max_length=64)
    kind = CharField(max_length=16)  # "staff" | "device"
    role = CharField(max_length=32)
    name = CharField(max_length=100)
    staff = ForeignKeyField(Staff, null=True, backref="tokens", on_delete="CASCADE")
    office = CharField(max_length=64, null=True)
    created_at = DoubleField()
    expires_at = DoubleField(null=True)
    revoked_at = DoubleField(null=True)


class DayCounter(BaseModel):
    """Last number issued per office, ticket prefix and office day (never reset by deletion)."""

    office = CharField(max_length=64)
    prefix = CharField(max_length=4)
    office_day = CharField(max_length=10)
    last_seq = IntegerField(default=0)

    class Meta:
        primary_key = CompositeKey("office", "prefix", "office_day")


class Ticket(BaseModel):
    """One visit: a queue number. ``service``/``step`` are where it currently queues
    (a transfer changes them, the number stays)."""

    office = CharField(max_length=64, index=True)
    office_day = CharField(max_length=10)
    prefix = CharField(max_length=4)
    seq = IntegerField()
    number = CharField(max_length=16)
    origin_service = CharField(max_length=32)
    service = CharField(max_length=32)
    step = CharField(max_length=48)
    priority = CharField(max_length=32, null=True)
    status = CharField(max_length=16)  # waiting|called|skipped|no_show|done|cancelled
    answers = JSONField(default=dict)
    public_code = CharField(max_length=16, unique=True)
    idempotency_key = CharField(max_length=100, null=True)
    issued_by = CharField(max_length=100, default="")
    issued_at = DoubleField()
    queued_at = DoubleField()
    sort_key = DoubleField()
    called_at = DoubleField(null=True)
    finished_at = DoubleField(null=True)
    counter = CharField(max_length=16, null=True)
    officer = CharField(max_length=64, null=True)
    skip_count = IntegerField(default=0)
    skip_call_index = IntegerField(null=True)
    version = IntegerField(default=0)
    #: the booking code this ticket was checked in from (the booked lane), None for a walk-in
    booking = CharField(max_length=16, null=True)
    #: where the citizen asked to be told "your turn is near"/"called" (E.164 phone or
    #: email, issue 14) and whether they agreed (``notify``); personal data, staff only
    contact = CharField(max_length=200, default="")
    notify = BooleanField(default=False)

    class Meta:
        indexes = (
            (("office", "prefix", "office_day", "seq"), True),
            (("office", "idempotency_key"), True),
            (("office", "office_day", "status", "service", "step", "priority", "sort_key"), False),
            (("office", "office_day", "status", "counter"), False),
            (("office", "office_day", "number"), False),
        )


class CallLog(BaseModel):
    """Every counter action on a ticket, in order (routing history, reports, no-show windows)."""

    office = CharField(max_length=64)
    office_day = CharField(max_length=10)
    ticket = ForeignKeyField(Ticket, backref="calls", on_delete="CASCADE")
    counter = CharField(max_length=16, null=True)
    service = CharField(max_length=32)
    step = CharField(max_length=48)
    action = CharField(max_length=16)  # call|recall|skip|no_show|transfer|finish|return
    priority = BooleanField(default=False)
    officer = CharField(max_length=64, null=True)
    at = DoubleField()

    class Meta:
        indexes = ((("office", "office_day", "service", "action"), False),
                   (("office", "counter", "office_day", "action"), False))


class Application(BaseModel):
    """A berkas: one application (KIA, KK, IKD, ...) of a visit, moving through its SOP steps."""

    office = CharField(max_length=64, index=True)
    ticket = ForeignKeyField(Ticket, backref="applications", null=True, on_delete="SET NULL")
    code = CharField(max_length=16, unique=True)  # application code for the pickup slip / status
    service = CharField(max_length=32)
    state = CharField(max_length=24)  # at_step|returned|ready_for_pickup|handed_over|cancelled
    step = CharField(max_length=48, null=True)
    step_arrived_at = DoubleField(null=True)
    step_started_at = DoubleField(null=True)
    step_officer = CharField(max_length=64, null=True)
    applicant_name = CharField(max_length=200, default="")
    nik = CharField(max_length=16, default="")
    birth_date = CharField(max_length=10, null=True)
    phone = CharField(max_length=32, default="")
    kecamatan_code = CharField(max_length=16, default="")
    #: "L" or "P" (Jenis kelamin), prefilled from the NIK and editable; "" while unknown
    sex = CharField(max_length=1, default="")
    answers = JSONField(default=dict)
    #: what the card prints that the berkas did not hold yet (tempat lahir, No. KK, nama
    #: kepala keluarga, No. akta, agama, alamat), typed at the print step and kept for
    #: the Register KIA and reprints (``applications.CARD_FIELDS``)
    card_data = JSONField(default=dict)
    documents_present = JSONField(default=list)
    missing = JSONField(default=list)
    siak_reference = CharField(max_length=64, default="")
    pickup_office = CharField(max_length=64, null=True)
    #: the citizen agreed to be messaged about this berkas (issue 14): returned, ready,
    #: uncollected, the IKM survey; ``email`` a second address besides ``phone``
    notify = BooleanField(default=False)
    email = CharField(max_length=200, default="")
    card_serial = CharField(max_length=64, default="")
    outcome_note = TextField(default="")
    created_at = DoubleField()
    created_by = CharField(max_length=64)
    finished_at = DoubleField(null=True)
    version = IntegerField(default=0)
    #: "counter" (opened at a loket) or "online" (made from home with uploads, SOP 001)
    channel = CharField(max_length=8, default="counter")
    #: an online application returned to the citizen with ``return_notes``: it waits for
    #: their new uploads at the verification step (no officer's work queue lists it)
    awaiting_citizen = BooleanField(default=False)
    return_notes = TextField(default="")
    #: the distribution batch (SOP 001 row 4) that carried the document to its pickup office
    batch = IntegerField(null=True, index=True)
    #: the parent who applied for the child (online applications: SOP 001 registrasi)
    parent_name = CharField(max_length=200, default="")
    #: the online form's submission key: a repeated submit answers the same application
    submission_key = CharField(max_length=64, null=True, unique=True)

    class Meta:
        indexes = ((("office", "state", "step"), False),)


class Upload(BaseModel):
    """One document uploaded with an online application (issue 13), checked by its
    content and stored re-encoded under a random name outside any served folder.

    ``requirement`` is the checklist code it answers (``akta_kelahiran``, ``kk``);
    ``kind`` "image" (re-encoded JPEG, EXIF gone) or "pdf"; ``size`` bytes as stored;
    ``width``/``height`` pixels (images), ``pages`` (PDFs); ``stored_name`` the file's
    name in the uploads folder ("" once deleted); ``replaced_at`` when a later upload
    for the same requirement took its place; ``deleted_at``/``delete_reason`` when the
    retention job (UU 27/2022) removed the file: the row stays as the record."""

    application = ForeignKeyField(Application, backref="uploads", on_delete="CASCADE")
    requirement = CharField(max_length=64)
    kind = CharField(max_length=8)
    content_type = CharField(max_length=64)
    size = IntegerField()
    width = IntegerField(null=True)
    height = IntegerField(null=True)
    pages = IntegerField(null=True)
    sha256 = CharField(max_length=64)
    stored_name = CharField(max_length=80, default="")
    created_at = DoubleField()
    replaced_at = DoubleField(null=True)
    deleted_at = DoubleField(null=True)
    delete_reason = CharField(max_length=64, default="")

    class Meta:
        indexes = ((("application", "requirement"), False), (("deleted_at",), False))


class DistributionBatch(BaseModel):
    """Printed documents sent together to one pickup office (SOP 001 rows 4-5: "rekap
    distribusi KIA", handed to the Kepala UPTD): who made it and when, who at the pickup
    office confirmed receipt and when (epoch seconds)."""

    office = CharField(max_length=64)
    pickup_office = CharField(max_length=64)
    code = CharField(max_length=32, unique=True)
    created_at = DoubleField()
    created_by = CharField(max_length=64)
    count = IntegerField(default=0)
    received_at = DoubleField(null=True)
    received_by = CharField(max_length=64, default="")
    note = TextField(default="")

    class Meta:
        indexes = ((("pickup_office", "received_at"), False), (("office", "created_at"), False))


class KartuKendali(BaseModel):
    """One hand-over of a berkas: step, officer, arrival/start/end times (epoch s),
    outcome, and the step's mutu baku (s) in force at the time (SOP 001 "kartu kendali")."""

    application = ForeignKeyField(Application, backref="kartu_kendali", on_delete="CASCADE")
    office = CharField(max_length=64)
    step = CharField(max_length=48)
    role = CharField(max_length=32)
    officer = CharField(max_length=64, null=True)
    arrived_at = DoubleField()
    started_at = DoubleField(null=True)
    ended_at = DoubleField(null=True)
    outcome = CharField(max_length=24, null=True)  # done|returned|handed_over|cancelled
    note = TextField(default="")
    mutu_baku_seconds = DoubleField(null=True)

    class Meta:
        indexes = ((("office", "step", "ended_at"), False),)


class Photo(BaseModel):
    """The accepted photo of an application (JPEG bytes); personal data, staff only."""

    application = ForeignKeyField(Application, backref="photos", on_delete="CASCADE")
    jpeg = BlobField()
    width = IntegerField()
    height = IntegerField()
    officer = CharField(max_length=64)
    created_at = DoubleField()


class CardPrint(BaseModel):
    """A card printed for an application; reprints carry the reason (e.g. spoiled card)."""

    application = ForeignKeyField(Application, backref="prints", on_delete="CASCADE")
    serial = CharField(max_length=64)
    reason = CharField(max_length=200, default="")
    officer = CharField(max_length=64)
    printed_at = DoubleField()


class RegisterEntry(BaseModel):
    """Register KIA (and other documents): a running number per office, service and year,
    so each register (Register KIA, register akta, ...) counts 1, 2, 3 without gaps."""

    office = CharField(max_length=64)
    service = CharField(max_length=32, default="")
    year = IntegerField()
    number = IntegerField()
    application = ForeignKeyField(Application, backref="register", on_delete="CASCADE")
    officer = CharField(max_length=64)
    registered_at = DoubleField()

    class Meta:
        indexes = ((("office", "service", "year", "number"), True),)


class Handover(BaseModel):
    """Tanda terima: who collected the document, checked by which officer, where and when."""

    application = ForeignKeyField(Application, backref="handovers", on_delete="CASCADE")
    office = CharField(max_length=64)
    received_by = CharField(max_length=200)
    relation = CharField(max_length=64, default="")
    identity_checked = BooleanField(default=False)
    officer = CharField(max_length=64)
    at = DoubleField()


class IkmResponse(BaseModel):
    """One anonymous IKM survey response (9 answers, 1..4; Permen PANRB 14/2017)."""

    office = CharField(max_length=64, index=True)
    office_day = CharField(max_length=10)
    answers = JSONField()
    ticket_code = CharField(max_length=16, null=True)
    device = CharField(max_length=100, default="")
    created_at = DoubleField()


class Event(BaseModel):
    """Durable, ordered event log; ``payload`` is public (no personal data)."""

    id = AutoField()
    office = CharField(max_length=64, index=True)
    type = CharField(max_length=48)
    payload = JSONField()
    created_at = DoubleField()


class Alert(BaseModel):
    """A wait or a step past its threshold, raised once per office day and ``key``
    (``wait:KIA``, ``step:KIA:verifikasi``); the live dashboard lists them (issue 15 §2).
    ``seconds`` is the wait or the berkas's time at the step when raised."""

    office = CharField(max_length=64)
    office_day = CharField(max_length=10)
    key = CharField(max_length=120)
    kind = CharField(max_length=16)  # wait|step
    service = CharField(max_length=32)
    step = CharField(max_length=48, default="")
    seconds = DoubleField()
    threshold_seconds = DoubleField()
    raised_at = DoubleField()

    class Meta:
        indexes = ((("office", "office_day", "key"), True),)


class AuditLog(BaseModel):
    """Who wrote what, when (every write)."""

    at = DoubleField(index=True)
    actor = CharField(max_length=100)
    role = CharField(max_length=32)
    office = CharField(max_length=64, null=True)
    action = CharField(max_length=64)
    target = CharField(max_length=100, default="")
    details = JSONField(default=dict)
    remote_addr = CharField(max_length=64, default="")


class Booking(BaseModel):
    """A booked visit (antrean online, issue 12): a service on an office day at a slot.

    ``slot`` is the slot's local start "HH:MM" and ``slot_at`` the same as UTC epoch
    seconds; ``status`` booked|checked_in|cancelled|no_show. ``active_nik`` holds the NIK
    while the booking counts (booked or checked in) and NULL otherwise, so the unique
    index allows one booking per NIK, service and day and a cancelled one can be made
    again. NIK, phone and email are personal data: staff views only, never public.
    """

    office = CharField(max_length=64)
    service = CharField(max_length=32)
    office_day = CharField(max_length=10)
    slot = CharField(max_length=5)
    slot_at = DoubleField()
    code = CharField(max_length=16, unique=True)
    status = CharField(max_length=16)
    nik = CharField(max_length=16)
    active_nik = CharField(max_length=16, null=True)
    phone = CharField(max_length=32, default="")
    email = CharField(max_length=200, default="")
    answers = JSONField(default=dict)
    created_at = DoubleField()
    remote_addr = CharField(max_length=64, default="")
    cancelled_at = DoubleField(null=True)
    checked_in_at = DoubleField(null=True)
    ticket = ForeignKeyField(Ticket, null=True, backref="bookings", on_delete="SET NULL")
    #: the citizen agreed to a confirmation and a reminder at ``phone``/``email`` (issue 14)
    notify = BooleanField(default=False)
    version = IntegerField(default=0)

    class Meta:
        indexes = ((("office", "service", "office_day", "active_nik"), True),
                   (("office", "service", "office_day", "slot", "status"), False),
                   (("office", "status", "slot_at"), False))


class Message(BaseModel):
    """One message to a citizen in the outbox (issue 14), written in the same
    transaction as the change that causes it.

    ``cause`` names that change (``ticket_near:T123``, ``card_ready:ABC23456``); with
    ``recipient`` (E.164 or email) and ``channel`` it is unique, so a cause messages a
    recipient once per channel however often its trigger runs. ``ref`` ("ticket:123",
    "application:ABC23456", "booking:K7Q2…") ties it to the record whose consent it
    rests on: withdrawing cancels every open message of the ref. ``state``:
    :data:`queue_server.domain.notify.STATES`; ``next_attempt_at``/``claimed_at``/
    ``sent_at`` are epoch seconds. ``text`` is the rendered text (personal data: the
    outbox is shown to admins only)."""

    office = CharField(max_length=64)
    cause = CharField(max_length=120)
    kind = CharField(max_length=32)
    channel = CharField(max_length=16)
    recipient = CharField(max_length=200)
    lang = CharField(max_length=2, default="id")
    text = TextField()
    params = JSONField(default=dict)
    ref = CharField(max_length=64)
    state = CharField(max_length=16)
    attempts = IntegerField(default=0)
    next_attempt_at = DoubleField()
    claimed_at = DoubleField(null=True)
    claimed_by = CharField(max_length=100, default="")
    last_error = TextField(default="")
    provider_id = CharField(max_length=200, default="")
    created_at = DoubleField()
    sent_at = DoubleField(null=True)
    sent_by = CharField(max_length=100, default="")
    version = IntegerField(default=0)

    class Meta:
        indexes = ((("cause", "recipient", "channel"), True),
                   (("state", "next_attempt_at"), False),
                   (("ref", "state"), False),
                   (("office", "state", "created_at"), False))


ALL_MODELS = [
    SchemaVersion,
    Message,
    Alert,
    Booking,
    Staff,
    Token,
    DayCounter,
    Ticket,
    CallLog,
    Application,
    Upload,
    DistributionBatch,
    KartuKendali,
    Photo,
    CardPrint,
    RegisterEntry,
    Handover,
    IkmResponse,
    Event,
    AuditLog,
]

"""Applications (berkas) and their kartu kendali (issue 2 §5).

One ticket is one visit; a visit carries one or more applications (SOP 003: a KK change
plus KIA for the children plus IKD for a parent). Each application moves through its
service's SOP steps (``domain.workflow``); every hand-over between steps closes one
``KartuKendali`` row (step, officer, arrival, start and end time, outcome, the step's
mutu baku) and opens the next, so lateness can be traced to the step where a file
waited (SOP 001 "kartu kendali"). Loket never talks to SIAK: the officer records the
SIAK reference.
"""
from __future__ import annotations

from client.protocol import CODE_ALPHABET
from printing.text import format_day

import re
import secrets
from datetime import date
from typing import Any

from .auth import require
from .context import Actor, Context, iso_local
from .db.database import write_tx
from .db.lookup import get_by
from .db.models import Application, CardPrint, Handover, KartuKendali, Photo, RegisterEntry, Ticket
from .domain import opening, priority, roles, workflow
from .domain.errors import DomainError
from .domain.nik import compare_with_documents, parse_nik
from .domain.kia import CARD_FIELDS, CardDataError, check_card_data
from .domain.office import (CHANNEL_FACT, EFFECT_CARD_PRINT, EFFECT_DISTRIBUTION, EFFECT_ONLINE_VERIFICATION, EFFECT_HANDOVER, EFFECT_IKD_ACTIVATION, EFFECT_PHOTO,
                            EFFECT_REGISTER, EFFECT_SIGNATURE, Office, Service, Step)
from .domain.requirements import build_checklist
from .errors import Conflict, NotFound, Unprocessable
from .events import record
from .tickets import audit

PHONE_RE = re.compile(r"^\+?[0-9][0-9 \-]{6,18}$")
MAX_PHOTO_BYTES = 2 * 1024 * 1024

#: Which roles may read personal data of an application.
READ_ROLES = (roles.OPERATOR, roles.VERIFIKATOR, roles.PEJABAT_TTE, roles.PETUGAS_CETAK,
              roles.PETUGAS_DISTRIBUSI, roles.KEPALA)

#: Indonesian / English phrases for the public status of an application at a back-office
#: step, by the step's effect; other steps are named by their own name.
EFFECT_STATUS = {
    EFFECT_CARD_PRINT: ("sedang dicetak", "being printed"),
    EFFECT_REGISTER: ("sedang diregister", "being registered"),
}


def _step_status(service: Service, step_code: str | None) -> tuple[str, str]:
    """(Indonesian, English) public phrase for a berkas waiting at ``step_code``."""
    try:
        st = service.step(step_code or "")
    except KeyError:
        return ("sedang diproses", "in progress")
    if st.effect in EFFECT_STATUS:
        return EFFECT_STATUS[st.effect]
    if st.presence == "counter":  # e.g. the photo: the citizen is needed at the counter
        return (f"menunggu Anda di loket: {st.name.get('id')}", f"waiting for you at the counter: {st.name.get('en')}")
    return (f"sedang diproses: {st.name.get('id')}", f"in progress: {st.name.get('en')}")


def new_application_code() -> str:
    """Application / pickup code: 6 characters without look-alikes (e.g. ``HRX9XR``),
    31^6 ≈ 887 million values; unique in the database."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))


def _service(office: Office, code: str) -> Service:
    try:
        return office.service(code)
    except KeyError:
        raise NotFound("unknown_service", f"Layanan '{code}' tidak dikenal.", f"Unknown service '{code}'.") from None


def get_application(app_id: int) -> Application:
    app = Application.get_or_none(Application.id == app_id)
    if app is None:
        raise NotFound("unknown_application", "Berkas tidak ditemukan.", "Application not found.", {"id": app_id})
    return app


def _facts(service: Service, app: Application, on: date) -> dict:
    """The berkas's facts for the workflow (variant, age ...). Judged like a partial
    answer: eligibility was decided when the berkas was opened, and a question the
    office file added since (e.g. a conditional one) never strands a berkas in process."""
    facts = dict(build_checklist(service, _answers(service, app), on, partial=True).facts)
    facts[CHANNEL_FACT] = app.channel or "counter"  # online applications take their own first steps
    return facts


def filed_on(ctx: Context, office: Office, app: Application) -> date:
    """The application date (the office's local date the berkas was opened): the date
    its facts are taken on for as long as it runs, so a child filed at 4 who turns 5
    while the berkas is in process keeps variant 1 (no photo was asked), and a child
    filed at 16 gets a card valid until the day before the 17th birthday
    (Permendagri 2/2016: age on the application date)."""
    return ctx.local(office, app.created_at).date()


def _answers(service: Service, app: Application) -> dict:
    answers = {k: v for k, v in (app.answers or {}).items() if not k.startswith("_")}
    if app.birth_date and any(q.key == "birth_date" for q in service.questions):
        answers.setdefault("birth_date", app.birth_date)
    return answers


def nik_check(office: Office, nik: str, *, birth_date: str | None = None, sex: str | None = None,
              today: date) -> dict:
    """The NIK as the officer needs it (issue 11 item 7): ``parse_nik`` with the office's
    kecamatan as the known regions (``nik_region_unknown``), ``lansia`` (60 or older by
    the NIK's birth date, UU 13/1998 Pasal 1(2)), plus the comparison with the
    documents' birth date and sex (``nik_birth_date_mismatch``, ``nik_sex_mismatch``) as
    **warnings**, never a rejection (Permendagri 108/2019 Pasal 15(3): a NIK is not
    changed when data are corrected). A malformed document date is left out."""
    regions = {k.code for k in office.kecamatan} or None
    info = parse_nik(nik, today=today, known_regions=regions)
    out = info.as_dict()
    # 60 or older by the NIK's birth date: a lansia, served as a priority (UU 13/1998)
    out["lansia"] = bool(info.valid and info.birth_date and priority.is_lansia(info.birth_date, today))
    if info.valid:
        try:
            extra = compare_with_documents(info, sex=sex or None, birth_date=birth_date or None)
        except DomainError:
            extra = ()
        out["warnings"] = list(out.get("warnings") or []) + [w.as_dict() for w in extra]
    return out


def _validate_applicant(office: Office, applicant: dict, on: date) -> dict:
    """Normalise applicant fields; returns them with NIK findings. Raises Unprocessable."""
    out: dict[str, Any] = {}
    name = (applicant.get("name") or "").strip()
    if len(name) > 200:
        raise Unprocessable("invalid_name", "Nama: terlalu panjang (maks. 200 karakter).", "Name: too long (max 200).",
                            {"field": "applicant.name"})
    out["applicant_name"] = name
    nik_info = None
    nik = (applicant.get("nik") or "").strip()
    if nik:
        nik_info = parse_nik(nik, today=on)
        if not nik_info.valid:
            first = nik_info.errors[0]
            raise Unprocessable("invalid_nik", f"NIK: {first.message}", f"NIK: {first.message_en or first.message}",
                                {**nik_info.as_dict(), "field": "applicant.nik"})
        out["nik"] = nik_info.nik
    sex = str(applicant.get("sex") or "").strip().upper()
    if sex and sex not in ("L", "P"):
        raise Unprocessable("invalid_sex", "Jenis kelamin: pilih L (laki-laki) atau P (perempuan).",
                            "Sex: choose L (male) or P (female).", {"field": "applicant.sex"})
    # prefilled from the NIK (day of birth + 40 for women) when the officer did not set it;
    # a typed value that differs stays, and is a warning (nik_check), never a rejection
    out["sex"] = sex or (nik_info.sex if nik_info is not None and nik_info.sex else "")
    bd = applicant.get("birth_date")
    if bd:
        try:
            out["birth_date"] = date.fromisoformat(str(bd)).isoformat()
        except ValueError:
            raise Unprocessable("invalid_birth_date", "Tanggal lahir: harus berformat YYYY-MM-DD.",
                                "Birth date: must be YYYY-MM-DD.", {"field": "applicant.birth_date"}) from None
    phone = (applicant.get("phone") or "").strip()
    if phone and not PHONE_RE.match(phone):
        raise Unprocessable("invalid_phone", "No. HP: bukan nomor telepon Indonesia (mis. 081234567890).",
                            "Phone: not an Indonesian phone number (e.g. 081234567890).", {"field": "applicant.phone"})
    out["phone"] = phone
    kec = (applicant.get("kecamatan_code") or "").strip()
    if kec and office.kecamatan and kec not in {k.code for k in office.kecamatan}:
        raise Unprocessable("unknown_kecamatan", "Kecamatan: tidak termasuk wilayah kantor ini.",
                            "Kecamatan: not served by this office.", {"kecamatan_code": kec,
                                                                       "field": "applicant.kecamatan_code"})
    out["kecamatan_code"] = kec
    from .bookings import _email, normalise_phone
    try:
        out["email"] = _email(applicant.get("email"))
    except Unprocessable as e:
        e.details["field"] = "applicant.email"
        raise
    out["notify"] = bool(applicant.get("notify"))
    if out["notify"]:
        # consent to messages (issue 14): a number they can reach (a mobile, E.164) or an email
        try:
            mobile = normalise_phone(phone) if phone else ""
        except Unprocessable as e:
            e.details["field"] = "applicant.phone"
            raise
        if not (mobile or out["email"]):
            raise Unprocessable("contact_required", "Isi No. HP atau email pemohon untuk mengirim pemberitahuan.",
                                "Give the applicant's mobile number or email to send notices.",
                                {"field": "applicant.phone"})
    return out


def _open_step(office: Office, service: Service, app: Application, step_code: str, now: float,
               *, started_by: str | None = None) -> None:
    step = service.step(step_code)
    app.step = step_code
    app.step_arrived_at = now
    app.step_started_at = now if started_by else None
    app.step_officer = started_by
    KartuKendali.create(application=app, office=office.code, step=step_code, role=step.role, officer=started_by,
                        arrived_at=now, started_at=now if started_by else None,
                        mutu_baku_seconds=step.mutu_baku_seconds)


def _close_step(app: Application, officer: str, outcome: str, note: str, now: float) -> None:
    kk = (KartuKendali.select().where((KartuKendali.application == app) & (KartuKendali.step == app.step) &
                                      (KartuKendali.ended_at.is_null()))
          .order_by(KartuKendali.id.desc()).first())
    if kk is None:  # defensive: a step always has an open row
        kk = KartuKendali.create(application=app, office=app.office, step=app.step, role="", arrived_at=now)
    kk.officer = officer
    kk.started_at = kk.started_at or now
    kk.ended_at = now
    kk.outcome = outcome
    kk.note = note
    kk.save()


def _save(app: Application, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != app.version:
        raise Conflict("application_changed", "Berkas ini sudah diubah petugas lain. Muat ulang.",
                       "This application was changed by another officer. Reload.", {"version": app.version})
    data = {f.name: getattr(app, f.name) for f in Application._meta.sorted_fields if f.name not in ("id", "version")}
    data["version"] = app.version + 1
    n = Application.update(**data).where((Application.id == app.id) & (Application.version == app.version)).execute()
    if n != 1:
        raise Conflict("application_changed", "Berkas ini baru saja ditangani petugas lain.",
                       "Another officer just acted on this application.")
    app.version += 1


def create_application(ctx: Context, actor: Actor, *, ticket_id: int, service_code: str,
                       answers: dict | None, applicant: dict | None, pickup_office: str | None = None,
                       confirm_duplicate: bool = False) -> Application:
    """Open a berkas for a visit at its first step (started by this officer).

    ``pickup_office`` is where the document will be handed over: this office (default)
    or one of its ``pickup_offices`` (a UPTD/kecamatan, SOP 001 and 004).

    Raises ``NotFound`` (ticket/service), ``Unprocessable`` (answers, NIK, phone, ...),
    ``Conflict`` when the ticket is not being served, or ``duplicate_application`` when
    the same NIK already has an open berkas of this service (details ``existing``: its
    code) and the officer did not confirm (``confirm_duplicate``, e.g. a replacement);
    a confirmed duplicate is audited with the berkas it repeats.
    """
    ticket = Ticket.get_or_none(Ticket.id == ticket_id)
    if ticket is None:
        raise NotFound("unknown_ticket", "Nomor antrean tidak ditemukan.", "Ticket not found.", {"id": ticket_id})
    office = ctx.office(ticket.office)
    require(actor, roles.OPERATOR, office=office.code)
    if ticket.status != "called":
        raise Conflict("ticket_not_served",
                       f"Nomor {ticket.number} tidak sedang dilayani; panggil nomornya dulu.",
                       f"Number {ticket.number} is not being served; call it first.",
                       {"field": "ticket", "status": ticket.status})
    service = _service(office, service_code)
    today = ctx.today(office)
    fields = _validate_applicant(office, applicant or {}, today)
    asked = {q.key for q in service.questions}
    merged = {k: v for k, v in (answers or {}).items() if k in asked}  # nothing the service does not ask is kept
    if ticket.origin_service == service.code and len([a for a in ticket.applications]) == 0:
        for k, v in (ticket.answers or {}).items():
            if not k.startswith("_"):
                merged.setdefault(k, v)
    if fields.get("birth_date") and any(q.key == "birth_date" for q in service.questions):
        merged.setdefault("birth_date", fields["birth_date"])
    checklist = build_checklist(service, merged, today)
    if not checklist.eligible:
        raise Unprocessable("not_eligible", "Pemohon belum memenuhi syarat layanan ini.",
                            "The applicant is not eligible for this service.",
                            {"reasons": [i.as_dict() for i in checklist.ineligible]})
    first = workflow.first_step(service, checklist.facts)
    if pickup_office and pickup_office != office.code and pickup_office not in office.pickup_offices:
        raise Unprocessable("invalid_pickup_office", "Tempat pengambilan tidak dikenal untuk kantor ini.",
                            "Unknown pickup office for this office.", {"allowed": [office.code, *office.pickup_offices]})
    now = ctx.now()
    stored = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in merged.items()}
    with write_tx():
        twin = None
        if fields.get("nik"):
            twin = (Application.select(Application.code, Application.step)
                    .where((Application.service == service.code) & (Application.nik == fields["nik"]) &
                           (Application.state.in_([workflow.AT_STEP, workflow.READY]))).first())
        if twin is not None and not confirm_duplicate:
            raise Conflict("duplicate_application",
                           f"NIK ini sudah punya berkas {service.name.id} yang masih berjalan: {twin.code}. "
                           f"Buat lagi hanya bila memang permohonan baru (mis. penggantian) dan konfirmasi.",
                           f"This NIK already has an open {service.name.get('en')} application: {twin.code}. "
                           f"Create another only for a new request (e.g. a replacement) and confirm it.",
                           {"field": "applicant.nik", "existing": twin.code, "step": twin.step})
        code = new_application_code()
        while Application.select().where(Application.code == code).exists():  # a collision: draw again
            code = new_application_code()
        app = Application.create(office=office.code, ticket=ticket, code=code,
                                 service=service.code, state=workflow.AT_STEP, answers=stored,
                                 created_at=now, created_by=actor.name, pickup_office=pickup_office or office.code,
                                 **fields)
        _open_step(office, service, app, first.code, now, started_by=actor.name)
        app.save()
        if ticket.priority is None and fields.get("nik") and priority.lansia_from_nik(fields["nik"], today):
            # lansia derived from the NIK when the citizen did not declare it at the kiosk
            # (UU 13/1998 Pasal 1(2): 60 or older): the visit's next queues serve it first
            Ticket.update(priority="lansia", version=Ticket.version + 1).where(Ticket.id == ticket.id).execute()
            audit(actor, "ticket.priority_from_nik", office=office.code, target=ticket.number,
                  details={"priority": "lansia", "application": code}, at=now)
        record(office.code, "application.created", {"application": app.id, "service": service.code,
                                                     "step": first.code}, now)
        details = {"service": service.code, "ticket": ticket.number}
        if twin is not None:
            details["duplicate_of"] = twin.code  # confirmed by the officer
        audit(actor, "application.create", office=office.code, target=app.code, details=details, at=now)
    return app


def update_applicant(ctx: Context, actor: Actor, app_id: int, *, applicant: dict | None, answers: dict | None,
                     siak_reference: str | None, expected_version: int | None) -> Application:
    """Correct the applicant's data, answers or SIAK reference while the berkas is open."""
    app = get_application(app_id)
    office = ctx.office(app.office)
    require(actor, roles.OPERATOR, office=office.code)
    if app.state != workflow.AT_STEP:
        raise Conflict("application_closed", "Berkas sudah selesai atau dikembalikan.", "The application is closed.")
    service = _service(office, app.service)
    now = ctx.now()
    before = _audited_fields(app)
    if applicant or answers:
        _refuse_if_signed(ctx, office, service, app)
    if applicant:
        current = {"name": app.applicant_name, "nik": app.nik, "birth_date": app.birth_date, "phone": app.phone,
                   "kecamatan_code": app.kecamatan_code, "sex": app.sex, "email": app.email, "notify": app.notify}
        current.update({k: v for k, v in applicant.items() if v is not None})
        for k, v in _validate_applicant(office, current, ctx.today(office)).items():
            setattr(app, k, v)
    if answers:
        merged = {**(app.answers or {}), **answers}
        build_checklist(service, {k: v for k, v in merged.items() if not k.startswith("_")},
                        filed_on(ctx, office, app))
        app.answers = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in merged.items()}
    if siak_reference is not None:
        ref = siak_reference.strip()
        if len(ref) > 64:
            raise Unprocessable("invalid_siak_reference", "Nomor referensi SIAK terlalu panjang.", "SIAK reference too long.")
        app.siak_reference = ref
    changes = _changes(before, _audited_fields(app))
    with write_tx():
        withdrawn = before.get("notify") and not app.notify
        _save(app, expected_version)
        audit(actor, "application.update", office=office.code, target=app.code, details={"changes": changes}, at=now)
        if withdrawn:  # the citizen withdrew consent at the counter: nothing pending goes out
            from .notify import outbox
            outbox.cancel_for(f"application:{app.code}", now=now, actor=actor.name, role=actor.role,
                              office=office.code)
    return app


def mask_nik(nik: str) -> str:
    """A NIK for logs: region (4 digits) and the last 4 kept, the birth date hidden
    (``"6401********0002"``); "" stays "" (UU 27/2022: no more personal data than needed)."""
    nik = nik or ""
    return nik if len(nik) < 9 else nik[:4] + "*" * (len(nik) - 8) + nik[-4:]


def _audited_fields(app: Application) -> dict:
    return {"name": app.applicant_name, "nik": app.nik, "sex": app.sex, "birth_date": app.birth_date,
            "phone": app.phone, "kecamatan_code": app.kecamatan_code, "pickup_office": app.pickup_office,
            "siak_reference": app.siak_reference, "email": app.email, "notify": app.notify,
            **{f"answers.{k}": v for k, v in (app.answers or {}).items() if not k.startswith("_")}}


def _changes(before: dict, after: dict) -> dict:
    """``{field: [old, new]}`` of what changed, the NIK masked (:func:`mask_nik`)."""
    out = {}
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old != new:
            out[key] = [mask_nik(old), mask_nik(new)] if key == "nik" else [old, new]
    return out


def signed(ctx: Context, office: Office, service: Service, app: Application) -> bool:
    """True once the berkas has passed its TTE step (the step whose effect is ``tte``):
    from then on the applicant's data, answers and photo are frozen, since the signed
    document carries them (issue 11 item 13). A berkas sent back to the TTE step or
    before it is not signed any more."""
    facts = _facts(service, app, filed_on(ctx, office, app))
    steps = [st.code for st in workflow.applicable_steps(service, facts)]
    tte = [i for i, st in enumerate(workflow.applicable_steps(service, facts)) if st.effect == EFFECT_SIGNATURE]
    if not tte:
        return False
    if app.step in steps:
        return steps.index(app.step) > tte[0]
    return app.state in (workflow.READY, workflow.HANDED_OVER)


def _refuse_if_signed(ctx: Context, office: Office, service: Service, app: Application) -> None:
    if signed(ctx, office, service, app):
        raise Conflict("signed_frozen",
                       "Data berkas sudah ditandatangani (TTE) dan tidak bisa diubah. Untuk koreksi, kembalikan "
                       "berkas ke langkah TTE dengan alasannya.",
                       "The berkas is signed (TTE): its data cannot change. To correct it, send it back to the "
                       "TTE step with the reason.", {"step": app.step})


def verify_documents(ctx: Context, actor: Actor, app_id: int, *, present: list[str], siak_reference: str | None,
                     expected_version: int | None) -> Application:
    """The first counter step: record which required documents were present. A complete
    berkas goes to the next SOP step; an incomplete one is returned to the citizen with
    the list of what is missing (``app.missing``) for the rejection slip.

    Only from the berkas's first step (issue 11 item 13: ``verify`` advanced from any
    step, so one operator could walk a file through verifikasi, TTE, cetak and
    register): ``Conflict`` ``not_at_first_step`` otherwise."""
    app = get_application(app_id)
    office = ctx.office(app.office)
    require(actor, roles.OPERATOR, office=office.code)
    service = _service(office, app.service)
    if app.state != workflow.AT_STEP:
        raise Conflict("application_closed", "Berkas sudah selesai atau dikembalikan.", "The application is closed.")
    first = workflow.first_step(service, _facts(service, app, filed_on(ctx, office, app)))
    if app.step != first.code:
        raise Conflict("not_at_first_step",
                       f"Berkas {app.code} sudah melewati pemeriksaan berkas; sekarang di langkah "
                       f"{service.step(app.step).name.id}.",
                       f"Application {app.code} is past the document check; it is now at "
                       f"{service.step(app.step).name.get('en')}.", {"step": app.step, "first_step": first.code})
    checklist = build_checklist(service, _answers(service, app), filed_on(ctx, office, app))
    required = [i.code for i in checklist.items]
    unknown = sorted(set(present) - set(required))
    if unknown:
        raise Unprocessable("unknown_document", "Ada dokumen yang bukan persyaratan kasus ini.",
                            "Some documents are not requirements of this case.", {"unknown": unknown})
    missing = [i for i in checklist.items if i.code not in set(present)]
    now = ctx.now()
    app.documents_present = sorted(set(present))
    app.missing = [{"code": i.code, "label": i.label} for i in missing]
    if siak_reference is not None:
        app.siak_reference = siak_reference.strip()[:64]
    with write_tx():
        if missing:
            _close_step(app, actor.name, "returned", "Tidak lengkap: " + "; ".join(i.label for i in missing), now)
            app.state = workflow.RETURNED
            app.step = app.step
            app.finished_at = now
            _save(app, expected_version)
            record(office.code, "application.returned", {"application": app.id, "service": app.service}, now)
            audit(actor, "application.return", office=office.code, target=app.code,
                  details={"missing": [i.code for i in missing]}, at=now)
            _notify(ctx, office, app, now)
        else:
            _advance(ctx, office, service, app, actor, "done", "Berkas lengkap", now)
            _save(app, expected_version)
            audit(actor, "application.verify", office=office.code, target=app.code,
                  details={"present": app.documents_present}, at=now)
    return app


def _advance(ctx: Context, office: Office, service: Service, app: Application, actor: Actor, outcome: str,
             note: str, now: float) -> None:
    facts = _facts(service, app, filed_on(ctx, office, app))
    tr = workflow.advance(service, facts, app.step, outcome)
    _close_step(app, actor.name, outcome, note, now)
    previous = app.step
    app.state = tr.state
    if tr.step_code:
        _open_step(office, service, app, tr.step_code, now)
        if tr.state == workflow.READY and not app.pickup_office:
            app.pickup_office = office.code
    else:
        # the berkas has left its last step: no work queue lists it, no step accepts it again
        app.step = None
        app.step_arrived_at = app.step_started_at = app.step_officer = None
        app.finished_at = now
    record(office.code, "application.step_finished",
           {"application": app.id, "service": app.service, "step": previous, "outcome": outcome,
            "next_step": tr.step_code, "state": tr.state}, now)
    _notify(ctx, office, app, now)


def _notify(ctx: Context, office: Office, app: Application, now: float) -> None:
    """The citizen's message about this move, if they consented (issue 14)."""
    if app.notify and office.notifications.enabled:
        if app.state == workflow.READY and _batch_pending(app):
            return  # "ready at the UPTD" is sent when the UPTD confirms the batch arrived
        from .notify import triggers
        triggers.application_changed(ctx, office, app, now)


def complete_step(ctx: Context, actor: Actor, app_id: int, *, step: str, outcome: str, note: str = "",
                  data: dict | None = None, expected_version: int | None = None) -> Application:
    """Finish the application's current ``step`` with ``outcome`` ("done" or "returned").

    The actor needs the step's role. What the step does besides moving on follows its
    effect (``domain.office.EFFECTS``), never its code: ``card_print`` needs
    ``card_serial`` (a ``CardPrint``); ``register`` adds the next Register number of the
    office and year; ``ikd_activation`` needs ``ikd_activated`` (bool) and a ``reason``
    when not activated; ``photo`` needs the stored photo; ``handover`` is completed only
    by :func:`handover`. Raises ``Conflict`` when the application is not at ``step``
    (someone else acted), ``Unprocessable`` when the step's data are missing.
    """
    app = get_application(app_id)
    office = ctx.office(app.office)
    service = _service(office, app.service)
    data = dict(data or {})
    try:
        st = service.step(step)
    except KeyError:
        raise NotFound("unknown_step", f"Langkah '{step}' tidak ada di layanan {service.code}.",
                       f"Step '{step}' is not part of {service.code}.") from None
    require(actor, st.role, office=office.code)
    _refuse_admin_signature(office, st, actor)
    # A KK is archived after it was handed over (SOP 003 row 12): a step may follow the hand-over.
    if app.state not in (workflow.AT_STEP, workflow.HANDED_OVER) or app.step != step:
        raise Conflict("not_at_step", f"Berkas tidak sedang di langkah '{step}' (sekarang: {app.step}, {app.state}).",
                       f"The application is not at step '{step}' (now: {app.step}, {app.state}).",
                       {"step": app.step, "state": app.state})
    if outcome not in ("done", "returned"):
        raise Unprocessable("invalid_outcome", "Hasil harus 'done' atau 'returned'.", "Outcome must be 'done' or 'returned'.")
    if outcome == "returned" and not note.strip():
        raise Unprocessable("reason_required", "Alasan pengembalian wajib diisi.", "A reason is required to return a file.")
    now = ctx.now()
    if st.effect in (EFFECT_DISTRIBUTION, EFFECT_ONLINE_VERIFICATION):
        _apply_effect(ctx, office, st, app, actor, data, now)  # refuses: these steps have their own operation
    with write_tx():
        if outcome == "done":
            note = _apply_effect(ctx, office, st, app, actor, data, now) or note
        _advance(ctx, office, service, app, actor, outcome, note.strip(), now)
        _save(app, expected_version)
        audit(actor, f"application.{step}.{outcome}", office=office.code, target=app.code,
              details={k: v for k, v in data.items() if k in ("card_serial", "ikd_activated")}, at=now)
    return app


def _refuse_admin_signature(office: Office, st: Step, actor: Actor) -> None:
    """The TTE (effect ``tte``) is the pejabat TTE's own signature: an admin account may
    not give it unless the office file says ``admin_may_sign = true``."""
    if st.effect == EFFECT_SIGNATURE and actor.role == roles.ADMIN and not office.admin_may_sign:
        from .auth import Forbidden
        raise Forbidden("signature_not_admin", "TTE hanya oleh pejabat TTE, bukan akun admin.",
                        "The TTE is given by the signing official, not by an admin account.",
                        {"role": actor.role, "allowed": [st.role]})


def _apply_effect(ctx: Context, office: Office, st: Step, app: Application, actor: Actor, data: dict,
                  now: float) -> str:
    """Do what ``st``'s effect does when the step is done (inside the caller's
    transaction); returns a note for the kartu kendali ("" for none). Raises
    ``Unprocessable`` when the effect's data are missing, ``Conflict`` for a hand-over step."""
    if st.effect == EFFECT_CARD_PRINT:
        serial = str(data.get("card_serial") or "").strip()
        if not serial:
            raise Unprocessable("card_serial_required", "Nomor seri blangko wajib diisi.", "Card serial required.",
                                {"field": "card_serial"})
        service = office.service(app.service)
        if service.rules == "kia":
            # what the card prints beyond the berkas, kept for the Register KIA and reprints
            try:
                app.card_data = check_card_data(data.get("card") or {})
            except CardDataError as e:
                raise Unprocessable("invalid_card_data", e.message, e.message_en, {"field": f"card.{e.field}"}) from None
            if not app.sex:
                raise Unprocessable("sex_required", "Jenis kelamin anak belum diisi pada berkas.",
                                    "The child's sex is not set on the berkas.", {"field": "applicant.sex"})
        CardPrint.create(application=app, serial=serial[:64], officer=actor.name, printed_at=now)
        app.card_serial = serial[:64]
    elif st.effect == EFFECT_REGISTER:
        # one register per document kind (Register KIA, register akta, ...): its "No"
        # counts 1, 2, 3 with no gap left by another service's entries (issue 11 item 10)
        year = ctx.local(office, now).year
        last = (RegisterEntry.select(RegisterEntry.number).where(
            (RegisterEntry.office == office.code) & (RegisterEntry.service == app.service) &
            (RegisterEntry.year == year))
            .order_by(RegisterEntry.number.desc()).scalar()) or 0
        RegisterEntry.create(office=office.code, service=app.service, year=year, number=last + 1, application=app,
                             officer=actor.name, registered_at=now)
    elif st.effect == EFFECT_IKD_ACTIVATION:
        if "ikd_activated" not in data:
            raise Unprocessable("ikd_activated_required", "Hasil aktivasi IKD wajib diisi.",
                                "The IKD activation outcome is required.", {"field": "ikd_activated"})
        activated = bool(data["ikd_activated"])
        reason = str(data.get("reason") or "").strip()
        if not activated and not reason:
            raise Unprocessable("reason_required", "Alasan IKD belum teraktivasi wajib diisi.",
                                "A reason is required when IKD was not activated.", {"field": "reason"})
        app.outcome_note = "IKD teraktivasi" if activated else f"IKD tidak teraktivasi: {reason}"
        return app.outcome_note
    elif st.effect == EFFECT_PHOTO:
        if not Photo.select().where(Photo.application == app).exists():
            raise Unprocessable("photo_required", "Foto anak belum disimpan.", "The child's photo is not stored yet.",
                                {"field": "photo"})
    elif st.effect == EFFECT_DISTRIBUTION:
        raise Conflict("use_distribution_batch", "Dokumen dikirim per kantor pengambilan dalam satu kiriman.",
                       "Documents are sent per pickup office in a batch (POST /distribution-batches).")
    elif st.effect == EFFECT_ONLINE_VERIFICATION:
        raise Conflict("use_online_verification", "Permohonan online diterima atau dikembalikan dengan catatan.",
                       "An online application is accepted or returned with notes "
                       "(POST /applications/{id}/online-verification).")
    elif st.effect == EFFECT_HANDOVER:
        raise Conflict("use_handover", "Penyerahan dicatat dengan tanda terima (serah terima dokumen).",
                       "A hand-over is recorded with its receipt (POST /applications/{id}/handover).")
    return ""


def start_step(ctx: Context, actor: Actor, app_id: int, *, step: str) -> Application:
    """An officer takes a berkas from a work queue (records the start time)."""
    app = get_application(app_id)
    office = ctx.office(app.office)
    service = _service(office, app.service)
    try:
        st = service.step(step)
    except KeyError:
        raise NotFound("unknown_step", f"Langkah '{step}' tidak ada di layanan {service.code}.",
                       f"Step '{step}' is not part of {service.code}.") from None
    require(actor, st.role, office=office.code)
    _refuse_admin_signature(office, st, actor)
    if app.state not in (workflow.AT_STEP, workflow.HANDED_OVER) or app.step != step:
        raise Conflict("not_at_step", "Berkas tidak sedang di langkah ini.", "The application is not at this step.",
                       {"step": app.step})
    if app.step_started_at is not None and app.step_officer != actor.name:
        raise Conflict("already_taken", f"Berkas sudah diambil oleh {app.step_officer}.",
                       f"Already taken by {app.step_officer}.", {"officer": app.step_officer})
    now = ctx.now()
    with write_tx():
        app.step_started_at = app.step_started_at or now
        app.step_officer = actor.name
        KartuKendali.update(started_at=now, officer=actor.name).where(
            (KartuKendali.application == app) & (KartuKendali.step == step) & (KartuKendali.ended_at.is_null()) &
            (KartuKendali.started_at.is_null())).execute()
        _save(app, None)
        audit(actor, f"application.{step}.start", office=office.code, target=app.code, at=now)
    return app


def handover_roles(ctx: Context, office: Office) -> tuple[str, ...]:
    """The roles that hand documents over at ``office``: the ``role`` of every step with
    the ``handover`` effect in its services and in those of the offices that name it a
    pickup office. The office file decides (SOP 000, 002, 004: the petugas pelayanan, an
    ``operator``; SOP 003: the loket distribusi, ``petugas_distribusi``)."""
    homes = [office] + [o for o in ctx.offices.values() if office.code in o.pickup_offices]
    found = {st.role for o in homes for sv in o.services for st in sv.steps if st.effect == EFFECT_HANDOVER}
    return tuple(sorted(found)) or (roles.PETUGAS_DISTRIBUSI,)


def handover(ctx: Context, actor: Actor, app_id: int, *, received_by: str, relation: str, identity_checked: bool,
             expected_version: int | None = None) -> Application:
    """Hand the finished document over (tanda terima) and close the berkas. The actor
    needs the role of the berkas's hand-over step, as its office file names it, at the
    pickup office. Raises ``Forbidden``, ``Conflict`` (``not_ready``), ``Unprocessable``."""
    app = get_application(app_id)
    office = ctx.office(app.pickup_office or app.office)
    home_service = _service(ctx.office(app.office), app.service)
    step = next((st for st in home_service.steps if st.code == app.step), None)
    require(actor, step.role if step is not None else roles.PETUGAS_DISTRIBUSI, office=office.code)
    if app.state != workflow.READY:
        raise Conflict("not_ready", "Dokumen belum siap diambil atau sudah diserahkan.",
                       "The document is not ready or was already handed over.", {"state": app.state})
    from .online import refuse_unreceived
    refuse_unreceived(app)  # a card sent to a UPTD is handed over once the UPTD confirmed it arrived
    home = ctx.office(app.office)
    service = _service(home, app.service)
    received_by = (received_by or "").strip()
    if not received_by or len(received_by) > 200:
        raise Unprocessable("received_by_required", "Nama penerima wajib diisi.", "The receiver's name is required.")
    if not identity_checked:
        raise Unprocessable("identity_not_checked", "Identitas pengambil harus diperiksa sebelum diserahkan.",
                            "The collector's identity must be checked before hand-over.")
    now = ctx.now()
    with write_tx():
        Handover.create(application=app, office=office.code, received_by=received_by, relation=(relation or "")[:64],
                        identity_checked=True, officer=actor.name, at=now)
        _advance(ctx, home, service, app, actor, "done", f"Diserahkan kepada {received_by}", now)
        _save(app, expected_version)
        audit(actor, "application.handover", office=office.code, target=app.code,
              details={"relation": relation}, at=now)
    return app


def store_photo(ctx: Context, actor: Actor, app_id: int, jpeg: bytes) -> Photo:
    """Store the accepted photo (JPEG, ≤ 2 MiB) with the application."""
    app = get_application(app_id)
    office = ctx.office(app.office)
    require(actor, roles.OPERATOR, office=office.code)
    if app.state in workflow.FINAL_STATES:  # handed over, returned or cancelled: the record stays as it was
        raise Conflict("application_closed", "Berkas sudah selesai; fotonya tidak bisa diganti.",
                       "The application is closed; its photo cannot be replaced.", {"state": app.state})
    _refuse_if_signed(ctx, office, _service(office, app.service), app)
    if not jpeg or len(jpeg) > MAX_PHOTO_BYTES:
        raise Unprocessable("invalid_photo", "Foto kosong atau terlalu besar (maks. 2 MB).", "Photo empty or too large.")
    try:
        from PIL import Image
        import io
        with Image.open(io.BytesIO(jpeg)) as im:
            if im.format != "JPEG":
                raise ValueError(im.format)
            width, height = im.size
    except Exception:
        raise Unprocessable("invalid_photo", "Berkas foto bukan JPEG yang sah.", "The photo is not a valid JPEG.") from None
    now = ctx.now()
    with write_tx():
        Photo.delete().where(Photo.application == app).execute()
        photo = Photo.create(application=app, jpeg=jpeg, width=width, height=height, officer=actor.name, created_at=now)
        audit(actor, "application.photo", office=office.code, target=app.code, details={"w": width, "h": height}, at=now)
    return photo


def reprint(ctx: Context, actor: Actor, app_id: int, *, card_serial: str, reason: str) -> CardPrint:
    """Record a reprint (e.g. spoiled card) with its reason and the new serial."""
    app = get_application(app_id)
    office = ctx.office(app.office)
    require(actor, roles.PETUGAS_CETAK, office=office.code)
    if not app.card_serial:
        raise Conflict("not_printed", "Kartu belum pernah dicetak.", "The card was never printed.")
    if not (reason or "").strip() or not (card_serial or "").strip():
        raise Unprocessable("reason_required", "Alasan cetak ulang dan nomor seri wajib diisi.",
                            "A reason and the new serial are required.")
    now = ctx.now()
    with write_tx():
        cp = CardPrint.create(application=app, serial=card_serial.strip()[:64], reason=reason.strip()[:200],
                              officer=actor.name, printed_at=now)
        Application.update(card_serial=cp.serial, version=Application.version + 1).where(Application.id == app.id).execute()
        audit(actor, "application.reprint", office=office.code, target=app.code, details={"reason": reason}, at=now)
    return cp


def application_dict(ctx: Context, app: Application, *, lang: str = "id") -> dict:
    """Full staff view of a berkas: applicant data, checklist, kartu kendali."""
    office = ctx.office(app.office)
    service = _service(office, app.service)
    try:
        checklist = build_checklist(service, _answers(service, app), filed_on(ctx, office, app),
                                    lang=lang).as_dict()
    except DomainError as e:
        checklist = {"error": e.as_dict()}
    kk = [{"step": k.step, "role": k.role, "officer": k.officer, "arrived_at": iso_local(office, k.arrived_at),
           "started_at": iso_local(office, k.started_at), "ended_at": iso_local(office, k.ended_at),
           "outcome": k.outcome, "note": k.note, "mutu_baku_seconds": k.mutu_baku_seconds,
           "duration_seconds": None if k.ended_at is None else round(k.ended_at - (k.started_at or k.arrived_at), 1),
           "late": (k.ended_at is not None and k.mutu_baku_seconds is not None and
                    k.ended_at - k.arrived_at > k.mutu_baku_seconds)}
          for k in app.kartu_kendali.order_by(KartuKendali.id)]
    nik_info = nik_check(office, app.nik, birth_date=app.birth_date, sex=app.sex or None,
                         today=ctx.today(office)) if app.nik else None
    current = next((st for st in service.steps if st.code == app.step), None)
    return {
        "id": app.id, "code": app.code, "office": app.office, "service": app.service,
        "service_name": service.name.id, "state": app.state, "step": app.step,
        "step_name": current.name.get(lang) if current else None, "step_effect": current.effect if current else None,
        "service_rules": service.rules,
        "ticket": app.ticket.number if app.ticket else None, "ticket_id": app.ticket_id,
        "applicant": {"name": app.applicant_name, "nik": app.nik, "birth_date": app.birth_date, "phone": app.phone,
                      "kecamatan_code": app.kecamatan_code, "sex": app.sex,
                      "email": app.email, "notify": app.notify},
        "card_data": dict(app.card_data or {}), "signed": signed(ctx, office, service, app),
        "nik_check": nik_info, "answers": {k: v for k, v in (app.answers or {}).items() if not k.startswith("_")},
        "checklist": checklist, "documents_present": app.documents_present, "missing": app.missing,
        "siak_reference": app.siak_reference, "pickup_office": app.pickup_office,
        "pickup_office_name": ctx.offices[app.pickup_office].name if app.pickup_office in ctx.offices
        else app.pickup_office, "card_serial": app.card_serial,
        "outcome_note": app.outcome_note, "has_photo": Photo.select().where(Photo.application == app).exists(),
        "created_at": iso_local(office, app.created_at), "finished_at": iso_local(office, app.finished_at),
        "ready_by": ready_by(ctx, office, service, app.created_at),
        "kartu_kendali": kk, "version": app.version,
        "channel": app.channel, "parent_name": app.parent_name, "awaiting_citizen": bool(app.awaiting_citizen),
        "return_notes": app.return_notes, "batch": app.batch,
        "uploads": _uploads(office, app) if app.channel == "online" else [],
    }


def _uploads(office: Office, app: Application) -> list[dict]:
    from .online import uploads_of
    return [{**u, "created_at": iso_local(office, u["created_at"])} for u in uploads_of(app)]


def ready_by(ctx: Context, office, service, created_at: float) -> str | None:
    """The promised completion date (ISO) of a berkas filed at epoch ``created_at``: the
    service's ``completion_days`` counted in the office's working days from the
    application date (:func:`queue_server.domain.opening.add_working_days`); None when
    the office file promises none."""
    if not service.completion_days:
        return None
    filed = ctx.local(office, created_at).date()
    return opening.add_working_days(office, filed, service.completion_days).isoformat()


def work_queue(ctx: Context, actor: Actor, *, office_code: str | None, step: str, service_code: str | None = None) -> list[dict]:
    """Berkas waiting at a step (back-office work queue), oldest first, with their age
    against the step's mutu baku (seconds)."""
    require(actor, *roles.STAFF_ROLES)
    office = ctx.office(office_code or actor.office)
    steps = [(s, s.step(step)) for s in office.services if step in {x.code for x in s.steps}
             and (service_code is None or s.code == service_code)]
    if not steps:
        raise NotFound("unknown_step", f"Langkah '{step}' tidak dikenal.", f"Unknown step '{step}'.")
    require(actor, *{st.role for _, st in steps}, roles.KEPALA, office=office.code)
    now = ctx.now()
    rows = (Application.select().where((Application.office == office.code) & (Application.state.in_([workflow.AT_STEP, workflow.HANDED_OVER])) &
                                       (Application.step == step) & (Application.awaiting_citizen == False) &  # noqa: E712
                                       (Application.service.in_([s.code for s, _ in steps])))
            .order_by(Application.step_arrived_at, Application.id))
    by_service = {s.code: st for s, st in steps}
    out = []
    for a in rows:
        mb = by_service[a.service].mutu_baku_seconds
        age = now - (a.step_arrived_at or a.created_at)
        out.append({"id": a.id, "code": a.code, "service": a.service, "applicant_name": a.applicant_name,
                    "kecamatan_code": a.kecamatan_code, "arrived_at": iso_local(office, a.step_arrived_at),
                    "age_seconds": round(age, 1), "mutu_baku_seconds": mb,
                    "late": mb is not None and age > mb, "taken_by": a.step_officer if a.step_started_at else None,
                    "channel": a.channel, "pickup_office": a.pickup_office, "version": a.version})
    return out


def public_status(ctx: Context, code: str, lang: str = "id") -> dict:
    """Where a ticket or application stands, by the code on the ticket or pickup slip.
    No personal data. Raises ``NotFound``."""
    code = (code or "").strip().upper()
    if not code or len(code) > 16 or not all(c in CODE_ALPHABET + "-" for c in code):
        raise NotFound("unknown_code", "Kode tidak ditemukan.", "Code not found.")
    idx = 1 if lang == "en" else 0
    # phones poll this every 10 s: the lookups use SQL compiled once (db/lookup.py)
    app = get_by(Application, Application.code, code)
    if app is None:
        ticket = get_by(Ticket, Ticket.public_code, code)
        if ticket is None:
            from .db.models import Booking
            booking = Booking.get_or_none(Booking.code == code)
            if booking is None:
                raise NotFound("unknown_code", "Kode tidak ditemukan.", "Code not found.")
            from .bookings import booking_public, booking_text
            return {**booking_public(ctx, booking, lang), "text": booking_text(ctx, booking, lang)}
        office = ctx.office(ticket.office)
        apps = [c for (c,) in Application.select(Application.code).where(Application.ticket == ticket.id)
                .order_by(Application.id).tuples()]
        if not apps:
            from .tickets import OPEN_STATUSES, UNFINISHED, ticket_public
            if ticket.office_day != ctx.office_day(office):
                # a number is valid on its own office day only (issue 16 item 16)
                day = format_day(date.fromisoformat(ticket.office_day), "en" if lang == "en" else "id")
                served = ticket.status == "done"
                text = ((f"selesai dilayani pada {day}", f"served on {day}") if served else
                        (f"hari layanan {day} sudah berakhir; nomor ini tidak berlaku lagi. "
                         "Silakan ambil nomor antrean baru.",
                         f"the service day {day} has ended; this number is no longer valid. "
                         "Please take a new number."))
                return {"kind": "ticket", "number": ticket.number, "service": ticket.service,
                        "status": ticket.status if ticket.status not in OPEN_STATUSES else
                        (UNFINISHED if ticket.status == "called" else "no_show"),
                        "text": text[idx], "day_ended": True, "office_day": ticket.office_day,
                        "people_ahead": None, "estimated_wait_seconds": None}
            t = ticket_public(ctx, office, ticket)
            texts = {"waiting": ("menunggu dipanggil", "waiting to be called"),
                     "called": (f"sedang dipanggil ke loket {ticket.counter}", f"called to counter {ticket.counter}"),
                     "skipped": ("terlewat; silakan lapor ke petugas", "missed; please see an officer"),
                     "no_show": ("tidak hadir saat dipanggil", "did not come when called"),
                     "done": ("selesai dilayani", "served"),
                     "unfinished": ("belum selesai saat hari layanan berakhir", "not finished when the day ended")}
            counter = next((c for c in office.counters if c.code == ticket.counter), None)
            return {"kind": "ticket", "number": t["number"], "service": t["service"], "status": ticket.status,
                    "text": texts.get(ticket.status, (ticket.status, ticket.status))[idx],
                    "day_ended": False, "office_day": ticket.office_day,
                    "people_ahead": t["people_ahead"], "estimated_wait_seconds": t["estimated_wait_seconds"],
                    "service_name": t["service_name_en"] if idx else t["service_name"], "booked": t["booked"],
                    "counter": ticket.counter if ticket.status == "called" else None,
                    "counter_number": counter.number if counter and ticket.status == "called" else None,
                    "called_at": t["called_at"], "version": ticket.version}
        return {"kind": "visit", "number": ticket.number,
                "applications": [public_status(ctx, a, lang) for a in apps]}
    office = ctx.office(app.office)
    in_transit = app.state == workflow.READY and _batch_pending(app)
    if in_transit:
        place = ctx.office(app.pickup_office or app.office)
        text = (f"sudah dicetak, sedang dikirim ke {place.name}", f"printed, on its way to {place.name}")
    elif app.state == workflow.AT_STEP and app.awaiting_citizen:
        text = ("perlu diperbaiki: lihat catatan petugas dan unggah ulang",
                "needs a correction: see the officer's notes and upload again")
    elif app.state == workflow.READY:
        place = ctx.office(app.pickup_office or app.office)
        distrib = [c for c in place.counters if any(st == app.step for _, st in c.serves)]
        where = f"loket {distrib[0].number}" if distrib else place.name
        if place.code != office.code:
            text = (f"siap diambil di {place.name}", f"ready for pickup at {place.name}")
        else:
            text = (f"siap diambil di {where}", f"ready for pickup at {where.replace('loket', 'counter')}")
    elif app.state == workflow.HANDED_OVER:
        text = ("sudah diserahkan", "handed over")
    elif app.state == workflow.RETURNED:
        text = ("dikembalikan: berkas belum lengkap", "returned: the file is incomplete")
    elif app.state == workflow.CANCELLED:
        text = ("dibatalkan", "cancelled")
    else:
        text = _step_status(_service(office, app.service), app.step)
    service = _service(office, app.service)
    place = ctx.office(app.pickup_office or app.office)
    steps = [{"step": k.step, "name": _step_name(service, k.step, idx), "arrived_at": iso_local(office, k.arrived_at),
              "ended_at": iso_local(office, k.ended_at), "outcome": k.outcome}
             for k in app.kartu_kendali.order_by(KartuKendali.id)]
    return {"kind": "application", "code": app.code, "service": app.service,
            "service_name": service.name.get("en" if idx else "id"), "state": app.state, "step": app.step,
            "step_name": _step_name(service, app.step, idx) if app.step else None,
            "text": text[idx], "applicant": mask_name(app.applicant_name), "steps": steps,
            "channel": app.channel, "awaiting_citizen": bool(app.awaiting_citizen), "in_transit": in_transit,
            "filed_at": iso_local(office, app.created_at), "ready_by": ready_by(ctx, office, service, app.created_at),
            "pickup": {"office": place.code, "name": place.name, "address": place.address,
                       "hours": opening_hours_text(place, "en" if idx else "id")} if service.pickup else None}


def _batch_pending(app: Application) -> bool:
    """True while the document travels in a distribution batch its pickup office has
    not confirmed (SOP 001 rows 4-5)."""
    return app.batch is not None and app.batch in batches_in_transit([app.batch])


def batches_in_transit(batch_ids) -> set[int]:
    """Of ``batch_ids``, the distribution batches not confirmed by their pickup office
    yet (one query; an empty set for none)."""
    from .db.models import DistributionBatch
    ids = sorted({b for b in batch_ids if b is not None})
    if not ids:
        return set()
    return {b for (b,) in DistributionBatch.select(DistributionBatch.id)
            .where(DistributionBatch.id.in_(ids) & DistributionBatch.received_at.is_null()).tuples()}


def _step_name(service: Service, code: str | None, idx: int) -> str:
    st = next((x for x in service.steps if x.code == code), None)
    return st.name.get("en" if idx else "id") if st else (code or "")


def mask_name(name: str) -> str:
    """A name for public pages: each word's first letter, the rest starred
    ("Siti Aminah" → "S*** A*****"); "" stays "" (UU 27/2022)."""
    return " ".join(w[0] + "*" * (len(w) - 1) for w in (name or "").split())


WEEKDAY_NAMES = {"id": ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"),
                 "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")}


def opening_hours_text(office: Office, lang: str = "id") -> list[str]:
    """The weekly hours as lines, consecutive days with the same hours joined:
    ["Senin–Kamis 08:00–15:00", "Jumat 08:00–11:30", "Sabtu–Minggu tutup"]."""
    names = WEEKDAY_NAMES["en" if lang == "en" else "id"]
    closed = "closed" if lang == "en" else "tutup"
    spans: list[tuple[int, int, str]] = []
    for i, h in enumerate(office.opening_hours):
        text = f"{h.opens:%H:%M}–{h.closes:%H:%M}" if h.is_open_day else closed
        if spans and spans[-1][2] == text and spans[-1][1] == i - 1:
            spans[-1] = (spans[-1][0], i, text)
        else:
            spans.append((i, i, text))
    return [f"{names[a]}{'–' + names[b] if b != a else ''} {text}" for a, b, text in spans]

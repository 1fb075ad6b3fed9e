"""Applications made from home and their way to the citizen (issue 13; SOP 001, SOP 004).

SOP 001 (Disdukcapil Kota Pekanbaru, "Layanan Penerbitan KIA melalui WhatsApp"):

1. the citizen applies online and uploads the KK and the birth certificate (5 min):
   :func:`submit` — one upload per required document of that case, checked by content
   (:mod:`queue_server.uploads`), an application code and a receipt (resi);
2. an admin verifies the uploads against SIAK and sends the receipt (1 h): the
   service's ``online_verification`` step, :func:`verify` — accept (→ the service's
   next steps) or return with notes; the citizen uploads again under the same code
   (:func:`reupload`) and the berkas comes back to the same work queue;
3. the operator prints (1 h): the ordinary ``card_print`` step;
4. printed cards are grouped by kecamatan (1 h): the ``distribution`` step,
   :func:`create_batch` — one batch per pickup office, its printed list signed by the
   one handing over and the one receiving;
5. the Kepala UPTD hands them to the citizen (1 day): the UPTD confirms the batch
   arrived (:func:`receive_batch`), then the ordinary hand-over with its receipt.

Every step is a kartu kendali row with its mutu baku, as for counter applications.
The time a returned application waits for the citizen is not an officer's: its row is
closed ``returned`` and a new row opens when the new files arrive.
"""
from __future__ import annotations

import json
import re
from datetime import date
from typing import Any, Mapping

from .applications import (_advance, _answers, _close_step, _open_step, _save, _service, _validate_applicant, filed_on,
                           get_application, handover_roles, new_application_code, ready_by)
from .auth import require
from .context import Actor, Context, iso_local
from .db.database import write_tx
from .db.lookup import get_by
from .db.models import Application, DistributionBatch, Upload
from .domain import roles, workflow
from .domain.kia import CARD_FIELDS
from .domain.office import (CHANNEL_FACT, CHANNEL_ONLINE, EFFECT_DISTRIBUTION, EFFECT_ONLINE_VERIFICATION, Office,
                            Service)
from .domain.requirements import build_checklist
from .errors import Conflict, NotFound, TooLarge, Unprocessable
from .events import record
from .tickets import audit
from .uploads import CheckedFile, UploadStore, check_upload, refused

#: Who writes an online application in the audit log (the citizen has no account).
CITIZEN = Actor(name="online", role="citizen", kind="citizen")
#: The form's submission key: letters, digits, '-' and '_' (the page makes a random one).
_SUBMISSION_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
#: The applicant's fields on the online form (``applicant`` JSON).
APPLICANT_FIELDS = ("name", "nik", "sex", "birth_place", "birth_date", "kk_number", "parent_name", "phone",
                    "email", "kecamatan_code", "notify")
REQUIRED_FIELDS = ("name", "nik", "sex", "birth_date", "kk_number", "parent_name", "kecamatan_code")
_FIELD_NAMES = {"name": ("Nama anak", "Child's name"), "nik": ("NIK anak", "Child's NIK"),
                "sex": ("Jenis kelamin", "Sex"), "birth_date": ("Tanggal lahir", "Date of birth"),
                "kk_number": ("No. KK", "Family card no."), "parent_name": ("Nama orang tua", "Parent's name"),
                "kecamatan_code": ("Kecamatan domisili", "Kecamatan of domicile")}


def online_services(office: Office) -> list[Service]:
    """The services of ``office`` a citizen may apply for from home (``online = true``)."""
    return [s for s in office.services if s.online]


def pickup_choices(ctx: Context, office: Office) -> list[tuple[str, str]]:
    """Where an online application's document can be collected: ``(office code, name)``,
    the office itself first, then its ``pickup_offices`` (UPTD kecamatan, SOP 001 row 5)."""
    out = [(office.code, office.name)]
    for code in office.pickup_offices:
        other = ctx.offices.get(code)
        out.append((code, other.name if other else code))
    return out


def _online_service(office: Office, code: str) -> Service:
    try:
        service = office.service(code or "")
    except KeyError:
        raise NotFound("unknown_service", "Layanan tidak dikenal.", "Unknown service.", {"field": "service"}) from None
    if not service.online:
        raise Unprocessable("service_not_online", f"Layanan {service.name.id} tidak bisa diajukan online; "
                                                  f"silakan datang ke kantor.",
                            f"{service.name.get('en')} cannot be applied for online; please visit the office.",
                            {"field": "service"})
    return service


def parse_json_part(raw: str | None, field: str) -> dict:
    """A form part holding a JSON object (``answers``, ``applicant``); ``{}`` when
    empty. Raises ``Unprocessable`` naming ``field``."""
    if raw is None or not str(raw).strip():
        return {}
    try:
        value = json.loads(raw)
    except (ValueError, TypeError):
        raise Unprocessable("invalid_json", f"Bagian '{field}' bukan JSON yang sah.", f"Part '{field}' is not valid JSON.",
                            {"field": field}) from None
    if not isinstance(value, dict):
        raise Unprocessable("invalid_json", f"Bagian '{field}' harus objek JSON.", f"Part '{field}' must be a JSON object.",
                            {"field": field})
    return value


def _applicant(ctx: Context, office: Office, raw: Mapping[str, Any]) -> tuple[dict, dict]:
    """(Application columns, card-data prefill) from the form's applicant; every
    required field named when empty."""
    unknown = sorted(set(raw) - set(APPLICANT_FIELDS))
    if unknown:
        raise Unprocessable("unknown_field", "Ada isian yang tidak dikenal.", "Unknown fields.",
                            {"field": f"applicant.{unknown[0]}", "unknown": unknown})
    for key in REQUIRED_FIELDS:
        if not str(raw.get(key) or "").strip():
            id_, en = _FIELD_NAMES[key]
            raise Unprocessable("field_required", f"{id_} wajib diisi.", f"{en} is required.",
                                {"field": f"applicant.{key}"})
    if not (str(raw.get("phone") or "").strip() or str(raw.get("email") or "").strip()):
        raise Unprocessable("contact_required", "Isi No. HP/WhatsApp atau email: resi dan kabar permohonan dikirim "
                                                "ke sana.", "Give a mobile/WhatsApp number or an email: the receipt "
                                                            "and news go there.", {"field": "applicant.phone"})
    fields = _validate_applicant(office, {k: v for k, v in raw.items() if k in ("name", "nik", "sex", "birth_date",
                                                                               "phone", "email", "kecamatan_code",
                                                                               "notify")}, ctx.today(office))
    if fields.get("phone"):
        from .bookings import normalise_phone
        try:
            fields["phone"] = normalise_phone(fields["phone"])
        except Unprocessable as e:
            e.details["field"] = "applicant.phone"
            raise
    parent = str(raw.get("parent_name") or "").strip()
    if len(parent) > 200:
        raise Unprocessable("invalid_name", "Nama orang tua terlalu panjang.", "Parent's name too long.",
                            {"field": "applicant.parent_name"})
    fields["parent_name"] = parent
    card: dict[str, str] = {}
    for key in ("birth_place", "kk_number"):
        value = str(raw.get(key) or "").strip()
        limit = CARD_FIELDS[key][2]
        if len(value) > limit:
            raise Unprocessable("field_too_long", f"{CARD_FIELDS[key][0]}: paling banyak {limit} karakter.",
                                f"{CARD_FIELDS[key][1]}: at most {limit} characters.", {"field": f"applicant.{key}"})
        if key == "kk_number" and not re.fullmatch(r"\d{16}", value):
            raise Unprocessable("invalid_kk_number", "No. KK harus 16 angka.", "The family card number has 16 digits.",
                                {"field": "applicant.kk_number"})
        card[key] = value
    return fields, card


def required_documents(service: Service, answers: Mapping[str, Any], on: date, lang: str = "id") -> list[dict]:
    """The uploads this case needs: the checklist's items (``{"code", "label"}``) for
    the answers (e.g. the pas foto only for KIA variant 2, Permendagri 2/2016).
    Raises the checklist's ``DomainError`` for missing or invalid answers."""
    return _documents(_eligible_checklist(service, answers, on, lang))


def _documents(checklist) -> list[dict]:
    return [{"code": i.code, "label": i.label} for i in checklist.items]


def _eligible_checklist(service: Service, answers: Mapping[str, Any], on: date, lang: str = "id"):
    checklist = build_checklist(service, dict(answers), on, lang=lang)
    if not checklist.eligible:
        raise Unprocessable("not_eligible", "Pemohon belum memenuhi syarat layanan ini.",
                            "The applicant is not eligible for this service.",
                            {"reasons": [i.as_dict() for i in checklist.ineligible]})
    return checklist


def check_files(office: Office, files: Mapping[str, bytes], required: list[dict], *, all_required: bool) -> dict[str, CheckedFile]:
    """Check every part of ``files`` (requirement code → bytes) before anything is
    stored: a part that is not a requirement of this case, a second file for one, a
    missing required one (``all_required``) or a file refused by its content → 422
    naming the part (``details.field = "files.<code>"``)."""
    codes = [r["code"] for r in required]
    for part in files:
        if part not in codes:
            raise refused(part, "unknown_document", f"'{part}' bukan persyaratan permohonan ini.",
                          f"'{part}' is not a requirement of this application.", allowed=codes)
    if all_required:
        for r in required:
            if r["code"] not in files:
                raise refused(r["code"], "document_missing", f"Unggah {r['label']}.", f"Upload {r['label']}.",
                              label=r["label"])
    elif not files:
        raise Unprocessable("document_missing", "Pilih berkas yang akan diunggah.", "Choose a file to upload.",
                            {"field": "files"})
    policy = office.online
    return {part: check_upload(part, data, max_bytes=policy.upload_max_bytes, max_pages=policy.max_pdf_pages)
            for part, data in files.items()}


def _store_all(store: UploadStore, checked: Mapping[str, CheckedFile]) -> dict[str, str]:
    names: dict[str, str] = {}
    try:
        for part, c in checked.items():
            names[part] = store.put(c)
    except BaseException:
        for name in names.values():
            store.delete(name)
        raise
    return names


def _upload_rows(app: Application, checked: Mapping[str, CheckedFile], names: Mapping[str, str], now: float) -> None:
    for part, c in checked.items():
        Upload.create(application=app, requirement=part, kind=c.kind, content_type=c.content_type, size=len(c.data),
                      width=c.width, height=c.height, pages=c.pages, sha256=c.sha256, stored_name=names[part],
                      created_at=now)


def submit(ctx: Context, store: UploadStore, *, office_code: str | None, service_code: str, answers: dict,
           applicant: dict, pickup_office: str | None, files: Mapping[str, bytes], submission_key: str | None = None,
           lang: str = "id", remote_addr: str = "") -> tuple[Application, bool]:
    """An online application (SOP 001 row 1): checks everything, then stores the files
    and opens the berkas at the service's ``online_verification`` step, in one
    transaction; a failure stores nothing (files written before a failed commit are
    removed). Returns ``(application, created)``: a repeated ``submission_key`` (a
    retried submit after a dropped connection) answers the first application.

    Raises ``NotFound`` (office, service), ``Unprocessable`` (``service_not_online``,
    answers, applicant fields, ``invalid_pickup_office``, the uploads: see
    :func:`check_files`), ``Conflict`` ``duplicate_application`` when the child's NIK has
    an open berkas of this service (its code is not told: the NIK is not a secret)."""
    office = ctx.office(office_code)
    key = (submission_key or "").strip() or None
    if key is not None:
        if not _SUBMISSION_RE.match(key):
            raise Unprocessable("invalid_submission_key", "Kunci pengiriman tidak sah.", "Invalid submission key.",
                                {"field": "submission_key"})
        done = get_by(Application, Application.submission_key, key)
        if done is not None:
            return done, False
    service = _online_service(office, service_code)
    today = ctx.today(office)
    asked = {q.key for q in service.questions}
    merged = {k: v for k, v in answers.items() if k in asked}
    fields, card = _applicant(ctx, office, applicant)
    if fields.get("birth_date") and "birth_date" in asked:
        merged.setdefault("birth_date", fields["birth_date"])
    checklist = _eligible_checklist(service, merged, today, lang)
    required = _documents(checklist)
    first = workflow.first_step(service, {**checklist.facts, CHANNEL_FACT: CHANNEL_ONLINE})
    if first.effect != EFFECT_ONLINE_VERIFICATION:  # the office file check makes this impossible; never trust it
        raise Conflict("service_not_online", "Layanan ini belum siap untuk permohonan online.",
                       "This service is not set up for online applications.", {"field": "service"})
    pickup = (pickup_office or office.code).strip()
    if pickup not in {c for c, _ in pickup_choices(ctx, office)}:
        raise Unprocessable("invalid_pickup_office", "Tempat pengambilan tidak dikenal untuk kantor ini.",
                            "Unknown pickup office for this office.",
                            {"field": "pickup_office", "allowed": [c for c, _ in pickup_choices(ctx, office)]})
    checked = check_files(office, files, required, all_required=True)
    stored = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in merged.items()}
    if lang == "en":
        stored["_lang"] = "en"
    now = ctx.now()
    names = _store_all(store, checked)
    actor = Actor(name=CITIZEN.name, role=CITIZEN.role, kind=CITIZEN.kind, remote_addr=remote_addr)
    try:
        with write_tx():
            if key is not None:
                done = get_by(Application, Application.submission_key, key)
                if done is not None:  # the same submit, twice at once: the first one won
                    raise _Repeat(done)
            twin = (Application.select(Application.id).where(
                (Application.service == service.code) & (Application.nik == fields["nik"]) &
                (Application.state.in_([workflow.AT_STEP, workflow.READY]))).exists())
            if twin:
                raise Conflict("duplicate_application",
                               f"NIK anak ini sudah punya permohonan {service.name.id} yang sedang berjalan. "
                               f"Ikuti permohonan itu dengan kode pada resinya.",
                               f"This child's NIK already has an open {service.name.get('en')} application. "
                               f"Follow it with the code on its receipt.", {"field": "applicant.nik"})
            code = new_application_code()
            while Application.select().where(Application.code == code).exists():
                code = new_application_code()
            app = Application.create(office=office.code, ticket=None, code=code, service=service.code,
                                     state=workflow.AT_STEP, answers=stored, card_data=card, created_at=now,
                                     created_by=CITIZEN.name, pickup_office=pickup, channel=CHANNEL_ONLINE,
                                     submission_key=key, **fields)
            _open_step(office, service, app, first.code, now)
            app.save()
            _upload_rows(app, checked, names, now)
            record(office.code, "application.created", {"application": app.id, "service": service.code,
                                                         "step": first.code, "channel": CHANNEL_ONLINE}, now)
            audit(actor, "application.online_submit", office=office.code, target=app.code,
                  details={"service": service.code, "documents": sorted(checked), "pickup_office": pickup}, at=now)
            _message(ctx, office, app, "online_received", now)
    except _Repeat as repeat:
        for name in names.values():
            store.delete(name)
        return repeat.app, False
    except BaseException:
        for name in names.values():
            store.delete(name)
        raise
    return app, True


class _Repeat(Exception):
    """A submission key already committed by a concurrent request (internal)."""

    def __init__(self, app: Application) -> None:
        super().__init__(app.code)
        self.app = app


def _message(ctx: Context, office: Office, app: Application, kind: str, now: float, **extra) -> None:
    if app.notify and office.notifications.enabled:
        from .notify import triggers
        triggers.online_changed(ctx, office, app, kind, now, **extra)


def by_code(code: str) -> Application:
    """The online application with this application code (the citizen's key to it).
    Raises ``NotFound`` (``details.field = "code"``) for any other code."""
    code = (code or "").strip().upper()
    app = get_by(Application, Application.code, code) if code and len(code) <= 16 else None
    if app is None or app.channel != CHANNEL_ONLINE:
        raise NotFound("unknown_code", "Kode permohonan tidak ditemukan.", "Application code not found.",
                       {"field": "code"})
    return app


def reupload(ctx: Context, store: UploadStore, code: str, files: Mapping[str, bytes], *,
             remote_addr: str = "") -> Application:
    """New files for an application returned with notes (SOP 001 row 3: "bagi data yang
    bermasalah, petugas memberikan catatan"), under the same code. Each file replaces
    the earlier upload of its requirement (whose file is deleted at once); the berkas
    comes back to the verification work queue with a new kartu kendali row.

    Raises ``NotFound`` (code), ``Conflict`` ``not_awaiting_upload`` when the officer did
    not ask for new files, ``Unprocessable`` for the files (:func:`check_files`)."""
    app = by_code(code)
    office = ctx.office(app.office)
    service = _service(office, app.service)
    if not app.awaiting_citizen or app.state != workflow.AT_STEP:
        raise Conflict("not_awaiting_upload", "Permohonan ini tidak sedang menunggu unggahan ulang.",
                       "This application is not waiting for new uploads.", {"field": "code"})
    required = required_documents(service, _answers(service, app), filed_on(ctx, office, app))
    checked = check_files(office, files, required, all_required=False)
    now = ctx.now()
    names = _store_all(store, checked)
    replaced: list[str] = []
    actor = Actor(name=CITIZEN.name, role=CITIZEN.role, kind=CITIZEN.kind, remote_addr=remote_addr)
    try:
        with write_tx():
            fresh = get_application(app.id)
            if not fresh.awaiting_citizen or fresh.version != app.version:
                raise Conflict("not_awaiting_upload", "Permohonan ini baru saja berubah; muat ulang halaman.",
                               "This application just changed; reload the page.", {"field": "code"})
            old = list(Upload.select().where((Upload.application == app) & Upload.replaced_at.is_null() &
                                             Upload.deleted_at.is_null() & Upload.requirement.in_(list(checked))))
            for up in old:
                Upload.update(replaced_at=now, deleted_at=now, delete_reason="replaced", stored_name="").where(
                    Upload.id == up.id).execute()
                replaced.append(up.stored_name)
            _upload_rows(app, checked, names, now)
            app.awaiting_citizen = False
            _open_step(office, service, app, app.step, now)
            _save(app, None)
            record(office.code, "application.step_finished",
                   {"application": app.id, "service": app.service, "step": app.step, "outcome": "reuploaded",
                    "next_step": app.step, "state": app.state}, now)
            audit(actor, "application.online_reupload", office=office.code, target=app.code,
                  details={"documents": sorted(checked)}, at=now)
    except BaseException:
        for name in names.values():
            store.delete(name)
        raise
    for name in replaced:
        if name:
            store.delete(name)
    return app


def verify(ctx: Context, actor: Actor, app_id: int, *, outcome: str, present: list[str],
           siak_reference: str | None, notes: str = "", expected_version: int | None = None) -> Application:
    """The online verification (SOP 001 row 2): the officer has compared the uploads with
    SIAK. ``outcome`` "accept": every required document must be ticked in ``present``;
    the berkas goes on to the service's next step and the citizen gets the resi message.
    ``outcome`` "return": ``notes`` (what is missing or wrong) are required; the berkas
    waits for the citizen's new uploads (its kartu kendali row closed ``returned``).

    The actor needs the step's role (the office file's: verifikator or operator).
    Raises ``Conflict`` (``not_at_step``, ``application_changed``), ``Unprocessable``
    (``documents_incomplete``, ``notes_required``, ``unknown_document``)."""
    app = get_application(app_id)
    office = ctx.office(app.office)
    service = _service(office, app.service)
    st = service.step_with(EFFECT_ONLINE_VERIFICATION)
    require(actor, st.role if st else roles.VERIFIKATOR, office=office.code)
    if st is None or app.channel != CHANNEL_ONLINE or app.state != workflow.AT_STEP or app.step != st.code \
            or app.awaiting_citizen:
        raise Conflict("not_at_step", "Berkas ini tidak sedang menunggu verifikasi online.",
                       "This application is not waiting for the online check.", {"step": app.step, "state": app.state})
    required = required_documents(service, _answers(service, app), filed_on(ctx, office, app))
    codes = [r["code"] for r in required]
    unknown = sorted(set(present) - set(codes))
    if unknown:
        raise Unprocessable("unknown_document", "Ada dokumen yang bukan persyaratan kasus ini.",
                            "Some documents are not requirements of this case.", {"field": "present", "unknown": unknown})
    missing = [r for r in required if r["code"] not in set(present)]
    notes = (notes or "").strip()
    if outcome not in ("accept", "return"):
        raise Unprocessable("invalid_outcome", "Hasil harus 'accept' atau 'return'.", "Outcome must be accept or return.",
                            {"field": "outcome"})
    if outcome == "accept" and missing:
        raise Unprocessable("documents_incomplete", "Belum semua dokumen dicentang; kembalikan dengan catatan bila "
                                                    "ada yang kurang.", "Not every document is ticked; return it "
                                                                        "with notes when one is missing.",
                            {"field": "present", "missing": [m["code"] for m in missing]})
    if outcome == "return" and not notes:
        raise Unprocessable("notes_required", "Tulis catatan untuk pemohon: apa yang kurang atau salah.",
                            "Write notes for the applicant: what is missing or wrong.", {"field": "notes"})
    if len(notes) > 1000:
        raise Unprocessable("notes_too_long", "Catatan paling banyak 1000 karakter.", "Notes: at most 1000 characters.",
                            {"field": "notes"})
    now = ctx.now()
    app.documents_present = sorted(set(present))
    if siak_reference is not None:
        ref = siak_reference.strip()
        if len(ref) > 64:
            raise Unprocessable("invalid_siak_reference", "Nomor referensi SIAK terlalu panjang.",
                                "SIAK reference too long.", {"field": "siak_reference"})
        app.siak_reference = ref
    with write_tx():
        if outcome == "accept":
            _advance(ctx, office, service, app, actor, "done", "Unggahan sesuai SIAK" + (f"; {notes}" if notes else ""),
                     now)
            app.awaiting_citizen, app.return_notes, app.missing = False, "", []
            _save(app, expected_version)
            audit(actor, "application.online_accept", office=office.code, target=app.code,
                  details={"present": app.documents_present, "siak_reference": app.siak_reference}, at=now)
            _message(ctx, office, app, "online_accepted", now,
                     ready_by=ready_by(ctx, office, service, app.created_at) or "-")
        else:
            _close_step(app, actor.name, "returned", notes, now)
            app.awaiting_citizen = True
            app.step_arrived_at = now  # since when it waits for the citizen (expire_abandoned)
            app.return_notes = notes
            app.missing = [{"code": m["code"], "label": m["label"]} for m in missing]
            app.step_started_at = app.step_officer = None
            _save(app, expected_version)
            record(office.code, "application.step_finished",
                   {"application": app.id, "service": app.service, "step": app.step, "outcome": "returned",
                    "next_step": app.step, "state": app.state}, now)
            audit(actor, "application.online_return", office=office.code, target=app.code,
                  details={"missing": [m["code"] for m in missing]}, at=now)
            _message(ctx, office, app, "online_returned", now, notes=notes)
    return app


def expire_abandoned(ctx: Context, now: float) -> int:
    """Cancel online applications returned to the citizen who did not upload again within
    their office's ``retention_days`` (UU 27/2022: the uploads are not kept for an
    application nobody pursues). ``finished_at`` is the day it was returned, so the same
    retention sweep deletes its files; audited as ``application.online_expired``.
    Returns how many were cancelled."""
    n = 0
    for office in ctx.offices.values():
        cutoff = now - office.online.retention_seconds
        stale = list(Application.select().where(
            (Application.office == office.code) & (Application.channel == CHANNEL_ONLINE) &
            (Application.state == workflow.AT_STEP) & (Application.awaiting_citizen == True) &  # noqa: E712
            (Application.step_arrived_at < cutoff)))
        for app in stale:
            with write_tx():
                done = (Application.update(state=workflow.CANCELLED, finished_at=app.step_arrived_at,
                                           awaiting_citizen=False, step=None, step_officer=None,
                                           version=Application.version + 1)
                        .where((Application.id == app.id) & (Application.version == app.version)).execute())
                if done:
                    system = Actor(name="system", role="admin", kind="device")
                    audit(system, "application.online_expired", office=office.code, target=app.code,
                          details={"returned_at": iso_local(office, app.step_arrived_at),
                                   "retention_days": office.online.retention_days}, at=now)
                    n += 1
    return n


def uploads_of(app: Application, *, current_only: bool = True) -> list[dict]:
    """The berkas's uploads for the staff view: ``{"id", "requirement", "kind",
    "content_type", "size", "width", "height", "pages", "created_at" (epoch s),
    "deleted": bool, "delete_reason"}``; by default only the current (not replaced) ones."""
    q = Upload.select().where(Upload.application == app)
    if current_only:
        q = q.where(Upload.replaced_at.is_null())
    return [{"id": u.id, "requirement": u.requirement, "kind": u.kind, "content_type": u.content_type,
             "size": u.size, "width": u.width, "height": u.height, "pages": u.pages, "created_at": u.created_at,
             "deleted": u.deleted_at is not None, "delete_reason": u.delete_reason}
            for u in q.order_by(Upload.id)]


def upload_for_staff(ctx: Context, actor: Actor, upload_id: int, store: UploadStore) -> tuple[Upload, bytes]:
    """An upload's row and bytes for an officer who may read the berkas: the roles that
    read personal data (:data:`queue_server.applications.READ_ROLES`) at its office.
    Raises ``NotFound`` (unknown, or deleted by retention: ``upload_deleted``)."""
    from .applications import READ_ROLES
    up = Upload.get_or_none(Upload.id == upload_id)
    if up is None:
        raise NotFound("unknown_upload", "Unggahan tidak ditemukan.", "Upload not found.", {"id": upload_id})
    app = up.application
    require(actor, *READ_ROLES, office=app.office)
    if up.deleted_at is not None or not up.stored_name:
        raise NotFound("upload_deleted", "Berkas unggahan sudah dihapus (masa simpan habis atau diganti).",
                       "The uploaded file was deleted (retention period over, or replaced).",
                       {"id": upload_id, "reason": up.delete_reason})
    try:
        return up, store.read(up.stored_name)
    except FileNotFoundError:
        raise NotFound("upload_deleted", "Berkas unggahan tidak ada lagi di penyimpanan.",
                       "The uploaded file is no longer in storage.", {"id": upload_id}) from None


def public_online(ctx: Context, app: Application, lang: str = "id") -> dict:
    """What the follow page shows of an online application (no personal data): whether
    the officer asked for new files, the notes, and which documents may be sent again."""
    office = ctx.office(app.office)
    service = _service(office, app.service)
    try:
        required = required_documents(service, _answers(service, app), filed_on(ctx, office, app), lang)
    except Exception:  # noqa: BLE001 - an office file changed since: the page still shows the status
        required = []
    uploaded = sorted({u.requirement for u in Upload.select(Upload.requirement).where(
        (Upload.application == app) & Upload.replaced_at.is_null())})
    return {"awaiting_upload": bool(app.awaiting_citizen and app.state == workflow.AT_STEP),
            "notes": app.return_notes if app.awaiting_citizen else "",
            "documents": required, "uploaded": uploaded,
            "missing": [m.get("code") for m in (app.missing or [])] if app.awaiting_citizen else []}


# --------------------------------------------------------------------- distribution
def _distribution_steps(office: Office) -> dict[str, str]:
    return {sv.code: st.code for sv in office.services for st in sv.steps if st.effect == EFFECT_DISTRIBUTION}


def pending_distribution(ctx: Context, actor: Actor, office_code: str | None) -> list[dict]:
    """Printed documents waiting at a ``distribution`` step, grouped by pickup office:
    ``[{"pickup_office", "name", "count", "applications": [{"id", "code", "service",
    "applicant_name", "kecamatan_code", "age_seconds", "late"}]}]`` (SOP 001 row 4)."""
    office = ctx.office(office_code or actor.office)
    steps = _distribution_steps(office)
    if not steps:
        raise NotFound("no_distribution_step", "Layanan kantor ini tidak punya langkah distribusi.",
                       "No service of this office has a distribution step.")
    require(actor, *{office.service(sv).step(st).role for sv, st in steps.items()}, roles.KEPALA, office=office.code)
    now = ctx.now()
    cond = None
    for sv, st in steps.items():
        c = (Application.service == sv) & (Application.step == st)
        cond = c if cond is None else (cond | c)
    rows = (Application.select().where((Application.office == office.code) & (Application.state == workflow.AT_STEP) &
                                       cond).order_by(Application.pickup_office, Application.step_arrived_at))
    names = dict(pickup_choices(ctx, office))
    groups: dict[str, dict] = {}
    for a in rows:
        pickup = a.pickup_office or office.code
        g = groups.setdefault(pickup, {"pickup_office": pickup, "name": names.get(pickup, pickup), "count": 0,
                                       "applications": []})
        mb = office.service(a.service).step(a.step).mutu_baku_seconds
        age = now - (a.step_arrived_at or a.created_at)
        g["applications"].append({"id": a.id, "code": a.code, "service": a.service, "applicant_name": a.applicant_name,
                                  "kecamatan_code": a.kecamatan_code, "age_seconds": round(age, 1),
                                  "late": mb is not None and age > mb})
        g["count"] += 1
    return list(groups.values())


def create_batch(ctx: Context, actor: Actor, office_code: str | None, pickup_office: str,
                 application_ids: list[int] | None = None) -> DistributionBatch:
    """Group the printed documents waiting at the distribution step for
    ``pickup_office`` into one batch (all of them, or those of ``application_ids``) and
    move each on to its pickup step (kartu kendali: SOP 001 row 4 done). Raises
    ``Unprocessable`` (``invalid_pickup_office``), ``Conflict`` ``nothing_to_send``."""
    office = ctx.office(office_code or actor.office)
    steps = _distribution_steps(office)
    if not steps:
        raise NotFound("no_distribution_step", "Layanan kantor ini tidak punya langkah distribusi.",
                       "No service of this office has a distribution step.")
    require(actor, *{office.service(sv).step(st).role for sv, st in steps.items()}, office=office.code)
    names = dict(pickup_choices(ctx, office))
    if pickup_office not in names:
        raise Unprocessable("invalid_pickup_office", "Tempat pengambilan tidak dikenal untuk kantor ini.",
                            "Unknown pickup office for this office.", {"field": "pickup_office",
                                                                       "allowed": list(names)})
    now = ctx.now()
    with write_tx():
        cond = None
        for sv, st in steps.items():
            c = (Application.service == sv) & (Application.step == st)
            cond = c if cond is None else (cond | c)
        q = Application.select().where((Application.office == office.code) & (Application.state == workflow.AT_STEP)
                                       & cond & (Application.pickup_office == pickup_office))
        if application_ids:
            q = q.where(Application.id.in_([int(i) for i in application_ids]))
        apps = list(q.order_by(Application.id))
        if not apps:
            raise Conflict("nothing_to_send", f"Tidak ada dokumen yang menunggu dikirim ke {names[pickup_office]}.",
                           f"No document waits to be sent to {names[pickup_office]}.", {"field": "pickup_office"})
        day = ctx.local(office, now).strftime("%Y%m%d")
        n = DistributionBatch.select().where(DistributionBatch.code.startswith(f"KRM-{day}-")).count() + 1
        batch = DistributionBatch.create(office=office.code, pickup_office=pickup_office,
                                         code=f"KRM-{day}-{n:03d}", created_at=now, created_by=actor.name,
                                         count=len(apps))
        for app in apps:
            app.batch = batch.id
            _advance(ctx, office, office.service(app.service), app, actor, "done",
                     f"Kiriman {batch.code} ke {names[pickup_office]}", now)
            _save(app, None)
        record(office.code, "distribution.batch_created", {"batch": batch.id, "pickup_office": pickup_office,
                                                           "count": len(apps)}, now)
        if pickup_office != office.code:
            record(pickup_office, "distribution.batch_created", {"batch": batch.id, "pickup_office": pickup_office,
                                                                 "count": len(apps)}, now)
        audit(actor, "distribution.batch_create", office=office.code, target=batch.code,
              details={"pickup_office": pickup_office, "applications": [a.code for a in apps]}, at=now)
    return batch


def receive_batch(ctx: Context, actor: Actor, batch_id: int, note: str = "") -> DistributionBatch:
    """The pickup office confirms the batch arrived (SOP 001 row 5: the Kepala UPTD
    received the cards): records who and when; the recap's "to UPTD" date. The actor
    needs a hand-over role at the pickup office. Raises ``Conflict`` when already received."""
    batch = DistributionBatch.get_or_none(DistributionBatch.id == batch_id)
    if batch is None:
        raise NotFound("unknown_batch", "Kiriman tidak ditemukan.", "Batch not found.", {"id": batch_id})
    pickup = ctx.office(batch.pickup_office)
    require(actor, *handover_roles(ctx, pickup), office=pickup.code)
    if batch.received_at is not None:
        raise Conflict("batch_received", f"Kiriman {batch.code} sudah diterima oleh {batch.received_by}.",
                       f"Batch {batch.code} was already received by {batch.received_by}.")
    now = ctx.now()
    with write_tx():
        n = (DistributionBatch.update(received_at=now, received_by=actor.name, note=(note or "").strip()[:500])
             .where((DistributionBatch.id == batch.id) & DistributionBatch.received_at.is_null()).execute())
        if n != 1:
            raise Conflict("batch_received", "Kiriman ini baru saja diterima petugas lain.",
                           "This batch was just received by another officer.")
        home = ctx.office(batch.office)
        if home.notifications.enabled:  # "ready at the UPTD" waited for this confirmation
            from .notify import triggers
            for app in Application.select().where((Application.batch == batch.id) &
                                                   (Application.state == workflow.READY) & (Application.notify == True)):  # noqa: E712
                triggers.application_changed(ctx, home, app, now)
        record(pickup.code, "distribution.batch_received", {"batch": batch.id, "count": batch.count}, now)
        if batch.office != pickup.code:
            record(batch.office, "distribution.batch_received", {"batch": batch.id, "count": batch.count}, now)
        audit(actor, "distribution.batch_receive", office=pickup.code, target=batch.code,
              details={"count": batch.count}, at=now)
    return DistributionBatch.get_by_id(batch.id)


def batch_dict(ctx: Context, batch: DistributionBatch, *, with_applications: bool = True) -> dict:
    """A batch for staff: ``{"id", "code", "office", "pickup_office", "pickup_name",
    "count", "created_at", "created_by", "received_at", "received_by", "applications"}``."""
    home = ctx.office(batch.office)
    names = dict(pickup_choices(ctx, home))
    out = {"id": batch.id, "code": batch.code, "office": batch.office, "pickup_office": batch.pickup_office,
           "pickup_name": names.get(batch.pickup_office, batch.pickup_office), "count": batch.count,
           "created_at": iso_local(home, batch.created_at), "created_by": batch.created_by,
           "received_at": iso_local(home, batch.received_at), "received_by": batch.received_by}
    if with_applications:
        out["applications"] = [{"id": a.id, "code": a.code, "service": a.service, "applicant_name": a.applicant_name,
                                "nik": a.nik, "kecamatan_code": a.kecamatan_code, "state": a.state}
                               for a in Application.select().where(Application.batch == batch.id)
                               .order_by(Application.id)]
    return out


def batches(ctx: Context, actor: Actor, *, office_code: str | None = None, pickup_office: str | None = None,
            pending_only: bool = False) -> list[dict]:
    """Batches sent by ``office_code`` or to ``pickup_office`` (newest first, at most
    200); ``pending_only``: those not received yet. Staff of either office may read."""
    require(actor, *roles.STAFF_ROLES)
    q = DistributionBatch.select()
    if pickup_office:
        require(actor, *roles.STAFF_ROLES, office=pickup_office)
        q = q.where(DistributionBatch.pickup_office == pickup_office)
    else:
        office = ctx.office(office_code or actor.office)
        require(actor, *roles.STAFF_ROLES, office=office.code)
        q = q.where(DistributionBatch.office == office.code)
    if pending_only:
        q = q.where(DistributionBatch.received_at.is_null())
    return [batch_dict(ctx, b, with_applications=False)
            for b in q.order_by(DistributionBatch.created_at.desc()).limit(200)]


def batch_for_staff(ctx: Context, actor: Actor, batch_id: int) -> DistributionBatch:
    """A batch an officer of its sending or receiving office may read. Raises ``NotFound``."""
    batch = DistributionBatch.get_or_none(DistributionBatch.id == batch_id)
    if batch is None:
        raise NotFound("unknown_batch", "Kiriman tidak ditemukan.", "Batch not found.", {"id": batch_id})
    require(actor, *roles.STAFF_ROLES)
    if not (actor.may_act_in(batch.office) or actor.may_act_in(batch.pickup_office)):
        from .auth import Forbidden
        raise Forbidden("wrong_office", "Anda tidak terdaftar di kantor ini.", "You do not belong to this office.",
                        {"office": batch.pickup_office})
    return batch


def refuse_unreceived(app: Application) -> None:
    """A document sent in a batch the pickup office has not confirmed cannot be handed
    over there yet (the card may not have arrived). Raises ``Conflict`` ``batch_not_received``."""
    if app.batch is None:
        return
    batch = DistributionBatch.get_or_none(DistributionBatch.id == app.batch)
    if batch is not None and batch.received_at is None:
        raise Conflict("batch_not_received", f"Kiriman {batch.code} belum dikonfirmasi diterima di kantor ini; "
                                             f"terima kirimannya dulu.",
                       f"Batch {batch.code} is not confirmed as received here yet; receive it first.",
                       {"batch": batch.id, "batch_code": batch.code})


def request_cap(office: Office, n_parts: int = 12) -> int:
    """The largest multipart body accepted for an online application (bytes): room for
    ``n_parts`` files of the office's limit plus the form. A larger body is refused
    before it is read (``TooLarge``); a file over the limit inside it is named."""
    return office.online.upload_max_bytes * n_parts + 256_000


def too_large(cap: int) -> TooLarge:
    """The 413 of an over-size request body."""
    return TooLarge("request_too_large", f"Kiriman terlalu besar (paling besar {cap / 1_000_000:.0f} MB).",
                    f"The request is too large (at most {cap / 1_000_000:.0f} MB).", {"field": "files", "max_bytes": cap})

"""Online applications (issue 13, SOP 001): the public submit and re-upload
(``multipart/form-data``), the staff's view of the uploads, the online verification and
the distribution batches to the pickup offices (UPTD).

Public:

* ``POST /online-applications``: parts ``service``, ``office`` (optional), ``answers``
  and ``applicant`` (JSON strings), ``pickup_office``, ``submission_key`` (optional: a
  retried submit answers the first application), and one file part per requirement
  code → 201 ``{"application_code", "status_url", "receipt_url", "receipt_pdf_url"}``;
* ``GET /online-applications/{code}``: the public status with the officer's notes;
* ``POST /online-applications/{code}/documents``: new files after a return.

Staff: ``GET /uploads/{id}`` (the file, ``Cache-Control: no-store``),
``GET /uploads/{id}/pages/{n}`` (a PDF page as PNG), ``POST
/applications/{id}/online-verification``, ``GET /distribution/pending``, ``GET|POST
/distribution-batches``, ``GET /distribution-batches/{id}`` (``?format=pdf``: the signed
list), ``POST /distribution-batches/{id}/receive``.
"""
from __future__ import annotations

import os
import threading

from apiflask import APIBlueprint
from flask import Response, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from .. import applications as apps
from .. import online
from ..errors import NotFound, Unprocessable
from ..limits import online_by_address
from ..tickets import status_url
from . import schemas as s
from .common import _office, actor, ctx, lang, notify

bp = APIBlueprint("online", __name__, url_prefix="/api/v1")

#: Files one request may carry (a case needs 2-4; 200 parts is an attack).
MAX_FILE_PARTS = 12
#: All parts of one request, files and fields.
MAX_FORM_PARTS = 24

_NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}

#: Online submissions processed at once per server process (``LOKET_UPLOAD_REQUESTS``):
#: a burst of twenty citizens is taken one after the other (≈ 0.17 s of CPU each: parsing,
#: checking, re-encoding) instead of twenty at once, so the kiosks' tickets keep their
#: latency (bench/README.md "Online applications"). Waiting costs a thread, no CPU.
UPLOAD_REQUESTS = threading.BoundedSemaphore(max(1, int(os.environ.get("LOKET_UPLOAD_REQUESTS", "1"))))


def store() -> online.UploadStore:
    """This app's uploads folder (``DATA_DIR/uploads``)."""
    return current_app.extensions["loket_uploads"]


def read_multipart(office=None) -> tuple[dict, dict[str, bytes], object]:
    """The request's form fields and files (part name → bytes), read within the limits
    of ``office`` (None: the office the form's ``office`` part names, or the default):
    a body over :func:`online.request_cap` or more than :data:`MAX_FORM_PARTS` parts is
    refused (413) before it is stored anywhere; two files under one name, more than
    :data:`MAX_FILE_PARTS` files, or a file over the per-document limit → 4xx naming
    the part. Returns ``(fields, files, office)``."""
    if not request.mimetype == "multipart/form-data":
        raise Unprocessable("multipart_required", "Kirim sebagai multipart/form-data.",
                            "Send multipart/form-data.", {"field": "files"})
    # the body is read before the form says which office: the cap is the largest office's
    cap = max(online.request_cap(o, MAX_FILE_PARTS) for o in ctx().offices.values())
    if request.content_length is not None and request.content_length > cap:
        raise online.too_large(cap)
    request.max_content_length = cap
    request.max_form_parts = MAX_FORM_PARTS
    request.max_form_memory_size = 200_000
    try:
        form, files = request.form, request.files
    except RequestEntityTooLarge:
        raise online.too_large(cap) from None
    if office is None:
        office = _office(form.get("office") or None)
    from ..app import _bad_text
    found = _bad_text({k: form.get(k) for k in form.keys()}, "")
    if found:
        raise Unprocessable("invalid_text", f"Data tidak sah: {found[0]} ({found[1]}).",
                            f"Invalid data: {found[0]} ({found[1]}).", {"field": found[0]})
    names = list(files.keys())
    if len(names) > MAX_FILE_PARTS:
        raise Unprocessable("too_many_files", f"Terlalu banyak berkas (paling banyak {MAX_FILE_PARTS}).",
                            f"Too many files (at most {MAX_FILE_PARTS}).", {"field": "files"})
    limit = office.online.upload_max_bytes
    out: dict[str, bytes] = {}
    for name in names:
        parts = [f for f in files.getlist(name) if f.filename != ""]  # a browser's "no file chosen"
        if not parts:
            continue
        if len(parts) != 1:
            raise online.refused(name, "one_file_per_document", "Satu berkas untuk setiap dokumen.",
                                 "One file per document.")
        data = parts[0].stream.read(limit + 1)
        if len(data) > limit:
            raise online.refused(name, "file_too_large", f"Berkas terlalu besar: paling besar {limit / 1e6:g} MB.",
                                 f"The file is too large: at most {limit / 1e6:g} MB.", max_bytes=limit)
        out[name] = data
    return {k: form.get(k) for k in form.keys()}, out, office


def _created(app, created: bool):
    office = ctx().office(app.office)
    url = status_url(office, app.code)
    body = {"application_code": app.code, "status_url": url, "receipt_url": f"{url}/resi",
            "receipt_pdf_url": f"{url}/resi.pdf", "created": created}
    return body, 201 if created else 200


def submit_from_request():
    """Parse the request and call :func:`online.submit` (used by the API and the
    citizen's form page). Returns ``(application, created)``."""
    fields, files, office = read_multipart()
    app, created = online.submit(
        ctx(), store(), office_code=office.code, service_code=fields.get("service") or "",
        answers=online.parse_json_part(fields.get("answers"), "answers"),
        applicant=online.parse_json_part(fields.get("applicant"), "applicant"),
        pickup_office=fields.get("pickup_office"), files=files, submission_key=fields.get("submission_key"),
        lang=lang() if not fields.get("lang") else ("en" if fields["lang"].startswith("en") else "id"),
        remote_addr=request.remote_addr or "")
    if created:
        notify()
    return app, created


@bp.post("/online-applications")
@online_by_address
@bp.doc(tags=["online"], summary="Apply from home with one upload per required document (multipart)")
def online_submit():
    with UPLOAD_REQUESTS:
        app, created = submit_from_request()
    return _created(app, created)


def reupload_from_request(code: str):
    """Parse the request and call :func:`online.reupload`."""
    app = online.by_code(code)
    office = ctx().office(app.office)
    _, files, _ = read_multipart(office)
    app = online.reupload(ctx(), store(), code, files, remote_addr=request.remote_addr or "")
    notify()
    return app


@bp.post("/online-applications/<code>/documents")
@online_by_address
@bp.doc(tags=["online"], summary="Upload again what the officer asked for, under the same code")
def online_reupload(code):
    with UPLOAD_REQUESTS:
        app = reupload_from_request(code)
    return {"application_code": app.code, **online.public_online(ctx(), app, lang())}


@bp.get("/online-applications/<code>")
@bp.doc(tags=["online"], summary="Public status of an online application, with the officer's notes")
def online_status(code):
    app = online.by_code(code)
    return {**apps.public_status(ctx(), app.code, lang()), "online": online.public_online(ctx(), app, lang())}


@bp.post("/applications/<int:app_id>/online-verification")
@bp.input(s.OnlineVerifyIn, arg_name="body")
@bp.doc(tags=["online"], summary="Accept an online application or return it with notes (SOP 001 row 2)")
def online_verify(app_id, body):
    app = online.verify(ctx(), actor(), app_id, outcome=body["outcome"], present=body["present"],
                        siak_reference=body["siak_reference"], notes=body["notes"], expected_version=body["version"])
    notify()
    return apps.application_dict(ctx(), app, lang=lang())


@bp.get("/uploads/<int:upload_id>")
@bp.doc(tags=["online"], summary="An uploaded document (staff who may read the berkas)")
def upload_get(upload_id):
    up, data = online.upload_for_staff(ctx(), actor(), upload_id, store())
    ext = "pdf" if up.kind == "pdf" else "jpg"
    return Response(data, mimetype=up.content_type,
                    headers={**_NO_STORE, "Content-Disposition": f'inline; filename="{up.requirement}.{ext}"'})


@bp.get("/uploads/<int:upload_id>/pages/<int:page>")
@bp.doc(tags=["online"], summary="Page n (1-based) of an uploaded PDF as PNG, for the station")
def upload_page(upload_id, page):
    from ..uploads import render_pdf_page
    up, data = online.upload_for_staff(ctx(), actor(), upload_id, store())
    if up.kind != "pdf":
        raise NotFound("not_a_pdf", "Unggahan ini bukan PDF.", "This upload is not a PDF.", {"id": upload_id})
    width = min(2000, max(400, request.args.get("width", 1400, type=int)))
    try:
        png = render_pdf_page(data, page - 1, width=width)
    except IndexError:
        raise NotFound("unknown_page", "Halaman tidak ada.", "No such page.", {"page": page, "pages": up.pages}) \
            from None
    return Response(png, mimetype="image/png", headers=_NO_STORE)


@bp.get("/distribution/pending")
@bp.input(s.OfficeQuery, location="query", arg_name="query")
@bp.doc(tags=["online"], summary="Printed documents waiting to be sent, by pickup office (SOP 001 row 4)")
def distribution_pending(query):
    return {"groups": online.pending_distribution(ctx(), actor(), query["office"])}


@bp.post("/distribution-batches")
@bp.input(s.BatchIn, arg_name="body")
@bp.doc(tags=["online"], summary="Send the waiting documents of one pickup office as a batch")
def batch_create(body):
    batch = online.create_batch(ctx(), actor(), body["office"], body["pickup_office"], body["applications"])
    notify()
    return online.batch_dict(ctx(), batch), 201


@bp.get("/distribution-batches")
@bp.input(s.BatchQuery, location="query", arg_name="query")
@bp.doc(tags=["online"], summary="Batches sent by an office, or to a pickup office (pending=true: not received)")
def batch_list(query):
    return {"batches": online.batches(ctx(), actor(), office_code=query["office"],
                                      pickup_office=query["pickup_office"], pending_only=query["pending"])}


@bp.get("/distribution-batches/<int:batch_id>")
@bp.doc(tags=["online"], summary="One batch with its documents; ?format=pdf: the list to sign")
def batch_get(batch_id):
    batch = online.batch_for_staff(ctx(), actor(), batch_id)
    data = online.batch_dict(ctx(), batch)
    if request.args.get("format") == "pdf":
        from ..report_files import batch_pdf
        pdf = batch_pdf(ctx(), data, lang())
        return Response(pdf, mimetype="application/pdf",
                        headers={**_NO_STORE, "Content-Disposition": f'inline; filename="{batch.code}.pdf"'})
    return data


@bp.post("/distribution-batches/<int:batch_id>/receive")
@bp.input(s.BatchReceiveIn, arg_name="body")
@bp.doc(tags=["online"], summary="The pickup office confirms the batch arrived (SOP 001 row 5)")
def batch_receive(batch_id, body):
    batch = online.receive_batch(ctx(), actor(), batch_id, body["note"])
    notify()
    return online.batch_dict(ctx(), batch)

"""HTTP API ``/api/v1/reports``: the head of office's reports (issue 7 §3).

``GET /daily``, ``/distribution``, ``/register`` answer JSON, PDF (``printing.reports``)
or XLSX (``printing.xlsx``) by ``format``; ``GET /staffing`` answers JSON (Erlang C,
``domain.staffing``). Roles: ``kepala`` of the office, or an admin (any office with an
all-offices account); staff of another office get 403. Errors use the API's one shape
(raised as ``queue_server.errors``/domain errors, formatted by the app's handlers).
``GET /ikm`` gives the IKM score (Permen PANRB 14/2017) for the kepala.
"""
from __future__ import annotations

from datetime import date

from apiflask import APIBlueprint, Schema
from apiflask.fields import Float, String
from apiflask.validators import Length, OneOf, Range, Regexp
from flask import Response, current_app, g, request

from .. import reports
from ..report_files import MIMETYPES, FileContext, file_name, render_file
from ..auth import require
from ..context import Context
from ..domain import roles
from ..domain.office import Office
from ..db.models import IkmResponse
from ..domain.ikm import ikm_score
from ..errors import Unprocessable
from . import schemas as s
from .common import _office as _caller_office
from .common import actor

bp = APIBlueprint("reports", __name__, url_prefix="/api/v1/reports")

FORMATS = ("json", "pdf", "xlsx")
#: Longest period of one register or distribution request (days).
MAX_RANGE_DAYS = 366
_DATE = Regexp(r"^\d{4}-\d{2}-\d{2}$", error="Use YYYY-MM-DD.")


class DailyQuery(Schema):
    date = String(load_default=None, validate=_DATE)
    office = String(load_default=None, validate=Length(1, 64))
    format = String(load_default="json", validate=OneOf(FORMATS))
    lang = String(load_default=None, validate=OneOf(("id", "en")))


class RangeQuery(Schema):
    date = String(load_default=None, validate=_DATE)
    office = String(load_default=None, validate=Length(1, 64))
    format = String(load_default="json", validate=OneOf(FORMATS))
    lang = String(load_default=None, validate=OneOf(("id", "en")))
    from_ = String(load_default=None, validate=_DATE, data_key="from")
    to = String(load_default=None, validate=_DATE)


class StaffingQuery(Schema):
    date = String(load_default=None, validate=_DATE)
    office = String(load_default=None, validate=Length(1, 64))
    target_wait_minutes = Float(load_default=15.0, validate=Range(min=0.5, max=240))


def _ctx() -> Context:
    return current_app.extensions["loket"]


def _office(code: str | None) -> Office:
    """The office asked for (or the caller's own), checked against the caller's role."""
    actor = g.get("actor")
    require(actor, roles.KEPALA)
    office = _ctx().office(code or actor.office)
    require(actor, roles.KEPALA, office=office.code)
    return office


def _lang(query: dict) -> str:
    value = query.get("lang") or request.headers.get("Accept-Language", "id")
    return "en" if value.lower().startswith("en") else "id"


#: Report days Loket can have data for: from 2000 to the end of next year (a date like
#: 9999-12-31 cannot be turned into the office's day bounds; issue 16 item 11).
FIRST_REPORT_DAY = date(2000, 1, 1)


def _date(value: str | None, office: Office, name: str = "date") -> date:
    """The report day ``value`` (ISO); today when None. Raises ``Unprocessable`` naming
    the field for a date that does not exist or lies outside 2000 .. the end of next year."""
    if value is None:
        return _ctx().today(office)
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise Unprocessable("invalid_date", f"Tanggal '{value}' tidak ada.", f"'{value}' is not a date.",
                            {"field": name}) from None
    last = date(_ctx().today(office).year + 1, 12, 31)
    if not FIRST_REPORT_DAY <= day <= last:
        raise Unprocessable("date_out_of_range",
                            f"Tanggal {value} di luar rentang laporan ({FIRST_REPORT_DAY.isoformat()} s.d. "
                            f"{last.isoformat()}).", f"{value} is outside the report range "
                            f"({FIRST_REPORT_DAY.isoformat()} to {last.isoformat()}).", {"field": name})
    return day


def _range(query: dict, office: Office) -> tuple[date, date]:
    if query["from_"] or query["to"]:
        start = _date(query["from_"] or query["to"], office, "from")
        end = _date(query["to"] or query["from_"], office, "to")
    else:
        start = end = _date(query["date"], office)
    if end < start:
        raise Unprocessable("invalid_range", "Tanggal akhir sebelum tanggal awal.", "'to' is before 'from'.",
                            {"from": start.isoformat(), "to": end.isoformat()})
    if (end - start).days >= MAX_RANGE_DAYS:
        raise Unprocessable("range_too_long", f"Periode paling lama {MAX_RANGE_DAYS} hari.",
                            f"The period may span at most {MAX_RANGE_DAYS} days.")
    return start, end


def _file(kind: str, data, query: dict, office: Office, start: date, end: date | None = None) -> Response:
    """The report file of ``kind`` in the query's format (``report_files``), as a download."""
    fmt = query["format"]
    context = FileContext(office.name, start, end or start, _lang(query), _ctx().local(office))
    name = file_name(kind, office.code, start, end, fmt)
    return Response(render_file(kind, fmt, data, context), mimetype=MIMETYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


@bp.get("/daily")
@bp.input(DailyQuery, location="query", arg_name="query")
@bp.doc(tags=["reports"], summary="The day's recap: tickets, waits, lateness per SOP step, officers, IKM "
                                  "(format json, pdf or xlsx; kepala/admin)")
def daily(query):
    office = _office(query["office"])
    day = _date(query["date"], office)
    lang = _lang(query)
    report = reports.daily_report(office, day, lang=lang)
    if query["format"] != "json":
        return _file("daily", report.recap, query, office, day)
    return report.data


@bp.get("/distribution")
@bp.input(RangeQuery, location="query", arg_name="query")
@bp.doc(tags=["reports"], summary="Printed documents grouped by kecamatan for the UPTD heads (SOP 001)")
def distribution(query):
    office = _office(query["office"])
    start, end = _range(query, office)
    recap = reports.distribution_recap(office, start, end)
    if query["format"] != "json":
        return _file("distribution", recap, query, office, start, end)
    return reports.distribution_dict(recap)


@bp.get("/register")
@bp.input(RangeQuery, location="query", arg_name="query")
@bp.doc(tags=["reports"], summary="Register KIA rows of a period (SOP 000 records)")
def register(query):
    office = _office(query["office"])
    start, end = _range(query, office)
    rows = reports.register_rows(office, start, end)
    if query["format"] != "json":
        return _file("register", rows, query, office, start, end)
    return {"office": office.code, "from": start.isoformat(), "to": end.isoformat(),
            "rows": reports.register_dicts(rows)}


@bp.get("/staffing")
@bp.input(StaffingQuery, location="query", arg_name="query")
@bp.doc(tags=["reports"], summary="Counters needed per service and hour tomorrow for a mean wait target "
                                  "(Erlang C, M/M/c)")
def staffing(query):
    office = _office(query["office"])
    day = _date(query["date"], office)
    return {"office": office.code, **reports.staffing_for(office, day, query["target_wait_minutes"] * 60.0)}


@bp.get("/ikm")
@bp.input(s.DayQuery, location="query", arg_name="query")
@bp.doc(tags=["reports"], summary="IKM score (NRR per element, converted score and category)")
def report_ikm(query):
    office = _caller_office(query["office"])
    require(actor(), roles.KEPALA, office=office.code)
    q = IkmResponse.select().where(IkmResponse.office == office.code)
    if query["date"]:
        q = q.where(IkmResponse.office_day == _date(query["date"], office).isoformat())
    responses = [r.answers for r in q]
    if not responses:
        return {"respondents": 0}
    res = ikm_score(responses)
    return {"respondents": res.respondents, "nrr": list(res.nrr), "ikm": res.ikm, "converted": res.converted,
            "category": res.category, "label": res.label}

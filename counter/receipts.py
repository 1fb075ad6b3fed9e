"""What the counter station prints: slips, the tanda terima and the KIA card.

Thin glue between the server's answers and ``printing``'s layouts; every function is
called only after the server recorded what the paper says ("record first, then
print"), so a printer fault needs only a reprint. Texts come from the office (names,
zone) and the station's catalogue.
"""
from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from .texts import tr

if TYPE_CHECKING:  # pragma: no cover
    from .session import StationSession

#: Card data the server does not hold (keyed from the SIAK record at the printing
#: station): field → catalogue key of its label. Permendagri 2/2016 card content.
CARD_FIELDS = {
    "birth_place": "card_birth_place",
    "kk_number": "card_kk_number",
    "head_of_family": "card_head_of_family",
    "birth_certificate_number": "card_birth_certificate_number",
    "religion": "card_religion",
    "address": "card_address",
}


def office_names(s: "StationSession") -> tuple[str, str]:
    """(name, short name) of the station's office."""
    return s.office.get("name", ""), s.office.get("short_name", "") or s.office.get("name", "")


def officer_name(s: "StationSession") -> str:
    """The logged-in officer's full name (or username)."""
    return (s.user or {}).get("full_name") or (s.user or {}).get("username", "")


def print_ticket(s: "StationSession", ticket: dict) -> object:
    """Print a queue ticket again at the counter (the kiosk's print failed): the server's
    ``POST /tickets/reprint`` answer, the checklist the kiosk recorded. Raises PrinterError."""
    from datetime import datetime

    from printing.model import Ticket
    name, short = office_names(s)
    service = ticket.get("service_name_en") if s.lang == "en" else ticket.get("service_name")
    model = Ticket(office_name=ticket.get("office_name") or name, office_short=short,
                   service_name=service or ticket["service"], number=ticket["number"],
                   issued_at=datetime.fromisoformat(ticket["issued_at"]), zone=ticket.get("zone", ""),
                   people_ahead=int(ticket.get("people_ahead") or 0),
                   estimated_wait_seconds=ticket.get("estimated_wait_seconds"),
                   checklist=tuple(i["label"] for i in (ticket.get("checklist") or {}).get("items") or []),
                   status_code=ticket.get("code") or "", lang=s.lang,
                   priority=_priority_label(s, ticket.get("priority")))
    return s._require_printer().print_ticket(model)


def _priority_label(s: "StationSession", code: str | None) -> str:
    """The priority category's label (``GET /services`` lists them) or ""."""
    if not code:
        return ""
    return next((c["label"] for c in s.priority_categories if c["code"] == code), code)


def print_rejection(s: "StationSession", app: dict, ticket_number: str | None) -> object:
    """Print the slip listing what is missing from a returned berkas (SOP 000 row 2).
    Returns the printer's job record. Raises ``printing.errors.PrinterError``."""
    from printing.model import RejectionSlip
    name, short = office_names(s)
    slip = RejectionSlip(name, short, app["service_name"], ticket_number or app["code"], s.now(),
                         s.office.get("zone", ""), tuple(m["label"] for m in app.get("missing") or []),
                         officer_name(s), counter=s.counter_label(), lang=s.lang)
    return s._require_printer().print_rejection(slip)


def print_pickup(s: "StationSession", app: dict, place: str) -> object:
    """Print the slip pengambilan of ``app`` to collect it at ``place``; the ready date
    is the server's ``ready_by`` (the service's ``completion_days`` in working days from
    the application date), today when the office file promises none. Raises PrinterError."""
    from printing.model import PickupSlip
    name, short = office_names(s)
    ready = date.fromisoformat(app["ready_by"]) if app.get("ready_by") else s.today()
    slip = PickupSlip(name, short, app["code"], app["applicant"]["name"] or "-", (app["service_name"],),
                      ready, "counter", place, s.now(), s.office.get("zone", ""),
                      (tr(s.lang, "slip_bring"), tr(s.lang, "slip_bring_kk")), lang=s.lang,
                      complaints=tuple(s.office.get("complaints") or ()))
    return s._require_printer().print_pickup(slip)


def print_handover(s: "StationSession", app: dict, received_by: str, relation: str) -> object:
    """Print the tanda terima of a recorded hand-over (SOP 000 row 7). Raises PrinterError."""
    from printing.model import HandoverReceipt
    name, short = office_names(s)
    receipt = HandoverReceipt(name, short, app["code"], app["service_name"], received_by, relation, officer_name(s),
                              s.now(), s.office.get("zone", ""), app["applicant"]["name"] or "", s.lang)
    return s._require_printer().print_handover(receipt)


def card_issuer_gaps(office: dict) -> list[str]:
    """Office-file keys a real KIA cannot be printed without: ``office.head_name`` while
    empty or still the shipped "CONTOH - ..." example, ``office.province`` while empty
    (the card's first line). [] when the office file is complete."""
    gaps = []
    head = (office.get("head_name") or "").strip()
    if not head or head.upper().startswith("CONTOH"):
        gaps.append("office.head_name")
    if not (office.get("province") or "").strip():
        gaps.append("office.province")
    return gaps


def build_card(s: "StationSession", app: dict, card_data: dict | None, photo: bytes | None):
    """A ``printing.model.KiaCard`` from the berkas (name, NIK, sex, birth date, the
    card data recorded at its print), its photo and the card data keyed at the printing
    station (:data:`CARD_FIELDS`; for a reprint the berkas's own). The head of office and
    the province come from the office file only. Raises ValueError (message in the
    station's language) when a card field or the sex is missing, or when the office
    file lacks what a real card needs (:func:`card_issuer_gaps`) and the output is a
    real printer; a preview (spool) output gets a "CONTOH - TIDAK SAH" specimen instead."""
    from printing.card import CardOutput
    from printing.model import KiaCard
    data = {**(app.get("card_data") or {}), **{k: v for k, v in (card_data or {}).items() if str(v or "").strip()}}
    missing = [tr(s.lang, key) for k, key in CARD_FIELDS.items() if not str(data.get(k) or "").strip()]
    if missing:
        raise ValueError(tr(s.lang, "card_data_missing", fields=", ".join(missing)))
    sex = app["applicant"].get("sex") or ""
    if sex not in ("L", "P"):
        raise ValueError(tr(s.lang, "card_sex_missing"))
    gaps = card_issuer_gaps(s.office)
    if gaps and CardOutput(s.card_output).kind == "cups":
        raise ValueError(tr(s.lang, "card_office_file_incomplete", keys=", ".join(gaps)))
    facts = (app.get("checklist") or {}).get("facts") or {}
    nik = app["applicant"]["nik"]
    variant = int(facts.get("kia_variant") or (2 if photo else 1))
    issued = s.today()
    regency = s.office.get("regency") or ""
    province = (s.office.get("province") or "").strip()
    return KiaCard(
        nik=nik, name=app["applicant"]["name"].upper(), sex=sex,
        birth_place=data["birth_place"].upper(), birth_date=date.fromisoformat(app["applicant"]["birth_date"]),
        kk_number=data["kk_number"].strip(), head_of_family=data["head_of_family"].upper(),
        birth_certificate_number=data["birth_certificate_number"].strip(),
        religion=data["religion"].upper(), nationality=data.get("nationality") or "WNI",
        address=data["address"].upper(), variant=variant,
        valid_until=date.fromisoformat(facts["valid_until"]) if facts.get("valid_until") else issued,
        issuing_office=(s.office.get("short_name") or "").upper(),
        issue_place=regency.replace("Kabupaten ", "").replace("Kota ", "").upper(),
        issue_date=issued, head_name=(s.office.get("head_name") or "").upper(), head_nip=s.office.get("head_nip") or "",
        qr_payload=f"KIA:{nik}:{issued.isoformat()}", photo_jpeg=photo if variant == 2 else None,
        region_header="\n".join(x for x in (f"PROVINSI {province}".upper() if province else "", regency.upper()) if x),
        specimen=bool(gaps))


def deliver_card(s: "StationSession", card, name: str) -> str:
    """Render ``card`` (``printing.card.render_card``) and deliver it to the station's
    card output; returns where it went (spool path or lp answer). Raises PrinterError."""
    from printing.card import CardOutput, render_card
    return CardOutput(s.card_output).deliver(render_card(card), name)

"""Kiosk answers -> facts -> requirements checklist and eligibility (issue 2 §2).

The kiosk asks a service's ``questions`` (office file); ``compute_facts`` checks the
answers and adds facts derived by the built-in rules named in ``Service.rules``;
``build_checklist`` keeps the requirements whose ``when`` condition matches the
facts and lists why the applicant cannot be served, if so.

Facts are a plain dict: every answered question by its key (dates as ``date``,
choices as their value string, bools as ``bool``) plus derived facts:

* ``rules == "kia"`` (Permendagri 2/2016; needs answer ``birth_date``):
  ``age_years`` and ``kia_eligible``; when eligible also ``kia_variant`` (1|2),
  ``photo_required`` and ``valid_until``.
* ``rules == "ikd"`` (Permendagri 72/2022; reads the bool answers
  ``ktp_el_recorded``, ``age17_or_married``, ``has_device_and_email`` when the
  service asks them; one it does not ask is left to the officer):
  ``ikd_eligible``, True when no ineligibility reason was found (neither by the
  IKD rule nor by an eligibility question of the service).

Answer keys that are not questions of the service are ignored, so a client cannot
set derived facts such as ``kia_variant`` itself.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from .errors import Issue, NotEligible, ValidationError
from .ikd import REASON_FOR_INPUT, ikd_eligibility
from .kia import age_on, kia_decision
from .office import Question, Service

__all__ = ["Issue", "ChecklistItem", "Checklist", "compute_facts", "build_checklist", "skipped_questions", "RULES",
           "REFUSAL_CODES"]

#: Built-in rule sets a ``Service.rules`` may name.
RULES = ("kia", "ikd")
#: The refusal codes each built-in rule set gives (an office file may word them itself:
#: ``[services.refusals]``).
REFUSAL_CODES = {"kia": ("kia_age_17_or_over",),
                 "ikd": tuple(reason.code for reason in REASON_FOR_INPUT.values())}
#: Answer keys the built-in rules read.
KIA_BIRTH_DATE = "birth_date"
IKD_INPUTS = tuple(REASON_FOR_INPUT)

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TRUE = ("true",)
_FALSE = ("false",)


@dataclass(frozen=True)
class ChecklistItem:
    """One line of the checklist: requirement ``code``, ``label`` and optional ``note``
    (already in the requested language)."""

    code: str
    label: str
    note: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """``{"code", "label", "note"}``."""
        return {"code": self.code, "label": self.label, "note": self.note}


@dataclass(frozen=True)
class Checklist:
    """What the applicant must bring and whether they can be served.

    ``items``: the matching requirements in the office file's order; ``facts``: as
    ``compute_facts``; ``eligible``: False when ``ineligible`` is not empty;
    ``ineligible``: reasons (from eligibility questions and the KIA/IKD rules);
    ``skipped_questions``: keys of the questions not asked in this case (their ``when``).
    """

    items: tuple[ChecklistItem, ...]
    facts: dict[str, Any]
    eligible: bool
    ineligible: tuple[Issue, ...] = ()
    skipped_questions: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form: dates in facts as ISO strings."""
        return {
            "items": [i.as_dict() for i in self.items],
            "facts": {k: _jsonable(v) for k, v in self.facts.items()},
            "eligible": self.eligible,
            "ineligible": [i.as_dict() for i in self.ineligible],
            "skipped_questions": list(self.skipped_questions),
        }


def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return value


def _invalid(code: str, message: str, message_en: str, question: Question, **details: Any) -> ValidationError:
    return ValidationError(code, message, message_en, {"question": question.key, **details})


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _parse_answer(question: Question, value: Any) -> Any:
    """One answer converted to its fact value; raises ``ValidationError``."""
    label = question.label.id
    if question.kind == "date":
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        raise _invalid(
            "answer_invalid_date",
            f"{label}: tanggal tidak valid (format YYYY-MM-DD).",
            f"{question.label.get('en')}: invalid date (format YYYY-MM-DD).",
            question,
            value=str(value),
        )
    if question.kind == "choice":
        allowed = [c.value for c in question.choices]
        if isinstance(value, str) and value in allowed:
            return value
        raise _invalid(
            "answer_invalid_choice",
            f"{label}: pilihan tidak dikenal.",
            f"{question.label.get('en')}: unknown choice.",
            question,
            value=str(value),
            allowed=allowed,
        )
    if question.kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE + _FALSE:
            return value.strip().lower() in _TRUE
        raise _invalid(
            "answer_invalid_bool",
            f"{label}: jawaban harus ya atau tidak.",
            f"{question.label.get('en')}: the answer must be yes or no.",
            question,
            value=str(value),
        )
    raise _invalid(
        "question_kind_unknown",
        f"Jenis pertanyaan {question.kind!r} tidak dikenal.",
        f"Unknown question kind {question.kind!r}.",
        question,
    )


def _required(key: str) -> ValidationError:
    return ValidationError(
        "answer_required",
        f"Pertanyaan '{key}' wajib dijawab.",
        f"Question '{key}' must be answered.",
        {"question": key},
    )


def _derive(service: Service, answers: Mapping[str, Any], on_date: date,
            partial: bool = False) -> tuple[dict[str, Any], list[Issue]]:
    """Facts plus ineligibility reasons; raises ``ValidationError`` for bad answers.
    ``partial``: answers still to come are not errors, and a rule whose input is
    missing is not judged yet."""
    if not isinstance(answers, Mapping):
        raise ValidationError(
            "answers_not_object",
            "Jawaban harus berupa objek kunci-nilai.",
            "Answers must be a key-value object.",
        )
    if not isinstance(on_date, date):
        raise ValidationError("invalid_date", "Tanggal permohonan tidak valid.", "Invalid application date.",
                              {"field": "on_date"})
    if isinstance(on_date, datetime):
        on_date = on_date.date()
    facts: dict[str, Any] = {}
    ineligible: list[Issue] = []
    eligibility_keys: set[str] = set()
    for question in service.questions:
        if question.when.facts:
            continue  # judged below, once the derived facts it names are known
        _answer(question, answers, facts, ineligible, eligibility_keys, partial)

    if service.rules == "kia":
        birth_date = facts.get(KIA_BIRTH_DATE)
        if birth_date is None and partial:
            return facts, ineligible
        if birth_date is None:
            raise _required(KIA_BIRTH_DATE)
        age = age_on(birth_date, on_date)  # ValidationError for a future birth date
        facts["age_years"] = age
        try:
            decision = kia_decision(birth_date, on_date)
        except NotEligible as refusal:
            facts["kia_eligible"] = False
            ineligible.append(_worded(service, Issue(refusal.code, refusal.message, refusal.message_en),
                                      age=age))
        else:
            facts["kia_eligible"] = True
            facts["kia_variant"] = decision.variant
            facts["photo_required"] = decision.photo_required
            facts["valid_until"] = decision.valid_until
    elif service.rules == "ikd":
        # An input the office does not ask (or an optional one left unanswered) is
        # not judged here: the officer checks it at the counter.
        inputs = {key: facts.get(key, True) for key in IKD_INPUTS}
        result = ikd_eligibility(**inputs)
        for key, reason in REASON_FOR_INPUT.items():
            # An eligibility question of the office already gave its own reason.
            if reason in result.reasons and key not in eligibility_keys:
                ineligible.append(_worded(service, reason))
        facts["ikd_eligible"] = not ineligible
    elif service.rules is not None:
        raise ValidationError(
            "service_rules_unknown",
            f"Aturan layanan {service.rules!r} tidak dikenal.",
            f"Unknown service rules {service.rules!r}.",
            {"rules": service.rules, "known": list(RULES)},
        )
    for question in service.questions:
        if not question.when.facts or not question.when.matches(facts):
            continue  # not asked in this case (or, partially, not known yet): its answer is ignored
        _answer(question, answers, facts, ineligible, eligibility_keys, partial)
    return facts, ineligible


def _answer(question, answers: Mapping[str, Any], facts: dict[str, Any], ineligible: list[Issue],
            eligibility_keys: set[str], partial: bool) -> None:
    """Record one asked question's answer in ``facts``; an eligibility question answered
    otherwise adds its reason to ``ineligible``. Raises ``ValidationError`` for a bad or
    (unless ``partial``) missing required answer."""
    value = answers.get(question.key)
    if _is_missing(value):
        if question.required and not partial:
            raise _required(question.key)
        return
    fact = _parse_answer(question, value)
    facts[question.key] = fact
    if question.kind == "bool" and question.eligible_if is not None:
        eligibility_keys.add(question.key)
        if fact != question.eligible_if:
            msg = question.ineligible_message
            ineligible.append(Issue(f"ineligible_{question.key}",
                                    msg.id if msg else f"Tidak memenuhi syarat: {question.label.id}",
                                    msg.get("en") if msg else f"Not eligible: {question.label.get('en')}"))


def skipped_questions(service: Service, facts: Mapping[str, Any]) -> list[str]:
    """Keys of the questions not asked for these ``facts``: their ``when`` names derived
    facts that are known and do not match. A question whose facts are not known yet
    (a partial answer) is not skipped."""
    out = []
    for q in service.questions:
        known = all(key in facts for key, _ in q.when.facts)
        if q.when.facts and known and not q.when.matches(facts):
            out.append(q.key)
    return out


def _worded(service: Service, issue: Issue, **values: Any) -> Issue:
    """``issue`` in the office's own words when its file gives them (``refusals``), with
    ``{age}`` filled in; the rule's own (counter-free) text otherwise."""
    text = service.refusals.get(issue.code)
    if text is None:
        return issue
    return Issue(issue.code, text.id.format_map(_Defaults(values)), text.get("en").format_map(_Defaults(values)))


class _Defaults(dict):
    """``str.format_map`` mapping that leaves an unknown ``{name}`` as it is."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def compute_facts(service: Service, answers: Mapping[str, Any], on_date: date) -> dict[str, Any]:
    """Validate the kiosk ``answers`` against ``service.questions`` and derive facts.

    ``answers`` maps question keys to JSON values (dates as ISO ``YYYY-MM-DD``
    strings or ``date``; choices as one of the question's values; bools as
    ``true``/``false`` or the strings ``"true"``/``"false"``); ``on_date`` is the
    application date (age is taken on it). Returns the facts dict described in the
    module docstring. Raises ``ValidationError`` with code ``answer_required``
    (details ``{"question": key}``) for a missing required answer (or a missing
    ``birth_date`` that the ``kia`` rules need),
    ``answer_invalid_date`` / ``answer_invalid_choice`` / ``answer_invalid_bool``,
    ``birth_date_in_future``, ``answers_not_object`` or ``service_rules_unknown``.
    Ineligibility is not an error here: see ``build_checklist``.
    """
    facts, _ = _derive(service, answers, on_date)
    return facts


def build_checklist(service: Service, answers: Mapping[str, Any], on_date: date, lang: str = "id",
                    partial: bool = False) -> Checklist:
    """The requirements checklist for ``answers`` on ``on_date`` in ``lang`` ("id"/"en").

    Items are the service's requirements whose ``when`` matches the facts (office
    file order). ``ineligible`` holds, in order: the ``ineligible_message`` of each
    eligibility question (bool with ``eligible_if``) answered otherwise, then the
    KIA refusal (``kia_age_17_or_over``) or the IKD reasons not already covered by
    an eligibility question. Raises the same ``ValidationError`` as
    ``compute_facts``.

    ``partial=True`` judges the answers given so far (the kiosk asks after each answer,
    so a 19-year-old is refused for KIA on the date screen): missing answers are no
    error and a rule is judged only once its input is there. The items of a partial
    checklist are provisional.
    """
    facts, ineligible = _derive(service, answers, on_date, partial)
    items = tuple(
        ChecklistItem(
            code=req.code,
            label=req.label.get(lang),
            note=req.note.get(lang) if req.note else None,
        )
        for req in service.requirements
        if req.when.matches(facts)
    )
    return Checklist(items=items, facts=facts, eligible=not ineligible, ineligible=tuple(ineligible),
                     skipped_questions=tuple(skipped_questions(service, facts)))

"""Services: questions, choices, requirements, SOP steps (mutu baku, effects) and ``when`` conditions."""
from __future__ import annotations

from dataclasses import replace

import difflib
import math
import re
from typing import Any, Callable, Mapping

from ..domain.office import (
    BACK_OFFICE_EFFECTS,
    CHANNEL_ALL,
    CHANNEL_COUNTER,
    CHANNEL_ONLINE,
    CHANNELS,
    EFFECT_ONLINE_VERIFICATION,
    BookingPolicy,
    COUNTER_EFFECTS,
    EFFECTS,
    PRESENCE_COUNTER,
    PRESENCES,
    Choice,
    Condition,
    Question,
    Requirement,
    Service,
    Step,
)
from ..domain.roles import DEVICE_ROLES, STAFF_ROLES
from .reader import _MISSING, BaseReader, _describe, _is_int, _join, _ServiceContext
from .schema import (
    _BOOKING_KEYS,
    _CHOICE_KEYS,
    _FACT_RULES,
    _LOWER_CODE_RE,
    _PREFIX_RE,
    _QUESTION_KEYS,
    _QUESTION_REQUIRED,
    _REQUIREMENT_KEYS,
    _REQUIREMENT_REQUIRED,
    _SERVICE_CODE_RE,
    _SERVICE_KEYS,
    _SERVICE_REQUIRED,
    _STEP_KEYS,
    _STEP_REQUIRED,
    DERIVED_FACTS,
    IKD_QUESTION_KEYS,
    KIA_BIRTH_DATE_KEY,
    QUESTION_KINDS,
    REFUSAL_CODES,
    RULES,
)


class ServiceReader(BaseReader):
    """Services: questions, choices, requirements, SOP steps (mutu baku, effects) and ``when`` conditions."""

    def services(self, data: Mapping[str, Any]) -> list[Service]:
        if "services" in data and not isinstance(data["services"], list):
            self.problem("services", f"harus berupa daftar tabel [[services]], didapat {_describe(data['services'])} "
                                     f"(must be an array of tables)")
            return []
        raws = self.tables(data, "services", "") if "services" in data else []
        if "services" in data and not data["services"]:
            self.problem("services", "kantor harus punya paling sedikit satu layanan (at least one service is required)")
        out: list[Service] = []
        codes: dict[str, str] = {}
        prefixes: dict[str, str] = {}
        for i, raw in enumerate(raws, start=1):
            label = raw.get("code") if isinstance(raw.get("code"), str) and raw.get("code") else str(i)
            path = f"services[{label}]"
            mark = self.checkpoint()
            service = self.service(raw, path)
            if service is not None:
                self.unique(codes, service.code, str(i), _join(path, "code"),
                            lambda first: f"kode layanan '{service.code}' sudah dipakai oleh layanan ke-{first} "
                                          f"(duplicate service code)")
                self.unique(prefixes, service.prefix, service.code, _join(path, "prefix"),
                            lambda first: f"awalan nomor '{service.prefix}' sudah dipakai oleh layanan {first} "
                                          f"(duplicate ticket prefix)")
            if self.clean_since(mark) and service is not None:
                out.append(service)
            elif isinstance(raw.get("code"), str):
                self.broken_services.add(raw["code"].strip())
        return out

    def service(self, raw: dict[str, Any], path: str) -> Service | None:
        mark = self.checkpoint()
        self.keys(raw, path, _SERVICE_KEYS, _SERVICE_REQUIRED)
        code = self.code(raw, "code", path, _SERVICE_CODE_RE,
                         "huruf besar, angka dan '_', diawali huruf, mis. 'KIA' atau 'AKTA_LAHIR' "
                         "(uppercase letters, digits and '_')")
        name = self.text(raw, "name", path)
        prefix = self.code(raw, "prefix", path, _PREFIX_RE,
                           "1–2 huruf besar, mis. 'A' (ticket prefix: 1-2 uppercase letters)")
        icon = self.string(raw, "icon", path, default="")
        description = self.text(raw, "description", path, default=None)
        rules = self.string(raw, "rules", path, default=None)
        if isinstance(rules, str) and rules not in RULES:
            self.problem(_join(path, "rules"), f"aturan '{rules}' tidak dikenal (unknown rules; choose one of "
                                               f"{', '.join(RULES)} or leave it out)")
            rules = _MISSING
        pickup = self.boolean(raw, "pickup", path, default=True)
        online = self.boolean(raw, "online", path, default=False)
        completion_days = self.integer(raw, "completion_days", path, minimum=1, default=None)
        daily_quota = self.integer(raw, "daily_quota", path, minimum=1, default=None)

        questions, broken_questions = self.questions(raw, path)
        context = _ServiceContext(code=code if isinstance(code, str) else "?",
                                  questions={q.key: q for q in questions},
                                  rules=rules if isinstance(rules, str) else None,
                                  broken_questions=frozenset(broken_questions))
        if context.rules == "kia" and KIA_BIRTH_DATE_KEY not in broken_questions:
            q = context.questions.get(KIA_BIRTH_DATE_KEY)
            if q is None or q.kind != "date":
                self.problem(_join(path, "rules"),
                             f"aturan 'kia' memerlukan pertanyaan '{KIA_BIRTH_DATE_KEY}' bertipe date "
                             f"(rules 'kia' needs a date question with key '{KIA_BIRTH_DATE_KEY}')")
        if context.rules == "ikd":
            missing = [k for k in IKD_QUESTION_KEYS if k not in broken_questions
                       and (k not in context.questions or context.questions[k].kind != "bool")]
            if missing:
                self.problem(_join(path, "rules"),
                             f"aturan 'ikd' memerlukan pertanyaan bool {', '.join(missing)} "
                             f"(rules 'ikd' needs these bool questions)")
        questions = self.question_conditions(raw, path, questions, context)
        requirements = self.requirements(raw, path, context)
        steps = self.steps(raw, path, context)
        self.online_steps(path, steps, online)
        refusals = self.refusals(raw, path, context.rules)
        booking = self.booking(raw, path) if "booking" in raw else None
        if not self.clean_since(mark):
            return None
        return Service(
            code=code, name=name, prefix=prefix, questions=tuple(questions),
            requirements=tuple(requirements), steps=tuple(steps), daily_quota=daily_quota,
            rules=rules, icon=icon, description=description, pickup=pickup,
            completion_days=completion_days, refusals=refusals, booking=booking, online=online,
        )

    def booking(self, raw: Mapping[str, Any], path: str) -> BookingPolicy | None:
        """``[services.booking]``: the service takes bookings (antrean online); every key
        has a default (:class:`BookingPolicy`)."""
        where = _join(path, "booking")
        table = self.table(raw["booking"], where)
        if table is None:
            return None
        mark = self.checkpoint()
        self.keys(table, where, _BOOKING_KEYS)
        d = BookingPolicy()
        values = {
            "days_ahead": self.integer(table, "days_ahead", where, minimum=1, default=d.days_ahead),
            "slot_minutes": self.integer(table, "slot_minutes", where, minimum=5, default=d.slot_minutes),
            "capacity": self.integer(table, "capacity", where, minimum=1, default=d.capacity),
            "walk_in_percent": self.integer(table, "walk_in_percent", where, minimum=0, default=d.walk_in_percent),
            "check_in_before": self.integer(table, "check_in_before", where, minimum=0, default=d.check_in_before),
            "check_in_after": self.integer(table, "check_in_after", where, minimum=0, default=d.check_in_after),
        }
        if isinstance(values["days_ahead"], int) and values["days_ahead"] > 90:
            self.problem(_join(where, "days_ahead"), "paling banyak 90 hari (at most 90 days)")
        if isinstance(values["walk_in_percent"], int) and values["walk_in_percent"] > 90:
            self.problem(_join(where, "walk_in_percent"),
                         "paling banyak 90 (persen); sisakan kuota untuk pemesanan (at most 90 percent)")
        if not self.clean_since(mark):
            return None
        return BookingPolicy(**values)

    def refusals(self, raw: Mapping[str, Any], path: str, rules: str | None) -> dict:
        """``refusals = { kia_age_17_or_over = { id = "...", en = "..." } }``: the office's
        wording of its rules' refusals (where to go in this office); keys are the codes
        of the service's ``rules``."""
        if "refusals" not in raw:
            return {}
        where = _join(path, "refusals")
        table = self.table(raw["refusals"], where)
        if table is None:
            return {}
        known = REFUSAL_CODES.get(rules or "", ())
        out = {}
        for key in table:
            if key not in known:
                self.problem(_join(where, key), f"'{key}' bukan penolakan dari aturan '{rules or '-'}' "
                                                f"(not a refusal of these rules; known: {', '.join(known) or '-'})")
                continue
            text = self.text(table, key, where)
            if text is not _MISSING:
                out[key] = text
        return out

    def questions(self, service_raw: Mapping[str, Any], service_path: str) -> tuple[list[Question], set[str]]:
        """Valid questions, and the keys of invalid ones (already reported)."""
        out: list[Question] = []
        broken: set[str] = set()
        keys: dict[str, int] = {}
        for i, raw in enumerate(self.tables(service_raw, "questions", service_path), start=1):
            path = f"{service_path}.questions[{i}]"
            mark = self.checkpoint()
            self.keys(raw, path, _QUESTION_KEYS, _QUESTION_REQUIRED)
            key = self.code(raw, "key", path, _LOWER_CODE_RE,
                            "huruf kecil, angka dan '_', diawali huruf (lowercase letters, digits, '_')")
            if key is not _MISSING:
                if key in DERIVED_FACTS:
                    self.problem(_join(path, "key"), f"'{key}' adalah fakta turunan, pakai nama lain "
                                                     f"(reserved for a derived fact; choose another key)")
                elif key in keys:
                    self.problem(_join(path, "key"), f"pertanyaan '{key}' sudah ada di questions[{keys[key]}] "
                                                     f"(duplicate question key)")
                else:
                    keys[key] = i
            kind = self.string(raw, "kind", path)
            if kind is not _MISSING and kind not in QUESTION_KINDS:
                self.problem(_join(path, "kind"), f"jenis pertanyaan '{kind}' tidak dikenal "
                                                  f"(unknown kind; choose one of {', '.join(QUESTION_KINDS)})")
                kind = _MISSING
            label = self.text(raw, "label", path)
            required = self.boolean(raw, "required", path, default=True)
            help_ = self.text(raw, "help", path, default=None)
            eligible_if = self.boolean(raw, "eligible_if", path, default=None)
            message = self.text(raw, "ineligible_message", path, default=None)
            choices: list[Choice] = []
            if kind == "choice":
                choices = self.choices(raw, path)
            elif "choices" in raw and kind is not _MISSING:
                self.problem(_join(path, "choices"), f"hanya pertanyaan jenis choice yang punya pilihan "
                                                     f"(only 'choice' questions have choices; this one is '{kind}')")
            if eligible_if is not None and eligible_if is not _MISSING:
                if kind is not _MISSING and kind != "bool":
                    self.problem(_join(path, "eligible_if"), "eligible_if hanya untuk pertanyaan jenis bool "
                                                             "(eligible_if is only for 'bool' questions)")
                if message is None:
                    self.problem(_join(path, "ineligible_message"),
                                 "wajib diisi bila eligible_if dipakai: jelaskan apa yang harus dilakukan pemohon "
                                 "(required with eligible_if: tell the applicant what to do instead)")
            elif message is not None and message is not _MISSING:
                self.problem(_join(path, "ineligible_message"), "hanya berlaku bersama eligible_if "
                                                                "(only meaningful together with eligible_if)")
            if self.clean_since(mark):
                out.append(Question(key=key, kind=kind, label=label, choices=tuple(choices), required=required,
                                    eligible_if=eligible_if, ineligible_message=message, help=help_))
            elif isinstance(raw.get("key"), str):
                broken.add(raw["key"])
        return out, broken

    def question_conditions(self, service_raw: Mapping[str, Any], service_path: str, questions: list[Question],
                            context: _ServiceContext) -> list[Question]:
        """Each question's ``when``: derived facts only (they are known once the date is
        answered, so the kiosk knows whether to ask), never another question's key."""
        by_key = {q.key: q for q in questions}
        out = list(questions)
        for i, raw in enumerate(self.tables(service_raw, "questions", service_path), start=1):
            if "when" not in raw or raw.get("key") not in by_key:
                continue
            path = f"{service_path}.questions[{i}]"
            table = raw["when"]
            if isinstance(table, Mapping):
                for key in table:
                    if key not in DERIVED_FACTS:
                        self.problem(_join(_join(path, "when"), key),
                                     f"pertanyaan hanya bisa bergantung pada fakta turunan ({', '.join(DERIVED_FACTS)}), "
                                     f"bukan '{key}' (a question's when names derived facts only)")
                        table = None
                        break
            if table is None:
                continue
            when = self.condition(raw, path, context)
            if when is not _MISSING:
                question = by_key[raw["key"]]
                out[out.index(question)] = replace(question, when=when)
        return out

    def choices(self, question_raw: Mapping[str, Any], question_path: str) -> list[Choice]:
        if "choices" not in question_raw:
            self.problem(_join(question_path, "choices"), "pertanyaan jenis choice wajib punya pilihan "
                                                          "(a 'choice' question needs choices)")
            return []
        raws = self.tables(question_raw, "choices", question_path)
        if isinstance(question_raw["choices"], list) and len(question_raw["choices"]) < 2:
            self.problem(_join(question_path, "choices"), "perlu paling sedikit dua pilihan "
                                                          "(a choice question needs at least two choices)")
        out: list[Choice] = []
        seen: dict[str, int] = {}
        for i, raw in enumerate(raws, start=1):
            path = f"{question_path}.choices[{i}]"
            mark = self.checkpoint()
            self.keys(raw, path, _CHOICE_KEYS, _CHOICE_KEYS)
            value = self.code(raw, "value", path, re.compile(r"^[a-z0-9][a-z0-9_]*$"),
                              "huruf kecil, angka dan '_' (lowercase letters, digits, '_')")
            label = self.text(raw, "label", path)
            self.unique(seen, value, i, _join(path, "value"),
                        lambda first: f"pilihan '{value}' sudah ada di choices[{first}] (duplicate choice value)")
            if self.clean_since(mark):
                out.append(Choice(value=value, label=label))
        return out

    def requirements(self, service_raw: Mapping[str, Any], service_path: str,
                     context: _ServiceContext) -> list[Requirement]:
        out: list[Requirement] = []
        seen: dict[str, int] = {}
        for i, raw in enumerate(self.tables(service_raw, "requirements", service_path), start=1):
            path = f"{service_path}.requirements[{i}]"
            mark = self.checkpoint()
            self.keys(raw, path, _REQUIREMENT_KEYS, _REQUIREMENT_REQUIRED)
            code = self.code(raw, "code", path, _LOWER_CODE_RE,
                             "huruf kecil, angka dan '_', diawali huruf (lowercase letters, digits, '_')")
            self.unique(seen, code, i, _join(path, "code"),
                        lambda first: f"persyaratan '{code}' sudah ada di requirements[{first}] "
                                      f"(duplicate requirement code)")
            label = self.text(raw, "label", path)
            note = self.text(raw, "note", path, default=None)
            when = self.condition(raw, path, context)
            if self.clean_since(mark):
                out.append(Requirement(code=code, label=label, when=when, note=note))
        return out

    def steps(self, service_raw: Mapping[str, Any], service_path: str, context: _ServiceContext) -> list[Step]:
        if "steps" in service_raw and isinstance(service_raw["steps"], list) and not service_raw["steps"]:
            self.problem(_join(service_path, "steps"), "layanan harus punya paling sedikit satu langkah "
                                                       "(a service needs at least one step)")
        out: list[Step] = []
        seen: dict[str, int] = {}
        effects_seen: dict[str, int] = {}
        first_valid = False
        for i, raw in enumerate(self.tables(service_raw, "steps", service_path), start=1):
            path = f"{service_path}.steps[{i}]"
            mark = self.checkpoint()
            self.keys(raw, path, _STEP_KEYS, _STEP_REQUIRED)
            code = self.code(raw, "code", path, _LOWER_CODE_RE,
                             "huruf kecil, angka dan '_', diawali huruf (lowercase letters, digits, '_')")
            self.unique(seen, code, i, _join(path, "code"),
                        lambda first: f"langkah '{code}' sudah ada di steps[{first}] (duplicate step code)")
            name = self.text(raw, "name", path)
            role = self.string(raw, "role", path)
            if role is not _MISSING and role not in STAFF_ROLES:
                kind = "peran perangkat" if role in DEVICE_ROLES else "peran"
                english = "a device role cannot perform a step" if role in DEVICE_ROLES else "unknown role"
                self.problem(_join(path, "role"), f"{kind} '{role}' tidak dikenal untuk langkah "
                                                  f"({english}; choose one of {', '.join(STAFF_ROLES)})")
            presence = self.string(raw, "presence", path)
            if presence is not _MISSING and presence not in PRESENCES:
                self.problem(_join(path, "presence"), f"kehadiran '{presence}' tidak dikenal: 'counter' = pemohon "
                                                      f"dipanggil ke loket, 'back_office' = kerja di belakang "
                                                      f"(unknown presence; choose one of {', '.join(PRESENCES)})")
            minutes = self.minutes(raw, path)
            output = self.string(raw, "output", path, default="")
            source = self.string(raw, "source", path, default="")
            effect = self.effect(raw, path, presence, effects_seen, i)
            default_channel = CHANNEL_ONLINE if effect == EFFECT_ONLINE_VERIFICATION else CHANNEL_ALL
            channel = self.string(raw, "channel", path, default=default_channel)
            if channel is not _MISSING and channel not in CHANNELS:
                self.problem(_join(path, "channel"), f"saluran '{channel}' tidak dikenal: 'all', 'counter' (berkas "
                                                     f"dari loket) atau 'online' (permohonan dari rumah) "
                                                     f"(unknown channel; choose one of {', '.join(CHANNELS)})")
            elif effect == EFFECT_ONLINE_VERIFICATION and channel != CHANNEL_ONLINE:
                self.problem(_join(path, "channel"), "langkah verifikasi online hanya untuk permohonan online "
                                                     "(channel = \"online\") (the online check is for online "
                                                     "applications only)")
            when = self.condition(raw, path, context)
            if self.clean_since(mark):
                out.append(Step(code=code, name=name, role=role, presence=presence, mutu_baku_minutes=minutes,
                                output=output, when=when, source=source, effect=effect, channel=channel))
                first_valid = first_valid or i == 1
        counter_steps = [(i, st) for i, st in enumerate(out, start=1) if st.takes(CHANNEL_COUNTER)]
        if first_valid and counter_steps and counter_steps[0][1].presence != PRESENCE_COUNTER:
            self.problem(f"{service_path}.steps[{counter_steps[0][0]}].presence",
                         "langkah pertama harus di loket (presence = \"counter\"): nomor antrean dipanggil ke loket "
                         "(the first step must be a counter step: the ticket is called to a counter)")
        return out

    def online_steps(self, service_path: str, steps: list[Step], online: Any) -> None:
        """An ``online = true`` service starts online applications at its
        ``online_verification`` step (SOP 001 row 2); only such a service has one."""
        verification = [i for i, st in enumerate(steps, start=1) if st.effect == EFFECT_ONLINE_VERIFICATION]
        if online is True:
            first_online = next((i for i, st in enumerate(steps, start=1) if st.takes(CHANNEL_ONLINE)), None)
            if not verification:
                self.problem(_join(service_path, "steps"),
                             "layanan online perlu langkah dengan effect = \"online_verification\" "
                             "(an online service needs a step with the online_verification effect)")
            elif first_online != verification[0]:
                self.problem(f"{service_path}.steps[{verification[0]}]",
                             "verifikasi online harus langkah pertama permohonan online; beri langkah loket "
                             "sebelumnya channel = \"counter\" (the online check must be the first step an online "
                             "application takes; mark earlier counter steps channel = \"counter\")")
        elif verification:
            self.problem(f"{service_path}.steps[{verification[0]}].effect",
                         "verifikasi online hanya untuk layanan dengan online = true "
                         "(the online check needs online = true on the service)")

    def effect(self, raw: Mapping[str, Any], path: str, presence: Any, seen: dict[str, int], index: int) -> Any:
        """The step's ``effect`` (``domain.office.EFFECTS``) or None; at most one step of a
        service carries each effect, and counter effects need a counter step."""
        effect = self.string(raw, "effect", path, default=None)
        if effect is None or effect is _MISSING:
            return None if effect is None else _MISSING
        where = _join(path, "effect")
        if effect not in EFFECTS:
            self.problem(where, f"efek '{effect}' tidak dikenal (unknown effect; choose one of {', '.join(EFFECTS)})")
            return _MISSING
        if not self.unique(seen, effect, index, where,
                           lambda first: f"efek '{effect}' sudah dipakai langkah steps[{first}] "
                                         f"(each effect once per service)"):
            return _MISSING
        if effect in COUNTER_EFFECTS and presence is not _MISSING and presence != PRESENCE_COUNTER:
            self.problem(where, f"efek '{effect}' hanya untuk langkah di loket (presence = \"counter\") "
                                f"(this effect needs a counter step: the citizen is there)")
            return _MISSING
        if effect in BACK_OFFICE_EFFECTS and presence is not _MISSING and presence != "back_office":
            self.problem(where, f"efek '{effect}' hanya untuk langkah kerja belakang (presence = \"back_office\") "
                                f"(this effect is back-office work: nobody is called)")
            return _MISSING
        return effect

    def minutes(self, raw: Mapping[str, Any], path: str) -> Any:
        if "mutu_baku_minutes" not in raw:
            return None
        value = raw["mutu_baku_minutes"]
        where = _join(path, "mutu_baku_minutes")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.problem(where, f"harus bilangan menit, didapat {_describe(value)} (must be a number of minutes)")
            return _MISSING
        if not math.isfinite(value) or value < 0:
            self.problem(where, f"harus >= 0 menit, didapat {value} (must be a finite number >= 0; leave the key "
                                f"out when the SOP gives no time)")
            return _MISSING
        return float(value)

    def condition(self, raw: Mapping[str, Any], path: str, context: _ServiceContext) -> Any:
        """A ``when`` table; each key is a question key or a derived fact."""
        if "when" not in raw:
            return Condition()
        where = _join(path, "when")
        table = self.table(raw["when"], where)
        if table is None:
            return _MISSING
        mark = self.checkpoint()
        allowed = sorted(context.questions) + list(DERIVED_FACTS)
        for key, value in table.items():
            key_path = _join(where, key)
            values = value if isinstance(value, list) else [value]
            if not values:
                self.problem(key_path, "daftar nilai kosong tidak pernah cocok (an empty list never matches)")
                continue
            if key in context.broken_questions:
                continue  # the question's own problems are reported
            if key in context.questions:
                self.question_condition(context.questions[key], values, key_path)
            elif key in DERIVED_FACTS:
                self.derived_condition(key, values, key_path, context)
            else:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f"; maksud Anda '{close[0]}'? (did you mean '{close[0]}'?)" if close else ""
                self.problem(key_path, f"'{key}' bukan pertanyaan layanan {context.code} maupun fakta turunan{hint} "
                                       f"(not a question key of this service nor a derived fact; choose one of "
                                       f"{', '.join(allowed)})")
        if not self.clean_since(mark):
            return _MISSING
        return Condition.from_mapping(table)

    def question_condition(self, question: Question, values: list[Any], path: str) -> None:
        if question.kind == "choice":
            valid = [c.value for c in question.choices]
            for value in values:
                if value not in valid:
                    self.problem(path, f"pilihan {value!r} tidak ada di pertanyaan '{question.key}' "
                                       f"(no such choice; choose from {', '.join(valid)})")
        elif question.kind == "bool":
            for value in values:
                if not isinstance(value, bool):
                    self.problem(path, f"pertanyaan '{question.key}' bertipe bool: nilai harus true atau false, "
                                       f"didapat {value!r} (bool question: use true or false)")
        else:
            self.problem(path, f"pertanyaan tanggal '{question.key}' tidak bisa dipakai sebagai kondisi; pakai "
                               f"age_years atau kia_variant (a date question cannot be a condition; use a derived "
                               f"fact such as age_years or kia_variant)")

    def derived_condition(self, fact: str, values: list[Any], path: str, context: _ServiceContext) -> None:
        checks: dict[str, tuple[Callable[[Any], bool], str]] = {
            "kia_variant": (lambda v: _is_int(v) and v in (1, 2), "1 atau 2 (1 or 2)"),
            "age_years": (lambda v: _is_int(v) and 0 <= v <= 150, "bilangan bulat 0–150 (integer years 0-150)"),
            "photo_required": (lambda v: isinstance(v, bool), "true atau false (a boolean)"),
            "kia_eligible": (lambda v: isinstance(v, bool), "true atau false (a boolean)"),
            "ikd_eligible": (lambda v: isinstance(v, bool), "true atau false (a boolean)"),
        }
        ok, expected = checks[fact]
        for value in values:
            if not ok(value):
                self.problem(path, f"nilai {value!r} tidak valid untuk {fact}; harus {expected}")
        needed = _FACT_RULES[fact]
        if context.rules != needed:
            self.problem(path, f"fakta '{fact}' hanya ada bila layanan memakai rules = \"{needed}\" "
                               f"(derived only for services with rules = \"{needed}\")")

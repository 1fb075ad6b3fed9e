"""Counters (loket): what each serves, and that every counter step is served somewhere."""
from __future__ import annotations

from typing import Any, Mapping

from ..domain.office import (
    PRESENCE_COUNTER,
    Counter,
    Service,
    Text,
)
from .reader import _MISSING, BaseReader, _describe, _is_int, _join
from .schema import (
    _COUNTER_CODE_RE,
    _COUNTER_KEYS,
    _COUNTER_REQUIRED,
)


class CounterReader(BaseReader):
    """Counters (loket): what each serves, and that every counter step is served somewhere."""

    def counters(self, data: Mapping[str, Any], services: list[Service]) -> list[Counter]:
        if "counters" in data and not isinstance(data["counters"], list):
            self.problem("counters", f"harus berupa daftar tabel [[counters]], didapat {_describe(data['counters'])} "
                                     f"(must be an array of tables)")
            return []
        if "counters" in data and not data["counters"]:
            self.problem("counters", "kantor harus punya paling sedikit satu loket (at least one counter is required)")
        by_code = {s.code: s for s in services}
        out: list[Counter] = []
        codes: dict[str, int] = {}
        numbers: dict[int, int] = {}
        for i, raw in enumerate(self.tables(data, "counters", ""), start=1):
            path = f"counters[{i}]"
            mark = self.checkpoint()
            self.keys(raw, path, _COUNTER_KEYS, _COUNTER_REQUIRED)
            if "code" in raw and _is_int(raw["code"]):
                self.problem(_join(path, "code"), f"tulis kode loket sebagai teks, mis. code = \"{raw['code']}\" "
                                                  f"(the counter code must be a quoted string)")
                code = _MISSING
            else:
                code = self.code(raw, "code", path, _COUNTER_CODE_RE,
                                 "huruf, angka, '_' atau '-' (letters, digits, '_' or '-')")
            number = self.integer(raw, "number", path, minimum=1)
            self.unique(codes, code, i, _join(path, "code"),
                        lambda first: f"kode loket '{code}' sudah dipakai di counters[{first}] "
                                      f"(duplicate counter code)")
            if number is not _MISSING:
                if number in numbers:
                    self.problem(_join(path, "number"), f"nomor loket {number} sudah dipakai di "
                                                        f"counters[{numbers[number]}] (duplicate counter number)")
                else:
                    numbers[number] = i
            default_name = Text(f"Loket {number}", f"Counter {number}") if number is not _MISSING else _MISSING
            name = self.text(raw, "name", path, default=default_name)
            serves = self.counter_serves(raw, path, by_code)
            if self.clean_since(mark):
                out.append(Counter(code=code, number=number, name=name, serves=tuple(serves)))
        self.check_coverage(services, out, data)
        return out

    def counter_serves(self, raw: Mapping[str, Any], path: str, by_code: Mapping[str, Service]) -> list[tuple[str, str]]:
        serves: list[tuple[str, str]] = []

        def add(pair: tuple[str, str]) -> None:
            if pair not in serves:
                serves.append(pair)

        if "services" not in raw and "steps" not in raw:
            self.problem(path, "loket harus melayani sesuatu: isi services = [\"KIA\"] atau steps = [\"KIA:penyerahan\"] "
                               "(a counter needs services or steps)")
        services_known = ", ".join(by_code) or "-"
        for j, code in self.string_list(raw, "services", path):
            where = f"{path}.services[{j}]"
            service = by_code.get(code)
            if service is None and code in self.broken_services:
                continue
            if service is None:
                self.problem(where, f"layanan '{code}' tidak ada (unknown service; choose one of {services_known})")
                continue
            counter_steps = [s for s in service.steps if s.presence == PRESENCE_COUNTER]
            if not counter_steps:
                self.problem(where, f"layanan '{code}' tidak punya langkah di loket (the service has no counter step)")
            for step in counter_steps:
                add((service.code, step.code))
        for j, entry in self.string_list(raw, "steps", path):
            where = f"{path}.steps[{j}]"
            service_code, sep, step_code = entry.partition(":")
            if not sep or not service_code or not step_code:
                self.problem(where, f"'{entry}' harus berbentuk \"LAYANAN:langkah\", mis. \"KIA:penyerahan\" "
                                    f"(must be \"SERVICE:step\")")
                continue
            service = by_code.get(service_code)
            if service is None and service_code in self.broken_services:
                continue
            if service is None:
                self.problem(where, f"layanan '{service_code}' tidak ada (unknown service; choose one of "
                                    f"{services_known})")
                continue
            try:
                step = service.step(step_code)
            except KeyError:
                self.problem(where, f"layanan {service_code} tidak punya langkah '{step_code}' (no such step; choose "
                                    f"one of {', '.join(s.code for s in service.steps)})")
                continue
            if step.presence != PRESENCE_COUNTER:
                self.problem(where, f"langkah {service_code}:{step_code} dikerjakan di belakang (back_office), "
                                    f"bukan di loket (a back-office step cannot be served by a counter)")
                continue
            add((service.code, step.code))
        return serves

    def check_coverage(self, services: list[Service], counters: list[Counter], data: Mapping[str, Any]) -> None:
        """Every counter step of every service needs a counter; the first step above all."""
        if not counters or len(counters) != len(data.get("counters") or []):
            return  # counter problems already reported; coverage would only repeat them
        served = {pair for c in counters for pair in c.serves}
        for service in services:
            for index, step in enumerate(service.steps, start=1):
                if step.presence != PRESENCE_COUNTER or (service.code, step.code) in served:
                    continue
                first = "langkah pertama " if index == 1 else "langkah "
                self.problem(f"services[{service.code}].steps[{index}]",
                             f"{first}'{step.code}' tidak dilayani loket mana pun; tambahkan "
                             f"\"{service.code}:{step.code}\" ke steps sebuah loket "
                             f"(no counter serves this counter step)")

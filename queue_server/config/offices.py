"""The ``[office]`` table, opening hours, the queue policy and the kecamatan list."""
from __future__ import annotations

import re
from datetime import date, time
from typing import Any, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..domain.office import (
    ZONE_ABBREVIATIONS,
    DayHours,
    Kecamatan,
    Office,
    OnlinePolicy,
    QueuePolicy,
)
from ..domain.notify import NotificationPolicy
from ..domain.opening import holiday_names
from .reader import _MISSING, BaseReader, _describe, _join
from .schema import (
    _HOURS_RE,
    _KECAMATAN_KEYS,
    _KECAMATAN_RE,
    _ONLINE_KEYS,
    _OFFICE_CODE_RE,
    _OFFICE_KEYS,
    _OFFICE_REQUIRED,
    _QUEUE_KEYS,
    _TOP_KEYS,
    _TOP_REQUIRED,
    PHOTO_RATIOS,
    WEEKDAYS,
)


class OfficeReader(BaseReader):
    """The ``[office]`` table, opening hours, the queue policy and the kecamatan list."""

    def office(self, data: dict[str, Any], source_file: str) -> Office | None:
        self.keys(data, "", _TOP_KEYS, _TOP_REQUIRED)
        raw_office = self.table(data["office"], "office") if "office" in data else None
        fields = self.office_fields(raw_office) if raw_office is not None else None
        hours = self.opening_hours(data["opening_hours"]) if "opening_hours" in data else None
        queue = self.queue(data["queue"]) if "queue" in data else QueuePolicy()
        notifications = self.notifications(data["notifications"]) if "notifications" in data else NotificationPolicy()
        online = self.online(data["online"]) if "online" in data else OnlinePolicy()
        kecamatan = self.kecamatan(data)
        services = self.services(data)
        counters = self.counters(data, services)
        if self.problems or fields is None or hours is None or queue is None or notifications is None \
                or online is None:
            return None
        return Office(
            opening_hours=hours,
            services=tuple(services),
            counters=tuple(counters),
            kecamatan=tuple(kecamatan),
            queue=queue,
            notifications=notifications,
            online=online,
            source_file=source_file,
            **fields,
        )

    def online(self, value: Any) -> OnlinePolicy | None:
        """``[online]``: applications made from home (issue 13): ``upload_max_mb``
        (0.1–50, default 5), ``max_pdf_pages`` (1–200, 20), ``retention_days`` (1–3650, 30)."""
        path = "online"
        raw = self.table(value, path)
        if raw is None:
            return None
        mark = self.checkpoint()
        self.keys(raw, path, _ONLINE_KEYS)
        defaults = OnlinePolicy()
        size = raw.get("upload_max_mb", defaults.upload_max_mb)
        if isinstance(size, bool) or not isinstance(size, (int, float)) or not 0.1 <= size <= 50:
            self.problem(_join(path, "upload_max_mb"), f"harus 0.1–50 (MB), didapat {_describe(size)} "
                                                       f"(the largest upload, in MB: 0.1 to 50)")
        pages = self.integer(raw, "max_pdf_pages", path, minimum=1, default=defaults.max_pdf_pages)
        if isinstance(pages, int) and pages > 200:
            self.problem(_join(path, "max_pdf_pages"), "paling banyak 200 halaman (at most 200 pages)")
        days = self.integer(raw, "retention_days", path, minimum=1, default=defaults.retention_days)
        if isinstance(days, int) and days > 3650:
            self.problem(_join(path, "retention_days"), "paling lama 3650 hari (at most 3650 days)")
        if not self.clean_since(mark):
            return None
        return OnlinePolicy(upload_max_mb=float(size), max_pdf_pages=pages, retention_days=days)

    def office_fields(self, raw: dict[str, Any]) -> dict[str, Any] | None:
        path = "office"
        mark = self.checkpoint()
        self.keys(raw, path, _OFFICE_KEYS, _OFFICE_REQUIRED)
        fields: dict[str, Any] = {}
        fields["code"] = self.code(raw, "code", path, _OFFICE_CODE_RE,
                                   "huruf kecil, angka dan tanda '-', mis. 'paser' atau 'paser-tanah-grogot' "
                                   "(lowercase letters, digits and '-')")
        for key in ("name", "regency"):
            fields[key] = self.string(raw, key, path)
        for key in ("short_name", "address", "phone", "head_name", "head_nip", "running_text", "province"):
            fields[key] = self.string(raw, key, path, default="", nonempty=False)
        fields["head_title"] = self.string(raw, "head_title", path, default="Kepala Dinas")
        fields["timezone"] = self.timezone(raw, path)
        fields["photo_ratio"] = self.string(raw, "photo_ratio", path, default="3x4")
        if fields["photo_ratio"] is not _MISSING and fields["photo_ratio"] not in PHOTO_RATIOS:
            self.problem(_join(path, "photo_ratio"),
                         f"ukuran foto '{fields['photo_ratio']}' tidak dikenal "
                         f"(unknown photo size; choose one of {', '.join(PHOTO_RATIOS)})")
        fields["parent"] = self.code(raw, "parent", path, _OFFICE_CODE_RE,
                                     "kode kantor induk, huruf kecil/angka/'-' (office code of the parent)"
                                     ) if "parent" in raw else None
        if fields["parent"] is not None and fields["parent"] == fields["code"]:
            self.problem(_join(path, "parent"),
                         "kantor tidak bisa menjadi induk dirinya sendiri (an office cannot be its own parent)")
        pickup = []
        for i, code in self.string_list(raw, "pickup_offices", path):
            if not _OFFICE_CODE_RE.match(code):
                self.problem(f"{path}.pickup_offices[{i}]",
                             f"'{code}' bukan kode kantor (not an office code: lowercase letters, digits, '-')")
            elif code in pickup:
                self.problem(f"{path}.pickup_offices[{i}]", f"kode '{code}' tercantum dua kali (listed twice)")
            else:
                pickup.append(code)
        fields["pickup_offices"] = tuple(pickup)
        fields["public_holidays"] = self.string(raw, "public_holidays", path, default="ID", nonempty=False).upper()
        if fields["public_holidays"]:
            try:
                holiday_names(fields["public_holidays"], 2026)
            except ValueError:
                self.problem(_join(path, "public_holidays"),
                             f"negara '{fields['public_holidays']}' tidak dikenal; tulis \"ID\" atau \"\" "
                             f"(unknown country code for public holidays; \"ID\" or \"\" for none)")
        fields["closed_dates"] = self.closed_dates(raw, path)
        fields["complaints"] = tuple(text for _, text in self.string_list(raw, "complaints", path))
        fields["admin_may_sign"] = self.boolean(raw, "admin_may_sign", path, default=False)
        fields["public_url"] = self.string(raw, "public_url", path, default="", nonempty=False)
        if isinstance(fields["public_url"], str):
            fields["public_url"] = fields["public_url"].rstrip("/")
            if fields["public_url"] and not re.match(r"^https?://[^/\s?#]+(/[^\s?#]*)?$", fields["public_url"]):
                self.problem(_join(path, "public_url"),
                             f"'{fields['public_url']}' bukan alamat web, mis. \"https://antrean.disdukcapil.go.id\" "
                             f"(not a web address: http:// or https:// and a host)")
        if not self.clean_since(mark) or any(v is _MISSING for v in fields.values()):
            return None
        return fields

    def closed_dates(self, raw: Mapping[str, Any], path: str) -> tuple[tuple[date, str], ...]:
        """``closed_dates = ["2026-12-24 Cuti bersama Natal", ...]``: ISO date, then an optional name."""
        out: list[tuple[date, str]] = []
        for i, item in self.string_list(raw, "closed_dates", path):
            day_text, _, name = item.partition(" ")
            try:
                day = date.fromisoformat(day_text)
            except ValueError:
                self.problem(f"{path}.closed_dates[{i}]", f"'{day_text}' bukan tanggal YYYY-MM-DD "
                                                          f"(not a date: write \"2026-12-24 Cuti bersama Natal\")")
                continue
            if any(d == day for d, _ in out):
                self.problem(f"{path}.closed_dates[{i}]", f"tanggal {day} tercantum dua kali (listed twice)")
                continue
            out.append((day, name.strip()))
        return tuple(sorted(out))

    def timezone(self, raw: Mapping[str, Any], path: str) -> Any:
        value = self.string(raw, "timezone", path)
        if value is _MISSING:
            return _MISSING
        where = _join(path, "timezone")
        by_abbreviation = {abbr: zone for zone, abbr in reversed(ZONE_ABBREVIATIONS.items())}
        if value.upper() in by_abbreviation:
            self.problem(where, f"tulis nama zona IANA, mis. '{by_abbreviation[value.upper()]}' untuk {value.upper()} "
                                f"(use the IANA zone name, not the abbreviation)")
            return _MISSING
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            self.problem(where, f"zona waktu '{value}' tidak dikenal (unknown IANA timezone; use Asia/Jakarta "
                                f"for WIB, Asia/Makassar for WITA, Asia/Jayapura for WIT)")
            return _MISSING
        if value not in ZONE_ABBREVIATIONS:
            self.warnings.append(
                f"{self.filename}: {where}: zona '{value}' bukan WIB/WITA/WIT "
                f"(timezone is not an Indonesian zone: {', '.join(ZONE_ABBREVIATIONS)})"
            )
        return value

    def opening_hours(self, value: Any) -> tuple[DayHours, ...] | None:
        path = "opening_hours"
        raw = self.table(value, path)
        if raw is None:
            return None
        mark = self.checkpoint()
        self.keys(raw, path, WEEKDAYS, WEEKDAYS)
        days: list[DayHours] = []
        for day in WEEKDAYS:
            if day not in raw:
                continue
            where = _join(path, day)
            text = raw[day]
            if not isinstance(text, str):
                self.problem(where, f"harus teks \"HH:MM-HH:MM\" atau \"tutup\", didapat {_describe(text)} "
                                    f"(must be a string \"HH:MM-HH:MM\" or \"tutup\")")
                continue
            if text.strip().lower() == "tutup":
                days.append(DayHours(None, None))
                continue
            match = _HOURS_RE.match(text.strip())
            if not match:
                self.problem(where, f"'{text}' bukan \"HH:MM-HH:MM\" atau \"tutup\" "
                                    f"(expected \"HH:MM-HH:MM\" such as \"08:00-15:00\", or \"tutup\" for closed)")
                continue
            h1, m1, h2, m2 = (int(g) for g in match.groups())
            if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
                self.problem(where, f"'{text}' berisi jam yang tidak ada (invalid time of day)")
                continue
            opens, closes = time(h1, m1), time(h2, m2)
            if opens >= closes:
                self.problem(where, f"jam buka {opens:%H:%M} harus sebelum jam tutup {closes:%H:%M} "
                                    f"(opening time must be before closing time)")
                continue
            days.append(DayHours(opens, closes))
        if not self.clean_since(mark):
            return None
        if not any(d.is_open_day for d in days):
            self.problem(path, "kantor tutup setiap hari (the office is closed on every day)")
            return None
        return tuple(days)

    def queue(self, value: Any) -> QueuePolicy | None:
        path = "queue"
        raw = self.table(value, path)
        if raw is None:
            return None
        mark = self.checkpoint()
        self.keys(raw, path, _QUEUE_KEYS)
        defaults = QueuePolicy()
        values = {key: self.integer(raw, key, path, minimum=1, default=getattr(defaults, key))
                  for key in _QUEUE_KEYS}
        if not self.clean_since(mark):
            return None
        return QueuePolicy(**values)

    def kecamatan(self, data: Mapping[str, Any]) -> list[Kecamatan]:
        out: list[Kecamatan] = []
        seen: dict[str, int] = {}
        for i, raw in enumerate(self.tables(data, "kecamatan", ""), start=1):
            path = f"kecamatan[{i}]"
            mark = self.checkpoint()
            self.keys(raw, path, _KECAMATAN_KEYS, _KECAMATAN_KEYS)
            code = self.code(raw, "code", path, _KECAMATAN_RE,
                             "kode Kemendagri PP.KK.CC, mis. '64.01.04' (Kemendagri code PP.KK.CC)")
            name = self.string(raw, "name", path)
            self.unique(seen, code, i, _join(path, "code"),
                        lambda first: f"kode kecamatan '{code}' sudah dipakai di kecamatan[{first}] "
                                      f"(duplicate kecamatan code)")
            if self.clean_since(mark):
                out.append(Kecamatan(code=code, name=name))
        return out

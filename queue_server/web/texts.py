"""The browser pages' texts: Bahasa Indonesia first, English second (the translation
catalogue of ``queue_server.web``). Templates call :func:`t`; each page's scripts get
the texts of their page through :func:`page_texts` (a JSON block, not inline script)."""
from __future__ import annotations

#: key → (Bahasa Indonesia, English). ``{name}`` placeholders are filled by the caller.
TEXTS: dict[str, tuple[str, str]] = {
    # shared
    "disconnected": ("TERPUTUS — menyambung kembali…", "DISCONNECTED — reconnecting…"),
    "connecting": ("Menyambung ke server…", "Connecting to the server…"),
    "minutes": ("{n} menit", "{n} min"),
    "login_title": ("Masuk petugas", "Staff login"),
    "username": ("Nama pengguna", "Username"),
    "password": ("Kata sandi", "Password"),
    "login": ("Masuk", "Log in"),
    "logout": ("Keluar", "Log out"),
    "login_failed": ("Gagal masuk: {message}", "Login failed: {message}"),
    "server_lost": ("Server tidak menjawab sejak {time}. Tindakan ditahan sampai tersambung.",
                    "The server has not answered since {time}. Actions wait until it is back."),
    # display
    "display_title": ("Layar Ruang Tunggu", "Waiting-room display"),
    "now_calling": ("NOMOR DIPANGGIL", "NOW CALLING"),
    "to_counter": ("LOKET {n}", "COUNTER {n}"),
    "counter_short": ("Loket {n}", "Counter {n}"),
    "history": ("Panggilan sebelumnya", "Previous calls"),
    "waiting": ("Menunggu", "Waiting"),
    "estimate": ("± {n} menit", "± {n} min"),
    "free": ("—", "—"),
    "enable_sound": ("Aktifkan suara", "Enable sound"),
    "token_title": ("Layar ruang tunggu", "Waiting-room display"),
    "token_help": ("Masukkan token layar (loket token create --role display). Token disimpan di peramban ini.",
                   "Enter the display token (loket token create --role display). The browser keeps it."),
    "token_label": ("Token layar", "Display token"),
    "token_error": ("Token tidak dikenal atau bukan token layar.", "Unknown token, or not a display token."),
    "open_display": ("Buka layar", "Open the display"),
    # dashboard
    "dashboard_title": ("Dasbor Kepala Kantor", "Head of office dashboard"),
    "services": ("Layanan", "Services"),
    "service": ("Layanan", "Service"),
    "waiting_now": ("Menunggu", "Waiting"),
    "longest_wait": ("Tunggu terlama", "Longest wait"),
    "estimated_wait": ("Perkiraan tunggu", "Estimated wait"),
    "tickets_today": ("Nomor hari ini", "Tickets today"),
    "counters": ("Loket", "Counters"),
    "state": ("Keadaan", "State"),
    "officer": ("Petugas", "Officer"),
    "serving": ("melayani {number}", "serving {number}"),
    "idle": ("buka, menunggu", "open, idle"),
    "closed": ("tutup", "closed"),
    "steps": ("Berkas per tahap SOP", "Berkas per SOP step"),
    "step": ("Tahap", "Step"),
    "mutu_baku": ("Mutu baku", "Standard time"),
    "late_now": ("Lewat mutu baku", "Past standard"),
    "oldest": ("Terlama", "Oldest"),
    "done_today": ("Selesai hari ini", "Done today"),
    "ikm": ("IKM hari ini", "Today's IKM"),
    "ikm_none": ("belum ada responden", "no respondents yet"),
    "ikm_value": ("{score} — {category} ({n} responden)", "{score} — {category} ({n} respondents)"),
    "alerts": ("Peringatan", "Alerts"),
    "no_alerts": ("Tidak ada peringatan hari ini.", "No alerts today."),
    "alert_wait": ("{service}: seseorang menunggu {minutes} menit (batas {limit} menit)",
                   "{service}: someone has waited {minutes} min (limit {limit} min)"),
    "alert_step": ("{service} · {step}: berkas {minutes} menit di tahap ini (mutu baku {limit} menit)",
                   "{service} · {step}: a berkas has been {minutes} min at this step (standard {limit} min)"),
    "totals": ("{tickets} nomor hari ini · {waiting} menunggu · {no_shows} tidak hadir · {uncollected} dokumen belum diambil",
               "{tickets} tickets today · {waiting} waiting · {no_shows} no-shows · {uncollected} documents uncollected"),
    "updated": ("Diperbarui {time}", "Updated {time}"),
    "forbidden": ("Akun ini tidak boleh membuka halaman ini.", "This account may not open this page."),
    # call panel
    "counter_title": ("Panel Panggil", "Call panel"),
    "pick_counter": ("Loket", "Counter"),
    "call_next": ("Panggil berikutnya", "Call next"),
    "recall": ("Panggil ulang", "Recall"),
    "skip": ("Lewati", "Skip"),
    "finish": ("Selesai", "Finish"),
    "call_number": ("Panggil nomor", "Call number"),
    "transfer": ("Alihkan ke", "Transfer to"),
    "number_placeholder": ("mis. A012", "e.g. A012"),
    "current": ("Nomor di loket ini", "Number at this counter"),
    "none_current": ("Belum ada nomor dipanggil.", "No number called yet."),
    "nobody_waiting": ("Tidak ada yang menunggu.", "Nobody is waiting."),
    "waiting_here": ("Menunggu untuk loket ini: {n}", "Waiting for this counter: {n}"),
    "priority": ("PRIORITAS", "PRIORITY"),
    "walk_in": ("datang langsung", "walk-in"),
    "booked": ("booking", "booked"),
    "checklist": ("Persyaratan", "Requirements"),
    "answers": ("Jawaban di kios", "Kiosk answers"),
    "yes": ("Ya", "Yes"),
    "no": ("Tidak", "No"),
    "called_at": ("dipanggil {time}", "called {time}"),
    "done_msg": ("Nomor {number} selesai.", "Number {number} finished."),
    "skipped_msg": ("Nomor {number} dilewati.", "Number {number} skipped."),
    "transferred_msg": ("Nomor {number} dialihkan ke {service}.", "Number {number} transferred to {service}."),
}

#: The keys each page's script uses.
PAGES = {
    "display": ("disconnected", "connecting", "now_calling", "to_counter", "counter_short", "history", "waiting",
                "estimate", "free", "enable_sound"),
    "dashboard": ("disconnected", "connecting", "minutes", "login_failed", "serving", "idle", "closed", "ikm_none",
                  "ikm_value", "no_alerts", "alert_wait", "alert_step", "totals", "updated", "forbidden",
                  "server_lost"),
    "counter": ("disconnected", "connecting", "login_failed", "server_lost", "none_current", "nobody_waiting",
                "waiting_here", "priority", "walk_in", "booked", "called_at", "done_msg", "skipped_msg",
                "transferred_msg", "checklist", "answers", "forbidden", "yes", "no"),
}


def t(key: str, lang: str = "id", **kw) -> str:
    """The text ``key`` in ``lang`` ("id" default, "en"), placeholders filled from ``kw``.
    Raises KeyError for an unknown key."""
    text = TEXTS[key][1 if lang == "en" else 0]
    return text.format(**kw) if kw else text


def page_texts(page: str, lang: str = "id") -> dict[str, str]:
    """The unfilled texts ``page``'s script uses (placeholders stay as ``{name}``)."""
    return {key: TEXTS[key][1 if lang == "en" else 0] for key in PAGES[page]}

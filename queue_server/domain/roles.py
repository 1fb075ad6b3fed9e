"""Staff and device roles (issue 2 §6).

Staff roles follow the SOP documents' performers: petugas pelayanan/operator,
Jafung/Kabid (verifikator), Kepala Dinas (pejabat TTE), petugas cetak dan register,
loket distribusi, and the head of office reading reports (kepala). Device roles are
for kiosks (issue tickets only) and displays (read public events only).
"""

ADMIN = "admin"
OPERATOR = "operator"
VERIFIKATOR = "verifikator"
PEJABAT_TTE = "pejabat_tte"
PETUGAS_CETAK = "petugas_cetak"
PETUGAS_DISTRIBUSI = "petugas_distribusi"
KEPALA = "kepala"
KIOSK = "kiosk"
DISPLAY = "display"

STAFF_ROLES = (ADMIN, OPERATOR, VERIFIKATOR, PEJABAT_TTE, PETUGAS_CETAK, PETUGAS_DISTRIBUSI, KEPALA)
DEVICE_ROLES = (KIOSK, DISPLAY)
ROLES = STAFF_ROLES + DEVICE_ROLES

#: Indonesian names shown in the UI.
ROLE_LABELS = {
    ADMIN: "Administrator",
    OPERATOR: "Petugas pelayanan / operator",
    VERIFIKATOR: "Verifikator (Jafung/Kabid)",
    PEJABAT_TTE: "Pejabat TTE (Kepala Dinas)",
    PETUGAS_CETAK: "Petugas cetak dan register",
    PETUGAS_DISTRIBUSI: "Petugas distribusi",
    KEPALA: "Kepala / pemantau laporan",
    KIOSK: "Perangkat kios",
    DISPLAY: "Perangkat layar ruang tunggu",
}

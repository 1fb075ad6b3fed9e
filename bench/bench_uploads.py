"""Benchmark of online applications (issue 13): bursts of ``--concurrent`` citizens
submitting at once, each with a ``--mb`` MB photo of the KK (a 12 MP phone JPEG) and a
birth-certificate PDF, while kiosks issue tickets.

A ``loket serve`` with 2 workers and the shipped Paser office plus the Pekanbaru SOP 001
files (its KIA takes online applications). Kiosk threads issue tickets at ``--rate`` a
second for ``--seconds``, first alone, then while ``--bursts`` bursts of uploads run
(one every ``seconds / bursts``). Figures: time to 201 of the uploads (p50/p95/max), the
server's peak RSS (all processes, sampled every 50 ms) and the largest single worker,
ticket p50/p99 without and with the bursts, and their ratios.

Loopback only, bounded, stops by itself:

    python bench/bench_uploads.py [--concurrent 20] [--mb 3] [--bursts 4] [--rate 5] [--seconds 40]
"""
from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import shutil
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT / "tests" / "support"))
from bench_web import issue_load, pct, rss_mb  # noqa: E402
from live_server import LiveServer  # noqa: E402


def phone_photo(mb: float) -> bytes:
    """A 4000 × 3000 photo of a document with sensor noise, saved at the quality that
    makes it about ``mb`` MB (what a phone camera sends)."""
    import numpy as np
    from PIL import Image, ImageDraw
    rng = np.random.default_rng(7)
    base = np.full((3000, 4000, 3), 236, np.uint8)
    base += rng.integers(0, 18, base.shape, dtype=np.uint8)
    im = Image.fromarray(base)
    d = ImageDraw.Draw(im)
    for i in range(40):
        d.line([(200, 200 + i * 65), (3800, 200 + i * 65)], fill=(40, 40, 40), width=4)
    best = b""
    for q in (60, 70, 80, 85, 90, 94, 97):
        out = io.BytesIO()
        im.save(out, "JPEG", quality=q)
        best = out.getvalue()
        if len(best) >= mb * 1_000_000:
            break
    return best


def small_pdf() -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.drawString(72, 760, "KUTIPAN AKTA KELAHIRAN")
    c.showPage()
    c.save()
    return buf.getvalue()


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    out = io.BytesIO()
    for k, v in fields.items():
        out.write(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n".encode())
    for k, (name, data, ctype) in files.items():
        out.write(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"; filename=\"{name}\"\r\n"
                  f"Content-Type: {ctype}\r\n\r\n".encode())
        out.write(data)
        out.write(b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def upload_burst(port: int, n: int, start_serial: int, photo: bytes, pdf: bytes) -> tuple[list[float], int]:
    """``n`` citizens at once; returns (seconds to the answer, non-201 count)."""
    times: list[float] = []
    errors = [0]
    lock = threading.Lock()
    go = threading.Event()

    def one(i: int) -> None:
        serial = start_serial + i
        applicant = {"name": f"Anak Uji {serial}", "nik": f"147101550623{serial:04d}", "sex": "P",
                     "birth_place": "Pekanbaru", "birth_date": "2023-06-15", "kk_number": "1471010101180004",
                     "parent_name": "Ibu Uji", "phone": "081234567890", "kecamatan_code": "14.71.01"}
        body, ctype = multipart({"office": "pekanbaru", "service": "KIA", "answers": json.dumps({"birth_date": "2023-06-15"}),
                                 "applicant": json.dumps(applicant), "pickup_office": "pekanbaru"},
                                {"kk": ("kk.jpg", photo, "image/jpeg"), "akta_kelahiran": ("akta.pdf", pdf, "application/pdf")})
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        go.wait()
        t0 = time.perf_counter()
        try:
            conn.request("POST", "/api/v1/online-applications", body=body, headers={"Content-Type": ctype})
            r = conn.getresponse()
            text = r.read()
            ok = r.status == 201
        except OSError as e:
            ok, text = False, str(e).encode()
        elapsed = time.perf_counter() - t0
        with lock:
            times.append(elapsed)
            if not ok:
                errors[0] += 1
                if errors[0] <= 3:
                    print("upload refused:", text[:300], file=sys.stderr)
        conn.close()

    threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    time.sleep(0.2)
    go.set()
    for t in threads:
        t.join(180)
    return times, errors[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--concurrent", type=int, default=20)
    ap.add_argument("--mb", type=float, default=3.0)
    ap.add_argument("--bursts", type=int, default=4)
    ap.add_argument("--rate", type=float, default=5.0, help="tickets a second, all kiosks together")
    ap.add_argument("--clients", type=int, default=4, help="kiosk threads")
    ap.add_argument("--seconds", type=float, default=40.0)
    args = ap.parse_args()
    photo, pdf = phone_photo(args.mb), small_pdf()
    env = {**os.environ, "LOKET_ONLINE_ADDRESS_LIMIT": "1000000 per hour", "LOKET_OFFICE": "paser"}
    with tempfile.TemporaryDirectory() as tmp:
        srv = LiveServer(Path(tmp) / "data", workers=2, threads=64, env=env).setup(staff_roles=("operator",))
        for f in (ROOT / "assets" / "offices" / "examples" / "pekanbaru_sop001").glob("*.toml"):
            shutil.copy(f, srv.data_dir / "offices" / f.name)
        srv.start()
        peak = {"total": 0.0, "worker": 0.0}
        sampling = threading.Event()

        def sample() -> None:
            import subprocess
            while not sampling.is_set():
                peak["total"] = max(peak["total"], rss_mb(srv.proc.pid))
                for child in subprocess.run(["pgrep", "-P", str(srv.proc.pid)], capture_output=True,
                                            text=True).stdout.split():
                    peak["worker"] = max(peak["worker"], rss_mb(int(child)))
                time.sleep(0.05)
        try:
            token = srv.tokens["kiosk"]
            issue_load(srv, token, args.clients, 3, "warm", args.rate)
            upload_burst(srv.port, 2, 9000, photo, pdf)  # warm the upload path (imports, first decode)
            rss_idle = rss_mb(srv.proc.pid)
            base = issue_load(srv, token, args.clients, args.seconds, "base", args.rate)
            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            uploads: list[float] = []
            errors = 0
            windows: list[tuple[float, float]] = []

            def bursts() -> None:
                nonlocal errors
                gap = args.seconds / args.bursts
                for b in range(args.bursts):
                    t0 = time.monotonic()
                    times, err = upload_burst(srv.port, args.concurrent, b * args.concurrent + 1, photo, pdf)
                    windows.append((t0, time.monotonic()))
                    uploads.extend(times)
                    errors += err
                    time.sleep(max(0.0, gap - (time.monotonic() - t0)))
            runner = threading.Thread(target=bursts, daemon=True)
            runner.start()
            loaded = issue_load(srv, token, args.clients, args.seconds, "uploads", args.rate)
            runner.join(args.seconds * 4)
            sampling.set()
            sampler.join(5)
        finally:
            srv.stop()
    busy = sum(e - s for s, e in windows)
    b50, b99, l50, l99 = pct(base, 0.5), pct(base, 0.99), pct(loaded, 0.5), pct(loaded, 0.99)
    print(json.dumps({
        "concurrent": args.concurrent, "photo_mb": round(len(photo) / 1e6, 2), "bursts": args.bursts,
        "uploads": len(uploads), "upload_errors": errors,
        "upload_p50_s": round(pct(uploads, 0.5), 2), "upload_p95_s": round(pct(uploads, 0.95), 2),
        "upload_max_s": round(max(uploads), 2), "burst_busy_share": round(busy / args.seconds, 2),
        "rss_mb_idle": round(rss_idle, 1), "rss_mb_peak_total": round(peak["total"], 1),
        "rss_mb_peak_worker": round(peak["worker"], 1),
        "tickets_without": len(base), "tickets_with": len(loaded),
        "ticket_p50_ms_without": round(b50, 1), "ticket_p99_ms_without": round(b99, 1),
        "ticket_p50_ms_with": round(l50, 1), "ticket_p99_ms_with": round(l99, 1),
        "p50_ratio": round(l50 / b50, 2), "p99_ratio": round(l99 / b99, 2),
    }, indent=2))


if __name__ == "__main__":
    main()

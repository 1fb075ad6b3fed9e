"""The documents citizens upload with an online application (issue 13, SOP 001 row 2).

Every upload is judged by its content, never by its name or the browser's type:

* **images** (JPEG, PNG, WebP, HEIF are not accepted) are opened with Pillow, their
  pixel count checked *before* decoding (a small PNG declaring 40,000 × 40,000 pixels
  is refused without being decoded), decoded, turned upright by their EXIF orientation
  and **re-encoded as a JPEG without any metadata** (no phone location, camera or time
  is kept), at most :data:`MAX_IMAGE_SIDE` pixels on the long side;
* **PDFs** are opened with pypdf: not encrypted, at most the office's page count, and
  nothing active in them (JavaScript, launch actions, embedded files, forms that submit):
  those are refused, not cleaned. The bytes are stored as sent (a PDF cannot be
  re-encoded without changing the document the officer must judge).

Stored files live in ``DATA_DIR/uploads/`` (outside every served folder) under random
names (``secrets.token_hex``), written to a temporary name and renamed, mode 0600. Staff
read them through ``/api/v1/uploads/{id}`` only (``Cache-Control: no-store``); PDF pages
are rendered for the station with pypdfium2 (:func:`render_pdf_page`).

**Retention** (UU 27/2022 Pasal 43: personal data kept no longer than its purpose needs):
:class:`RetentionSweeper` deletes the files of every berkas finished (handed over,
returned or cancelled) more than the office's ``[online] retention_days`` ago; the rows
stay with ``deleted_at`` and the deletion is audited.
"""
from __future__ import annotations

import hashlib
import io
import os
import re
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

from .context import EveryMinute
from .errors import Unprocessable

#: Pillow's own guard against decompression bombs, and ours below it: an image may
#: have at most this many pixels (a 48 MP phone photo passes; 40,000 × 40,000 does not).
MAX_PIXELS = 50_000_000
#: The long side of a stored image (px): a KK photographed whole at 2000 px is ≈ 170 dpi,
#: enough for its smallest print; a 12 MP phone photo (4000 × 3000) is decoded straight
#: at half size by the JPEG decoder (DCT scaling: a quarter of the memory and time).
MAX_IMAGE_SIDE = 2000
#: JPEG quality of re-encoded images.
JPEG_QUALITY = 88
IMAGE_FORMATS = ("JPEG", "PNG")
#: Threads per server process that decode and re-encode images (``LOKET_UPLOAD_DECODERS``):
#: a burst of uploads must not hold twenty decoded photos at once (issue 13: peak RSS
#: < 300 MB), nor take the cores from the kiosks' tickets. They run at a lower OS
#: priority (:data:`DECODER_NICE`); Pillow releases the GIL while it decodes, so a ticket
#: request of the same process runs meanwhile.
DECODER_THREADS = max(1, int(os.environ.get("LOKET_UPLOAD_DECODERS", "1")))
DECODER_NICE = 10
_decoder: tuple[int, object] | None = None
_decoder_lock = threading.Lock()


def _lower_priority() -> None:
    if not hasattr(os, "setpriority"):
        return  # elsewhere the decoder runs at the process's priority
    try:  # Linux: a thread is a schedulable task of its own
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), DECODER_NICE)
    except OSError as e:
        import logging
        logging.getLogger(__name__).info("decoder thread keeps its priority: %s", e)


def decoder():
    """This process's image decoder pool (made after a fork, in the process that uses it)."""
    global _decoder
    with _decoder_lock:
        if _decoder is None or _decoder[0] != os.getpid():
            from concurrent.futures import ThreadPoolExecutor
            _decoder = (os.getpid(), ThreadPoolExecutor(DECODER_THREADS, thread_name_prefix="loket-decode",
                                                        initializer=_lower_priority))
        return _decoder[1]
#: PDF names that make a document act (run, open, submit) or carry files: refused.
_ACTIVE_RE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFiles?|SubmitForm|ImportData|RichMedia|XFA)(?![A-Za-z0-9])")


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed :func:`check_upload`: ``data`` is what is stored (a
    re-encoded JPEG for images, the PDF as sent), ``kind`` "image" or "pdf",
    ``content_type``; ``width``/``height`` px for images, ``pages`` for PDFs."""

    data: bytes
    kind: str
    content_type: str
    width: int | None = None
    height: int | None = None
    pages: int | None = None

    @property
    def sha256(self) -> str:
        """Hex digest of the stored bytes."""
        return hashlib.sha256(self.data).hexdigest()


def refused(part: str, code: str, message: str, message_en: str, **details) -> Unprocessable:
    """The 422 of an upload: ``details.field`` names the form part (``files.kk``)."""
    return Unprocessable(code, message, message_en, {"field": f"files.{part}", **details})


def check_upload(part: str, data: bytes, *, max_bytes: int, max_pages: int) -> CheckedFile:
    """Judge one uploaded file by its content (module docstring). ``part`` is the form
    part's name (the requirement code), used in the errors' ``details.field``.

    Raises :class:`~queue_server.errors.Unprocessable`: ``file_empty``, ``file_too_large``
    (``max_bytes``), ``file_type`` (neither a JPEG/PNG image nor a PDF),
    ``image_too_large`` (over :data:`MAX_PIXELS`), ``image_broken``, ``pdf_broken``,
    ``pdf_encrypted``, ``pdf_too_many_pages``, ``pdf_active_content``."""
    if not data:
        raise refused(part, "file_empty", "Berkas kosong (0 byte).", "The file is empty (0 bytes).")
    if len(data) > max_bytes:
        mb = max_bytes / 1_000_000
        raise refused(part, "file_too_large", f"Berkas terlalu besar: paling besar {mb:g} MB.",
                      f"The file is too large: at most {mb:g} MB.", max_bytes=max_bytes, size=len(data))
    if data[:5] == b"%PDF-":
        return _check_pdf(part, data, max_pages)
    if data[:3] == b"\xff\xd8\xff" or data[:8] == b"\x89PNG\r\n\x1a\n":
        return decoder().submit(_check_image, part, data).result()
    raise refused(part, "file_type", "Jenis berkas tidak diterima: unggah foto (JPG/PNG) atau PDF.",
                  "File type not accepted: upload a photo (JPG/PNG) or a PDF.")


def _check_image(part: str, data: bytes) -> CheckedFile:
    from PIL import Image, ImageOps
    import warnings
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as im:
                if im.format not in IMAGE_FORMATS:
                    raise refused(part, "file_type", "Jenis berkas tidak diterima: unggah foto (JPG/PNG) atau PDF.",
                                  "File type not accepted: upload a photo (JPG/PNG) or a PDF.")
                width, height = im.size
                if width * height > MAX_PIXELS or width > 20000 or height > 20000:
                    raise refused(part, "image_too_large", "Ukuran gambar tidak wajar (terlalu banyak piksel).",
                                  "The image has an unreasonable size (too many pixels).",
                                  width=width, height=height)
                scale = MAX_IMAGE_SIDE / max(width, height)
                if scale < 1:  # JPEG: decode at 1/2, 1/4 or 1/8 when that still covers the stored size
                    im.draft("RGB", (int(width * scale), int(height * scale)))
                im.load()
                upright = ImageOps.exif_transpose(im)
                rgb = upright.convert("RGB")
                rgb.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE))
                out = io.BytesIO()
                rgb.save(out, "JPEG", quality=JPEG_QUALITY)  # no exif=, no icc: nothing but pixels
    except Unprocessable:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise refused(part, "image_too_large", "Ukuran gambar tidak wajar (terlalu banyak piksel).",
                      "The image has an unreasonable size (too many pixels).") from None
    except Exception:  # noqa: BLE001 - any decoder failure is the same answer: not a usable image
        raise refused(part, "image_broken", "Gambar rusak atau tidak bisa dibaca.",
                      "The image is damaged or cannot be read.") from None
    return CheckedFile(data=out.getvalue(), kind="image", content_type="image/jpeg",
                       width=rgb.width, height=rgb.height)


def _check_pdf(part: str, data: bytes, max_pages: int) -> CheckedFile:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError
    if _ACTIVE_RE.search(data):
        raise refused(part, "pdf_active_content", "PDF berisi skrip atau lampiran; unggah PDF biasa atau foto.",
                      "The PDF holds scripts or attachments; upload a plain PDF or a photo.")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise refused(part, "pdf_encrypted", "PDF terkunci kata sandi; unggah PDF tanpa kata sandi.",
                          "The PDF is password-protected; upload it without a password.")
        pages = len(reader.pages)
        if pages > max_pages:
            raise refused(part, "pdf_too_many_pages", f"PDF terlalu banyak halaman: paling banyak {max_pages}.",
                          f"The PDF has too many pages: at most {max_pages}.", pages=pages, max_pages=max_pages)
        if pages == 0:
            raise refused(part, "pdf_broken", "PDF tidak berisi halaman.", "The PDF has no pages.")
        if _active_objects(reader):
            raise refused(part, "pdf_active_content", "PDF berisi skrip atau lampiran; unggah PDF biasa atau foto.",
                          "The PDF holds scripts or attachments; upload a plain PDF or a photo.")
    except Unprocessable:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError, OSError):
        raise refused(part, "pdf_broken", "PDF rusak atau tidak bisa dibaca.", "The PDF is damaged or cannot be read.") \
            from None
    return CheckedFile(data=data, kind="pdf", content_type="application/pdf", pages=pages)


def _active_objects(reader) -> bool:
    """True when the PDF's catalog, pages or annotations carry actions or attachments
    (compressed object streams hide them from the byte scan)."""
    root = reader.trailer["/Root"]
    if "/OpenAction" in root or "/AA" in root:
        return True
    form = root.get("/AcroForm")
    if form is not None and "/XFA" in form.get_object():
        return True
    names = root.get("/Names")
    if names is not None and any(k in names.get_object() for k in ("/JavaScript", "/EmbeddedFiles")):
        return True
    for page in reader.pages:
        if "/AA" in page:
            return True
        for annot in page.get("/Annots") or ():
            a = annot.get_object()
            action = a.get("/A")
            if "/AA" in a or (action is not None and action.get_object().get("/S") in ("/JavaScript", "/Launch",
                                                                                       "/SubmitForm", "/ImportData")):
                return True
            if a.get("/Subtype") in ("/FileAttachment", "/RichMedia"):
                return True
    return False


def render_pdf_page(data: bytes, page: int, *, width: int = 1400) -> bytes:
    """Page ``page`` (0-based) of a stored PDF as a PNG ``width`` px wide, for the
    station's side-by-side view (pypdfium2, Chrome's PDF engine). Raises ``IndexError``
    for a page the PDF does not have."""
    import pypdfium2 as pdfium
    doc = pdfium.PdfDocument(data)
    try:
        if not 0 <= page < len(doc):
            raise IndexError(page)
        pg = doc[page]
        scale = width / max(1.0, pg.get_width())
        image = pg.render(scale=min(scale, 4.0)).to_pil()
        out = io.BytesIO()
        image.convert("RGB").save(out, "PNG", optimize=False)
        return out.getvalue()
    finally:
        doc.close()


class UploadStore:
    """The uploads folder (``DATA_DIR/uploads``): random names, written atomically,
    readable by the server's user only. ``root`` is created on first use."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, stored_name: str) -> Path:
        """Where ``stored_name`` lives; refuses a name that is not ours (``ValueError``)."""
        if not re.fullmatch(r"[0-9a-f]{2}/[0-9a-f]{40}\.(jpg|pdf)", stored_name or ""):
            raise ValueError("not a stored upload name")
        return self.root / stored_name

    def put(self, checked: CheckedFile) -> str:
        """Write the file under a new random name; returns the name (``ab/…40 hex….jpg``)."""
        token = secrets.token_hex(20)
        name = f"{token[:2]}/{token}.{'pdf' if checked.kind == 'pdf' else 'jpg'}"
        target = self.root / name
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = target.with_suffix(".part")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(checked.data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return name

    def read(self, stored_name: str) -> bytes:
        """The stored bytes; ``FileNotFoundError`` when deleted."""
        return self.path(stored_name).read_bytes()

    def delete(self, stored_name: str) -> bool:
        """Remove the file; True when it existed."""
        try:
            self.path(stored_name).unlink()
            return True
        except FileNotFoundError:
            return False

    def names(self) -> set[str]:
        """Every stored name on disk (for the tests' orphan check and ``loket backup``)."""
        if not self.root.exists():
            return set()
        return {str(p.relative_to(self.root)) for p in self.root.glob("*/*") if p.suffix in (".jpg", ".pdf")}


def purge_expired(ctx, store: UploadStore) -> int:
    """Delete the uploads of berkas finished more than their office's retention period
    ago (``OnlinePolicy.retention_days``; first cancelling online applications returned
    to a citizen who did not answer within it, :func:`queue_server.online.expire_abandoned`);
    the rows keep ``deleted_at`` and
    ``delete_reason = "retention"``; one audit entry per berkas (actor ``system``).
    Returns the number of files deleted."""
    from .db.database import write_tx
    from .db.models import Application, Upload
    from .online import expire_abandoned
    from .tickets import audit
    from .context import Actor
    now = ctx.now()
    expire_abandoned(ctx, now)  # a return nobody answered within the period ends, and its files go below
    system = Actor(name="system", role="admin", kind="device")
    deleted = 0
    for office in ctx.offices.values():
        cutoff = now - office.online.retention_seconds
        rows = list(Upload.select(Upload, Application.code).join(Application)
                    .where((Application.office == office.code) & Upload.deleted_at.is_null() &
                           Application.finished_at.is_null(False) & (Application.finished_at < cutoff))
                    .order_by(Upload.application, Upload.id))
        by_app: dict[str, list] = {}
        for up in rows:
            by_app.setdefault(up.application.code, []).append(up)
        for code, ups in by_app.items():
            gone = []
            with write_tx():  # the record first: a crash before the unlink leaves an orphan, swept below
                for up in ups:
                    n = (Upload.update(deleted_at=now, delete_reason="retention", stored_name="")
                         .where((Upload.id == up.id) & Upload.deleted_at.is_null()).execute())
                    if n:
                        gone.append(up.stored_name)
                audit(system, "upload.delete", office=office.code, target=code,
                      details={"reason": "retention", "files": len(gone),
                               "retention_days": office.online.retention_days}, at=now)
            for name in gone:
                if name:
                    store.delete(name)
            deleted += len(gone)
    sweep_orphans(store)
    return deleted


def sweep_orphans(store: UploadStore, *, older_than: float = 3600.0) -> int:
    """Delete files on disk no upload row names (a process that died between writing a
    file and committing its application, or between a deletion's commit and its unlink),
    once they are ``older_than`` seconds old (wall clock: a submit in progress is younger).
    Returns how many were removed."""
    import time
    from .db.models import Upload
    on_disk = store.names()
    if not on_disk:
        return 0
    known = {n for (n,) in Upload.select(Upload.stored_name).where(Upload.stored_name != "").tuples()}
    removed = 0
    for name in on_disk - known:
        path = store.path(name)
        try:
            if time.time() - path.stat().st_mtime > older_than:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed


class RetentionSweeper(EveryMinute):
    """Runs :func:`purge_expired` at most every ``every_seconds`` (default an hour)."""

    def __init__(self, store: UploadStore, every_seconds: float = 3600.0) -> None:
        super().__init__(every_seconds)
        self.store = store

    def sweep(self, ctx) -> int:
        """One purge now."""
        return purge_expired(ctx, self.store)

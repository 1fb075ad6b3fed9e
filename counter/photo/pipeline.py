"""KIA photo checks and pass-photo crop for the counter station (issue 5 §2).

``analyse(frame_bgr, policy) -> PhotoResult`` finds the child's face, checks the
picture and cuts a pass photo at the office's ratio. KIA variant 2 (age 5 to under
17) carries a colour photo (Permendagri 2/2016); the size differs by office
(national rule 2x3; offices ask 3x4 or 4x6 — DOMAIN.md "KIA", SOP 003 photo step),
so the ratio is part of :class:`PhotoPolicy`.

Pass-photo geometry (documented choice, all configurable in :class:`PhotoPolicy`):

* The Haar face box spans roughly eyebrows-to-mouth, not the whole head: on real
  portraits the head (crown to chin) is about 1.5–1.65 × the box height and the eyes
  lie about 37 % down the box.
* ``face_height_fraction = 0.42``: the face box is 42 % of the photo height, so the
  head fills about 63–69 % of the photo (head-and-shoulders, close to ICAO 9303's
  70–80 % for passports but with the shoulders Indonesian pas foto show).
* ``face_centre_y = 0.45``: the box centre sits 45 % down the photo, which puts the
  eyes at about 40 % from the top and the chin at about 71 %, leaving neck and
  shoulders below.
* Horizontally the face box is centred.

Checks (reason codes, in the order they are reported): ``no_face``,
``multiple_faces`` (see :func:`analyse` for the background-people rule),
``face_too_small``, ``face_cut_off``, ``too_dark`` / ``too_bright``, ``blurred``,
``background_colour``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import cv2
import numpy as np

from .detect import Box, FaceDetector

__all__ = [
    "RATIOS",
    "COLOURS",
    "REASON_CODES",
    "Reason",
    "BackgroundRule",
    "PhotoPolicy",
    "PhotoResult",
    "analyse",
    "crop_rect",
    "sharpness",
    "default_detector",
]

#: Photo sizes in cm (width, height), named "WxH" as offices write them.
RATIOS: dict[str, tuple[int, int]] = {"2x3": (2, 3), "3x4": (3, 4), "4x6": (4, 6)}

#: Background colours the rule can ask for: Indonesian name and HSV test
#: (OpenCV ranges H 0–179, S and V 0–255). Studio backdrops for pas foto are a
#: saturated red or blue, or white.
COLOURS: dict[str, dict[str, Any]] = {
    "red": {"id": "merah", "hue": ((0, 10), (170, 179)), "s_min": 90, "v_min": 50},
    "blue": {"id": "biru", "hue": ((95, 130),), "s_min": 90, "v_min": 40},
    "white": {"id": "putih", "s_max": 40, "v_min": 170},
}

REASON_CODES = (
    "no_face",
    "multiple_faces",
    "face_too_small",
    "face_cut_off",
    "too_dark",
    "too_bright",
    "blurred",
    "background_colour",
)

_MESSAGES: dict[str, tuple[str, str]] = {
    "no_face": (
        "Wajah tidak terdeteksi. Pastikan anak menghadap kamera.",
        "No face detected. Make sure the child faces the camera.",
    ),
    "multiple_faces": (
        "Terdeteksi lebih dari satu wajah. Pastikan hanya anak yang berada di depan kamera.",
        "More than one face detected. Make sure only the child is in front of the camera.",
    ),
    "face_too_small": (
        "Wajah terlalu kecil. Minta anak duduk lebih dekat ke kamera.",
        "The face is too small. Ask the child to sit closer to the camera.",
    ),
    "face_cut_off": (
        "Kepala terlalu dekat ke tepi gambar. Posisikan anak di tengah kamera.",
        "The head is too close to the edge of the picture. Centre the child in the camera.",
    ),
    "too_dark": (
        "Wajah terlalu gelap. Tambahkan pencahayaan di depan anak.",
        "The face is too dark. Add light in front of the child.",
    ),
    "too_bright": (
        "Wajah terlalu terang. Kurangi cahaya atau hindari lampu yang menyorot langsung.",
        "The face is too bright. Reduce the light or avoid direct glare.",
    ),
    "blurred": (
        "Foto kabur. Minta anak diam sejenak dan periksa fokus kamera.",
        "The photo is blurred. Ask the child to hold still and check the camera focus.",
    ),
}


@dataclass(frozen=True)
class Reason:
    """Why a photo is refused: stable ``code`` (one of :data:`REASON_CODES`) and
    the message for the officer in Bahasa Indonesia (``message_id``) and English."""

    code: str
    message_id: str
    message_en: str

    def text(self, lang: str = "id") -> str:
        """The message in ``lang`` (``"id"`` default, ``"en"``)."""
        return self.message_en if lang == "en" else self.message_id

    @classmethod
    def of(cls, code: str) -> "Reason":
        """The standard reason for ``code`` (not ``background_colour``, which names a colour)."""
        message_id, message_en = _MESSAGES[code]
        return cls(code, message_id, message_en)


def _check_colour(name: str) -> str:
    if name not in COLOURS:
        raise ValueError(f"unknown background colour {name!r}; expected one of {sorted(COLOURS)}")
    return name


@dataclass(frozen=True)
class BackgroundRule:
    """Expected backdrop colour of the photo (disabled unless an office configures it).

    Either a fixed ``colour`` or a colour by the parity of the child's birth year
    (``odd``/``even``), a practice some offices ask for pas foto (e.g. odd year red,
    even year blue); it is office practice, not a national regulation.

    ``min_match``: fraction (0–1) of the sampled backdrop pixels that must have the
    expected colour. The sample is the two top corners of the crop, each
    ``corner_width`` × ``corner_height`` of the crop (fractions): in a correctly framed
    pass photo these show the backdrop beside the head, above the shoulders.
    """

    colour: str | None = None
    odd: str | None = None
    even: str | None = None
    min_match: float = 0.6
    corner_width: float = 0.2
    corner_height: float = 0.15

    def __post_init__(self) -> None:
        if self.colour is None and (self.odd is None or self.even is None):
            raise ValueError("BackgroundRule needs colour=..., or both odd=... and even=...")
        if self.colour is not None and (self.odd is not None or self.even is not None):
            raise ValueError("BackgroundRule takes colour or odd/even, not both")
        for name in (self.colour, self.odd, self.even):
            if name is not None:
                _check_colour(name)
        if not 0.0 < self.min_match <= 1.0:
            raise ValueError("min_match must be in (0, 1]")
        if not (0.0 < self.corner_width <= 0.5 and 0.0 < self.corner_height <= 0.5):
            raise ValueError("corner_width/corner_height must be in (0, 0.5]")

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any]) -> "BackgroundRule":
        """Build from office config: ``{"colour": "red"}`` or ``{"odd": "red", "even": "blue"}``
        (optional ``min_match``). Raises ``ValueError`` for unknown keys or colours."""
        allowed = {"colour", "odd", "even", "min_match", "corner_width", "corner_height"}
        unknown = set(mapping) - allowed
        if unknown:
            raise ValueError(f"unknown background rule keys {sorted(unknown)}")
        return cls(**dict(mapping))

    @property
    def needs_birth_year(self) -> bool:
        """True when the colour depends on the child's birth year."""
        return self.colour is None

    def expected(self, birth_year: int | None = None) -> str:
        """The expected colour name for a child born in ``birth_year``.

        Raises ``ValueError`` when the rule depends on the year and none is given.
        """
        if self.colour is not None:
            return self.colour
        if birth_year is None:
            raise ValueError("this office's background rule needs the child's birth year")
        return self.odd if birth_year % 2 else self.even  # type: ignore[return-value]


@dataclass(frozen=True)
class PhotoPolicy:
    """An office's photo rules. Sizes in pixels, fractions 0–1, brightness in grey levels 0–255.

    * ``ratio``: ``"2x3"`` (national default), ``"3x4"`` or ``"4x6"`` — width × height in cm.
    * ``dpi`` / ``height_px``: output size is the ratio's cm size at ``dpi`` (300 dpi:
      2x3 → 236×354, 3x4 → 354×472, 4x6 → 473×709) unless ``height_px`` is set; the
      width is always ``round(height × w/h)``.
    * ``min_face_fraction``: face box height / frame height below which the child is
      too far (``face_too_small``).
    * ``background_face_ratio``: other faces smaller than this × the subject's face
      height are background people and ignored; larger ones → ``multiple_faces``.
    * ``blur_threshold``: minimum :func:`sharpness` of the face (tuned on
      ``skimage.data.astronaut``: sharp 17–37 including noise, JPEG q50 and 2×
      resampling; Gaussian blur σ = 1.5 % of the face height → 4.6; σ 3 % → 1.3).
    * ``brightness_min`` / ``brightness_max``: allowed mean grey level of the face box.
    * ``face_height_fraction`` / ``face_centre_y``: crop geometry (module docstring).
    * ``background``: optional :class:`BackgroundRule` (None: not checked).

    Raises ``ValueError`` for values out of range.
    """

    ratio: str = "2x3"
    dpi: int = 300
    height_px: int | None = None
    min_face_fraction: float = 0.15
    background_face_ratio: float = 0.5
    blur_threshold: float = 5.0
    brightness_min: float = 55.0
    brightness_max: float = 210.0
    face_height_fraction: float = 0.42
    face_centre_y: float = 0.45
    background: BackgroundRule | None = None

    def __post_init__(self) -> None:
        if self.ratio not in RATIOS:
            raise ValueError(f"unknown photo ratio {self.ratio!r}; expected one of {sorted(RATIOS)}")
        if self.dpi <= 0:
            raise ValueError("dpi must be positive")
        if self.height_px is not None and self.height_px < 16:
            raise ValueError("height_px must be at least 16")
        for name in ("min_face_fraction", "background_face_ratio", "face_height_fraction", "face_centre_y"):
            value = getattr(self, name)
            if not 0.0 < value < 1.0:
                raise ValueError(f"{name} must be in (0, 1), got {value}")
        if self.blur_threshold < 0:
            raise ValueError("blur_threshold must be >= 0")
        if not 0 <= self.brightness_min < self.brightness_max <= 255:
            raise ValueError("need 0 <= brightness_min < brightness_max <= 255")

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any]) -> "PhotoPolicy":
        """Build from an office config mapping with the field names above;
        ``background`` may be a mapping for :meth:`BackgroundRule.from_mapping`.
        Raises ``ValueError`` for unknown keys or bad values."""
        data = dict(mapping)
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown photo policy keys {sorted(unknown)}")
        if isinstance(data.get("background"), Mapping):
            data["background"] = BackgroundRule.from_mapping(data["background"])
        return cls(**data)

    @property
    def ratio_cm(self) -> tuple[int, int]:
        """(width, height) in cm."""
        return RATIOS[self.ratio]

    @property
    def output_size(self) -> tuple[int, int]:
        """(width, height) in pixels of the saved photo."""
        width_cm, height_cm = self.ratio_cm
        if self.height_px is not None:
            height = int(self.height_px)
        else:
            height = int(round(height_cm / 2.54 * self.dpi))
        return int(round(height * width_cm / height_cm)), height


@dataclass(frozen=True, eq=False)
class PhotoResult:
    """Outcome of :func:`analyse`.

    * ``ok``: True when no reason was found (the photo may be saved).
    * ``reasons``: tuple of :class:`Reason`, empty when ``ok``.
    * ``face``: subject face box ``(x, y, w, h)`` in frame pixels, or None.
    * ``crop_rect``: pass-photo rectangle ``(x, y, w, h)`` in frame pixels, or None
      when there is no face or the rectangle leaves the frame.
    * ``crop``: BGR ``uint8`` pass photo of ``policy.output_size``, or None (same
      cases). It is filled even when other checks fail, so the UI can show it.
    * ``metrics``: measured values (``face_fraction``, ``brightness``, ``sharpness``,
      ``background_match``, ``faces``) for display and tuning.
    """

    ok: bool
    reasons: tuple[Reason, ...]
    face: Box | None
    crop: np.ndarray | None
    crop_rect: Box | None = None
    metrics: Mapping[str, float] = field(default_factory=dict)

    @property
    def codes(self) -> tuple[str, ...]:
        """The reason codes, in order."""
        return tuple(reason.code for reason in self.reasons)

    def messages(self, lang: str = "id") -> list[str]:
        """The reason messages in ``lang``."""
        return [reason.text(lang) for reason in self.reasons]

    def to_jpeg(self, quality: int = 95) -> bytes:
        """The crop encoded as JPEG (``quality`` 1–100). Raises ``ValueError`` when
        there is no crop or the quality is out of range."""
        if self.crop is None:
            raise ValueError("no pass-photo crop to encode (no face, or the face is cut off)")
        if not 1 <= quality <= 100:
            raise ValueError("JPEG quality must be 1..100")
        ok, buffer = cv2.imencode(".jpg", self.crop, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
        if not ok:
            raise ValueError("JPEG encoding failed")
        return buffer.tobytes()


_default_detector: FaceDetector | None = None


def default_detector() -> FaceDetector:
    """The shared :class:`FaceDetector` used when :func:`analyse` gets none (created once)."""
    global _default_detector
    if _default_detector is None:
        _default_detector = FaceDetector()
    return _default_detector


def sharpness(grey_face: np.ndarray) -> float:
    """Focus measure of a grey face region: 100 × var(Laplacian) / var(grey) on the
    region resized to 64×64 px. Dividing by the grey variance makes it independent
    of exposure and contrast; the fixed size makes it independent of the face's
    pixel size. Returns 0.0 for a flat region."""
    small = cv2.resize(grey_face, (64, 64), interpolation=cv2.INTER_AREA).astype(np.float64)
    variance = float(small.var())
    if variance < 1e-6:
        return 0.0
    return 100.0 * float(cv2.Laplacian(small, cv2.CV_64F).var()) / variance


def crop_rect(face: Box, policy: PhotoPolicy) -> Box:
    """Pass-photo rectangle ``(x, y, w, h)`` in frame pixels for a face box.

    Height = face height / ``face_height_fraction``; width = height × ratio; face
    centred horizontally; face-box centre at ``face_centre_y`` of the height. The
    rectangle may extend outside the frame (negative x/y); :func:`analyse` then
    reports ``face_cut_off``.
    """
    x, y, w, h = face
    width_cm, height_cm = policy.ratio_cm
    crop_h = h / policy.face_height_fraction
    crop_w = crop_h * width_cm / height_cm
    left = x + w / 2.0 - crop_w / 2.0
    top = y + h / 2.0 - policy.face_centre_y * crop_h
    return int(round(left)), int(round(top)), int(round(crop_w)), int(round(crop_h))


def _background_match(crop: np.ndarray, rule: BackgroundRule, colour: str) -> float:
    """Fraction (0–1) of the crop's two top-corner pixels that have ``colour``."""
    height, width = crop.shape[:2]
    cw = max(1, int(round(width * rule.corner_width)))
    ch = max(1, int(round(height * rule.corner_height)))
    corners = np.concatenate([crop[:ch, :cw].reshape(-1, 3), crop[:ch, width - cw:].reshape(-1, 3)])
    hsv = cv2.cvtColor(corners.reshape(-1, 1, 3), cv2.COLOR_BGR2HSV).reshape(-1, 3).astype(np.int32)
    hue, sat, val = hsv[:, 0], hsv[:, 1], hsv[:, 2]
    spec = COLOURS[colour]
    mask = val >= spec["v_min"]
    if "s_min" in spec:
        mask &= sat >= spec["s_min"]
    if "s_max" in spec:
        mask &= sat <= spec["s_max"]
    if "hue" in spec:
        in_hue = np.zeros_like(mask)
        for low, high in spec["hue"]:
            in_hue |= (hue >= low) & (hue <= high)
        mask &= in_hue
    return float(mask.mean())


def analyse(
    frame_bgr: np.ndarray,
    policy: PhotoPolicy | None = None,
    *,
    birth_year: int | None = None,
    detector: FaceDetector | None = None,
) -> PhotoResult:
    """Check one camera frame and cut the pass photo.

    ``frame_bgr``: BGR ``uint8`` array ``(height, width, 3)`` (convert RGB images
    first). ``policy``: the office's :class:`PhotoPolicy` (default national 2x3).
    ``birth_year``: needed only when the background rule depends on it.
    ``detector``: a :class:`FaceDetector` (default: shared one).

    Rules: no confirmed face → ``no_face`` (nothing else checked). The largest face
    is the subject; another face at least ``background_face_ratio`` × its height →
    ``multiple_faces`` (nothing else checked); smaller faces are people in the
    background and ignored. Then ``face_too_small`` (face fraction), ``face_cut_off``
    (crop rectangle leaves the frame; no crop), ``too_dark``/``too_bright`` (mean grey
    of the face box), ``blurred`` (:func:`sharpness`; only judged when the exposure is
    acceptable, since a dark or washed-out face cannot be judged for focus) and
    ``background_colour`` (when a rule is set and a crop exists).

    Raises ``ValueError`` for a frame that is not HxWx3 uint8, or when the
    background rule needs ``birth_year`` and none is given.
    """
    policy = policy or PhotoPolicy()
    frame = np.asarray(frame_bgr)
    if frame.dtype != np.uint8 or frame.ndim != 3 or frame.shape[2] != 3 or 0 in frame.shape:
        raise ValueError(f"expected a BGR uint8 frame (height, width, 3), got {frame.dtype} {frame.shape}")
    expected_colour = policy.background.expected(birth_year) if policy.background else None
    detector = detector or default_detector()

    faces = detector.detect(frame)
    metrics: dict[str, float] = {"faces": float(len(faces))}
    if not faces:
        return PhotoResult(False, (Reason.of("no_face"),), None, None, None, metrics)
    face = faces[0]
    x, y, w, h = face
    others = [b for b in faces[1:] if b[3] >= policy.background_face_ratio * h]
    if others:
        return PhotoResult(False, (Reason.of("multiple_faces"),), face, None, None, metrics)

    reasons: list[Reason] = []
    frame_h, frame_w = frame.shape[:2]
    metrics["face_fraction"] = h / frame_h
    if metrics["face_fraction"] < policy.min_face_fraction:
        reasons.append(Reason.of("face_too_small"))

    rect: Box | None = crop_rect(face, policy)
    rx, ry, rw, rh = rect
    if rx < 0 or ry < 0 or rx + rw > frame_w or ry + rh > frame_h:
        reasons.append(Reason.of("face_cut_off"))
        rect = None

    grey_face = cv2.cvtColor(frame[y:y + h, x:x + w], cv2.COLOR_BGR2GRAY)
    brightness = float(grey_face.mean())
    metrics["brightness"] = brightness
    exposure_ok = True
    if brightness < policy.brightness_min:
        reasons.append(Reason.of("too_dark"))
        exposure_ok = False
    elif brightness > policy.brightness_max:
        reasons.append(Reason.of("too_bright"))
        exposure_ok = False
    metrics["sharpness"] = sharpness(grey_face)
    if exposure_ok and metrics["sharpness"] < policy.blur_threshold:
        reasons.append(Reason.of("blurred"))

    crop = None
    if rect is not None:
        out_w, out_h = policy.output_size
        region = frame[ry:ry + rh, rx:rx + rw]
        interpolation = cv2.INTER_AREA if rh > out_h else cv2.INTER_CUBIC
        crop = cv2.resize(region, (out_w, out_h), interpolation=interpolation)
        if policy.background is not None and expected_colour is not None:
            match = _background_match(crop, policy.background, expected_colour)
            metrics["background_match"] = match
            if match < policy.background.min_match:
                name_id = COLOURS[expected_colour]["id"]
                reasons.append(Reason(
                    "background_colour",
                    f"Warna latar belakang tidak sesuai. Latar harus berwarna {name_id}.",
                    f"Wrong background colour. The background must be {expected_colour}.",
                ))
    return PhotoResult(not reasons, tuple(reasons), face, crop, rect, metrics)

"""Pass-photo checks and crop (counter.photo.pipeline) on real photographs."""
from __future__ import annotations

import cv2
import numpy as np
import pytest
from skimage import data

from counter.photo import (
    REASON_CODES,
    BackgroundRule,
    FaceDetector,
    PhotoPolicy,
    analyse,
    crop_rect,
    sharpness,
)


def _canvas(height: int, width: int, value: int = 200) -> np.ndarray:
    return np.full((height, width, 3), value, np.uint8)


def _face_centre_in_crop(result) -> tuple[float, float]:
    fx, fy, fw, fh = result.face
    rx, ry, rw, rh = result.crop_rect
    return (fx + fw / 2 - rx) / rw, (fy + fh / 2 - ry) / rh


@pytest.mark.parametrize("ratio", ["2x3", "3x4", "4x6"])
def test_astronaut_is_accepted_and_cropped_to_the_ratio(astronaut, ratio):
    policy = PhotoPolicy(ratio=ratio)
    result = analyse(astronaut, policy)
    assert result.ok, result.codes
    assert result.reasons == ()
    height, width = result.crop.shape[:2]
    assert (width, height) == policy.output_size
    width_cm, height_cm = policy.ratio_cm
    assert abs(width - height * width_cm / height_cm) <= 1
    # The crop rectangle in the frame has the ratio too and lies inside the frame.
    rx, ry, rw, rh = result.crop_rect
    assert abs(rw - rh * width_cm / height_cm) <= 1
    assert rx >= 0 and ry >= 0 and rx + rw <= 512 and ry + rh <= 512
    # Face centred horizontally (within 5 % of the width), box centre 45 % down.
    centre_x, centre_y = _face_centre_in_crop(result)
    assert abs(centre_x - 0.5) <= 0.05
    assert abs(centre_y - policy.face_centre_y) <= 0.02
    # The face box is ~42 % of the photo height.
    assert abs(result.face[3] / rh - policy.face_height_fraction) <= 0.01
    # The real face is in the box: the astronaut's eyes are at about (203, 101) and (247, 101).
    fx, fy, fw, fh = result.face
    assert fx < 203 and 247 < fx + fw and fy < 101 < fy + fh


def test_output_sizes_at_300_dpi_and_configured_height():
    assert PhotoPolicy(ratio="2x3").output_size == (236, 354)
    assert PhotoPolicy(ratio="3x4").output_size == (354, 472)
    assert PhotoPolicy(ratio="4x6").output_size == (473, 709)
    assert PhotoPolicy(ratio="3x4", dpi=600).output_size == (709, 945)
    assert PhotoPolicy(ratio="3x4", height_px=600).output_size == (450, 600)


def test_astronaut_crop_looks_like_a_pass_photo(astronaut):
    """Head-and-shoulders: light wall in the top corners, face skin in the middle,
    dark suit collar in the bottom centre."""
    crop = analyse(astronaut, PhotoPolicy(ratio="3x4")).crop
    hsv = cv2.cvtColor(crop, cv2.COLOR_BGR2HSV)
    height, width = crop.shape[:2]
    top_left = hsv[: height // 10, : width // 10]
    assert top_left[..., 2].mean() > 170 and top_left[..., 1].mean() < 60
    face = crop[int(height * 0.40):int(height * 0.55), int(width * 0.4):int(width * 0.6)]
    b, g, r = face.reshape(-1, 3).mean(axis=0)
    assert r > g > b and r > 150  # skin tone
    collar = crop[int(height * 0.85):, int(width * 0.4):int(width * 0.6)]
    assert collar.mean() < 60


@pytest.mark.parametrize("name", ["chelsea", "coffee"])
def test_no_face_in_cat_and_coffee(request, name):
    result = analyse(request.getfixturevalue(name))
    assert not result.ok
    assert result.codes == ("no_face",)
    assert result.face is None and result.crop is None and result.crop_rect is None
    assert result.reasons[0].message_id == "Wajah tidak terdeteksi. Pastikan anak menghadap kamera."
    assert result.reasons[0].text("en").startswith("No face detected")
    with pytest.raises(ValueError):
        result.to_jpeg()


@pytest.mark.parametrize("name", ["camera", "rocket", "coins", "horse", "page"])
def test_other_photos_have_no_face(name):
    image = getattr(data, name)()
    if image.dtype == bool:
        image = image.astype(np.uint8) * 255
    bgr = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR) if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2BGR)
    assert analyse(bgr).codes == ("no_face",)


class _StageOneOnly(FaceDetector):
    def _confirmed(self, grey, box):
        return True


@pytest.mark.parametrize("variant", ["upscaled", "dark"])
def test_second_cascade_removes_false_positives(astronaut, variant):
    """With a permissive stage 1 (minNeighbors 2) the first cascade also fires on the
    space suit / flag; the confirming cascade keeps only the real face."""
    if variant == "upscaled":
        image = cv2.resize(astronaut, None, fx=1.25, fy=1.25, interpolation=cv2.INTER_LINEAR)
    else:
        image = (astronaut * 0.25).astype(np.uint8)
    raw = _StageOneOnly(min_neighbors=2).detect(image)
    confirmed = FaceDetector(min_neighbors=2).detect(image)
    assert len(raw) >= 2
    assert len(confirmed) == 1
    x, y, w, h = confirmed[0]
    scale = 1.25 if variant == "upscaled" else 1.0
    assert x < 203 * scale and 247 * scale < x + w and y < 101 * scale < y + h


def test_default_detector_finds_one_face_per_astronaut(astronaut):
    assert len(FaceDetector().detect(astronaut)) == 1
    assert len(FaceDetector().detect(np.hstack([astronaut, astronaut]))) == 2


def test_blurred_astronaut_is_refused(astronaut):
    result = analyse(cv2.GaussianBlur(astronaut, (0, 0), 3))
    assert result.codes == ("blurred",)
    assert result.crop is not None  # shown to the officer, but not accepted
    assert "kabur" in result.reasons[0].message_id


def test_slightly_soft_astronaut_is_still_sharp_enough(astronaut):
    """JPEG q50 and a light blur (σ 0.7 px) pass: the threshold is not pedantic."""
    ok, buffer = cv2.imencode(".jpg", astronaut, [cv2.IMWRITE_JPEG_QUALITY, 50])
    assert analyse(cv2.imdecode(buffer, cv2.IMREAD_COLOR)).ok
    assert analyse(cv2.GaussianBlur(astronaut, (0, 0), 0.7)).ok


def test_dark_astronaut_is_too_dark(astronaut):
    result = analyse((astronaut * 0.15).astype(np.uint8))
    assert result.codes == ("too_dark",)
    assert result.metrics["brightness"] < 30


@pytest.mark.parametrize("brighten", ["offset", "gain"])
def test_bright_astronaut_is_too_bright(astronaut, brighten):
    if brighten == "offset":
        image = np.clip(astronaut.astype(np.int16) + 100, 0, 255).astype(np.uint8)
    else:
        image = np.clip(astronaut * 1.8, 0, 255).astype(np.uint8)
    result = analyse(image)
    assert result.codes == ("too_bright",)


def test_face_too_small_in_a_large_canvas(astronaut):
    canvas = _canvas(768, 1024)
    canvas[128:640, 256:768] = astronaut
    result = analyse(canvas)
    assert result.codes == ("face_too_small",)
    assert result.metrics["face_fraction"] < 0.15
    # The same picture passes for an office that accepts smaller faces.
    assert analyse(canvas, PhotoPolicy(min_face_fraction=0.1)).ok


def test_downscaled_astronaut_in_a_large_canvas_is_too_small(astronaut):
    canvas = _canvas(1024, 1024)
    canvas[320:704, 320:704] = cv2.resize(astronaut, (384, 384), interpolation=cv2.INTER_AREA)
    assert analyse(canvas).codes == ("face_too_small",)


def test_two_astronauts_are_multiple_faces(astronaut):
    result = analyse(np.hstack([astronaut, astronaut]))
    assert result.codes == ("multiple_faces",)
    assert result.crop is None
    assert result.metrics["faces"] == 2


def test_small_face_in_the_background_is_ignored(astronaut):
    frame = astronaut.copy()
    frame[256:, 256:] = cv2.resize(astronaut, (256, 256), interpolation=cv2.INTER_AREA)
    result = analyse(frame)
    assert result.metrics["faces"] == 2
    assert result.ok, result.codes
    # A stricter rule (ignore only faces under 40 % of the subject) refuses it.
    assert analyse(frame, PhotoPolicy(background_face_ratio=0.4)).codes == ("multiple_faces",)


@pytest.mark.parametrize("shift", ["left", "top"])
def test_head_at_the_frame_edge_is_cut_off(astronaut, shift):
    frame = _canvas(512, 512)
    if shift == "left":
        frame[:, : 512 - 150] = astronaut[:, 150:]
    else:
        frame[: 512 - 50] = astronaut[50:]
    result = analyse(frame)
    assert result.codes == ("face_cut_off",)
    assert result.face is not None
    assert result.crop is None and result.crop_rect is None


def _astronaut_on_backdrop(astronaut: np.ndarray, bgr: tuple[int, int, int]) -> np.ndarray:
    """Replace the astronaut's light studio wall (low saturation, bright, outside the
    head and above the shoulders) with a solid backdrop colour."""
    hsv = cv2.cvtColor(astronaut, cv2.COLOR_BGR2HSV)
    wall = (hsv[..., 1] < 60) & (hsv[..., 2] > 140)
    head = np.zeros(astronaut.shape[:2], np.uint8)
    cv2.ellipse(head, (224, 100), (78, 95), 0, 0, 360, 255, -1)
    wall &= head == 0
    wall[200:] = False
    image = astronaut.copy()
    image[wall] = bgr
    return image


RED = (30, 20, 200)
BLUE = (200, 90, 20)


@pytest.mark.parametrize("backdrop, expected, ok", [
    (RED, "red", True), (RED, "blue", False), (BLUE, "blue", True), (BLUE, "red", False), (RED, "white", False),
])
def test_fixed_background_colour(astronaut, backdrop, expected, ok):
    image = _astronaut_on_backdrop(astronaut, backdrop)
    result = analyse(image, PhotoPolicy(ratio="3x4", background=BackgroundRule(colour=expected)))
    assert result.ok is ok
    assert result.codes == (() if ok else ("background_colour",))


def test_background_by_birth_year_parity(astronaut):
    rule = BackgroundRule(odd="red", even="blue")
    policy = PhotoPolicy(background=rule)
    red = _astronaut_on_backdrop(astronaut, RED)
    assert analyse(red, policy, birth_year=2015).ok
    refused = analyse(red, policy, birth_year=2016)
    assert refused.codes == ("background_colour",)
    assert refused.reasons[0].message_id == "Warna latar belakang tidak sesuai. Latar harus berwarna biru."
    assert refused.reasons[0].message_en.endswith("must be blue.")
    with pytest.raises(ValueError, match="birth year"):
        analyse(red, policy)


def test_studio_wall_is_white_not_red(astronaut):
    assert analyse(astronaut, PhotoPolicy(background=BackgroundRule(colour="white"))).ok
    result = analyse(astronaut, PhotoPolicy(background=BackgroundRule(colour="red")))
    assert result.codes == ("background_colour",)
    assert "merah" in result.reasons[0].message_id
    assert result.metrics["background_match"] < 0.1


def test_background_check_is_off_by_default(astronaut):
    result = analyse(_astronaut_on_backdrop(astronaut, RED))
    assert result.ok and "background_match" not in result.metrics


def test_to_jpeg(astronaut):
    result = analyse(astronaut, PhotoPolicy(ratio="4x6"))
    high, low = result.to_jpeg(95), result.to_jpeg(30)
    assert high[:2] == b"\xff\xd8" and len(low) < len(high)
    decoded = cv2.imdecode(np.frombuffer(high, np.uint8), cv2.IMREAD_COLOR)
    assert decoded.shape == (709, 473, 3)
    with pytest.raises(ValueError):
        result.to_jpeg(0)


def test_analyse_rejects_non_bgr_frames(astronaut):
    with pytest.raises(ValueError):
        analyse(astronaut.astype(np.float32))
    with pytest.raises(ValueError):
        analyse(cv2.cvtColor(astronaut, cv2.COLOR_BGR2GRAY))


def test_sharpness_measure(astronaut):
    grey = cv2.cvtColor(astronaut[64:165, 173:274], cv2.COLOR_BGR2GRAY)
    sharp = sharpness(grey)
    soft = sharpness(cv2.GaussianBlur(grey, (0, 0), 3))
    assert sharp > PhotoPolicy().blur_threshold > soft
    # Independent of exposure and of the face's pixel size.
    assert sharpness((grey * 0.5).astype(np.uint8)) == pytest.approx(sharp, rel=0.25)
    assert sharpness(cv2.resize(grey, None, fx=2, fy=2)) > PhotoPolicy().blur_threshold
    assert sharpness(np.full((50, 50), 128, np.uint8)) == 0.0


def test_crop_rect_geometry():
    policy = PhotoPolicy(ratio="3x4")
    x, y, w, h = crop_rect((100, 200, 84, 84), policy)
    assert h == 200 and w == 150
    assert x + w / 2 == pytest.approx(142, abs=0.5)
    assert y == pytest.approx(242 - 0.45 * 200, abs=0.5)


def test_policy_validation_and_config():
    with pytest.raises(ValueError):
        PhotoPolicy(ratio="5x5")
    with pytest.raises(ValueError):
        PhotoPolicy(brightness_min=200, brightness_max=100)
    with pytest.raises(ValueError):
        PhotoPolicy(face_height_fraction=1.2)
    policy = PhotoPolicy.from_mapping({"ratio": "4x6", "background": {"odd": "red", "even": "blue"}})
    assert policy.ratio == "4x6"
    assert policy.background.expected(2011) == "red" and policy.background.expected(2012) == "blue"
    assert PhotoPolicy.from_mapping({"background": {"colour": "white"}}).background.expected() == "white"
    with pytest.raises(ValueError):
        PhotoPolicy.from_mapping({"ratio": "2x3", "colour": "red"})
    with pytest.raises(ValueError):
        BackgroundRule(colour="green")
    with pytest.raises(ValueError):
        BackgroundRule(odd="red")
    with pytest.raises(ValueError):
        BackgroundRule(colour="red", odd="red", even="blue")
    assert PhotoPolicy().ratio == "2x3"


def test_every_reason_code_has_both_languages():
    from counter.photo.pipeline import Reason

    for code in REASON_CODES:
        if code == "background_colour":
            continue
        reason = Reason.of(code)
        assert reason.message_id and reason.message_en and reason.message_id != reason.message_en


def test_save_accepted_crop_and_refused_images_with_reasons(tmp_path, astronaut, chelsea):
    """Writes what the officer would see; the files are the evidence for a visual check."""
    cases = {
        "accepted_astronaut": astronaut,
        "refused_blurred": cv2.GaussianBlur(astronaut, (0, 0), 3),
        "refused_dark": (astronaut * 0.15).astype(np.uint8),
        "refused_two": np.hstack([astronaut, astronaut]),
        "refused_cat": chelsea,
    }
    for name, image in cases.items():
        result = analyse(image, PhotoPolicy(ratio="3x4"))
        assert result.ok is name.startswith("accepted")
        picture = result.crop if result.ok else image
        assert cv2.imwrite(str(tmp_path / f"{name}.png"), picture)
        (tmp_path / f"{name}.txt").write_text("\n".join([*result.codes, *result.messages("id")]) + "\n", "utf-8")
    (tmp_path / "accepted_astronaut.jpg").write_bytes(analyse(astronaut, PhotoPolicy(ratio="3x4")).to_jpeg())
    saved = cv2.imread(str(tmp_path / "accepted_astronaut.jpg"))
    assert saved.shape == (472, 354, 3)
    assert (tmp_path / "refused_dark.txt").read_text("utf-8").startswith("too_dark\nWajah terlalu gelap")

"""IKM score, categories and sample size (Permen PANRB 14/2017)."""
import pytest

from queue_server.domain.errors import ValidationError
from queue_server.domain.ikm import ELEMENTS, category_for, ikm_score, krejcie_morgan


def test_elements_are_the_nine_of_the_regulation():
    assert [e.code for e in ELEMENTS] == [f"U{i}" for i in range(1, 10)]
    assert [e.name for e in ELEMENTS] == [
        "Persyaratan",
        "Sistem, Mekanisme, dan Prosedur",
        "Waktu Penyelesaian",
        "Biaya/Tarif",
        "Produk Spesifikasi Jenis Pelayanan",
        "Kompetensi Pelaksana",
        "Perilaku Pelaksana",
        "Penanganan Pengaduan, Saran dan Masukan",
        "Sarana dan Prasarana",
    ]
    for e in ELEMENTS:
        assert len(e.answers) == 4
        assert all(lid and len_ for lid, len_ in e.answers)
        assert e.question_id.endswith("?") and e.question_en.endswith("?")
    by = {e.code: e for e in ELEMENTS}
    assert [a for a, _ in by["U1"].answers] == ["Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"]
    assert [a for a, _ in by["U4"].answers] == ["Sangat mahal", "Cukup mahal", "Murah", "Gratis"]
    assert [a for a, _ in by["U3"].answers] == ["Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat"]
    assert by["U1"].as_dict()["answers"][3] == {"value": 4, "label_id": "Sangat sesuai", "label_en": "Very suitable"}


@pytest.mark.parametrize(
    "value, converted, category, label",
    [(4, 100.0, "A", "Sangat baik"), (3, 75.0, "C", "Kurang baik"), (2, 50.0, "D", "Tidak baik"),
     (1, 25.0, "D", "Tidak baik")],
)
def test_uniform_answers(value, converted, category, label):
    r = ikm_score([[value] * 9] * 3)
    assert r.converted == converted
    assert (r.category, r.label) == (category, label)
    assert r.respondents == 3
    assert r.nrr == (float(value),) * 9


@pytest.mark.parametrize(
    "score, category",
    [(25.0, "D"), (64.99, "D"), (65.0, "C"), (76.6, "C"), (76.61, "B"), (88.3, "B"), (88.31, "A"),
     (100.0, "A"), (76.604, "C"), (76.605, "B"), (88.305, "A"), (64.994, "D"), (64.995, "C")],
)
def test_category_boundaries(score, category):
    assert category_for(score)[0] == category


@pytest.mark.parametrize("bad", [24.99, 100.01, float("nan"), "80", None, True])
def test_category_out_of_range(bad):
    with pytest.raises(ValidationError):
        category_for(bad)


def test_exact_ninth_and_rounding():
    # One element at 4, eight at 3: IKM = 28/9 = 3.111..., x25 = 77.777... -> 77.78 B.
    r = ikm_score([[4, 3, 3, 3, 3, 3, 3, 3, 3]])
    assert r.converted == 77.78 and r.category == "B"
    assert r.ikm == pytest.approx(28 / 9)
    # 26.5/9 * 25 = 73.6111 -> C ; mixed respondents
    r = ikm_score([[3] * 9, [3, 3, 3, 3, 3, 3, 3, 2, 4], [4, 2, 3, 3, 3, 3, 3, 3, 3]])
    assert r.nrr[0] == pytest.approx(10 / 3) and r.nrr[1] == pytest.approx(8 / 3)
    assert r.converted == 75.0


def responses_with_total(n, total):
    """n respondents whose 9n answers sum to ``total`` (filled left to right)."""
    cells = [1] * (9 * n)
    extra = total - 9 * n
    for i in range(len(cells)):
        add = min(3, extra)
        cells[i] += add
        extra -= add
    assert extra == 0
    return [cells[i * 9:(i + 1) * 9] for i in range(n)]


@pytest.mark.parametrize(
    "n, total, converted, category",
    # converted = 25 * total / (9 n), rounded half-up: each lands on a category boundary.
    [(38, 889, 64.99, "D"), (5, 117, 65.00, "C"), (26, 717, 76.60, "C"), (19, 524, 76.61, "B"),
     (19, 604, 88.30, "B"), (24, 763, 88.31, "A")],
)
def test_scores_that_land_on_boundaries(n, total, converted, category):
    r = ikm_score(responses_with_total(n, total))
    assert r.respondents == n
    assert r.converted == converted
    assert r.category == category


def test_mixed_answers_two_respondents():
    # sums 53 over 2 respondents: IKM = 53/18, x25 = 73.6111 -> 73.61 C
    r = ikm_score([[3] * 9, [3, 3, 3, 3, 3, 3, 3, 3, 2]])
    assert r.converted == 73.61 and r.category == "C"
    assert r.nrr[8] == 2.5


@pytest.mark.parametrize(
    "responses",
    [[], [[3] * 8], [[3] * 10], [[3] * 8 + [5]], [[3] * 8 + [0]], [[3] * 8 + [2.5]], [[3] * 8 + [True]],
     ["333333333"], [[3] * 9, [3] * 8]],
)
def test_invalid_responses(responses):
    with pytest.raises(ValidationError) as e:
        ikm_score(responses)
    assert e.value.code in ("ikm_no_responses", "ikm_response_invalid")


def test_invalid_response_index_in_details():
    with pytest.raises(ValidationError) as e:
        ikm_score([[3] * 9, [3] * 9, [9] * 9])
    assert e.value.details == {"respondent": 2}


def test_krejcie_morgan():
    assert krejcie_morgan(100) == 80
    assert krejcie_morgan(1000) == 278
    assert krejcie_morgan(1) == 1
    assert krejcie_morgan(10) == 10
    assert krejcie_morgan(10000) == 370
    for bad in (0, -5, 2.5, True, "100"):
        with pytest.raises(ValidationError):
            krejcie_morgan(bad)

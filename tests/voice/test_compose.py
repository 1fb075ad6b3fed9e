"""Call text and clip tokens (display.voice.compose)."""

import pytest
from num2words import num2words

from display.voice.compose import (
    PAUSE,
    SPELLING_WORDS,
    DEFAULT_TEMPLATE,
    call_text,
    call_tokens,
    counter_value,
    parse_ticket,
    phrase_token,
    template_phrases,
    vocabulary,
)

DIGITS = "nol satu dua tiga empat lima enam tujuh delapan sembilan".split()


def test_default_sentence_matches_domain_md():
    assert call_text("A012", 3) == "Nomor antrean, A, dua belas, silakan menuju loket tiga"
    assert call_tokens("A012", "3") == [
        "chime", "nomor_antrean", "huruf_a", "dua", "belas", "silakan_menuju_loket", "tiga",
    ]


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (1, "satu"), (10, "sepuluh"), (11, "sebelas"), (12, "dua belas"), (15, "lima belas"),
        (20, "dua puluh"), (21, "dua puluh satu"), (100, "seratus"), (101, "seratus satu"),
        (110, "seratus sepuluh"), (111, "seratus sebelas"), (115, "seratus lima belas"),
        (200, "dua ratus"), (999, "sembilan ratus sembilan puluh sembilan"), (1000, "seribu"),
        (1100, "seribu seratus"), (2019, "dua ribu sembilan belas"),
    ],
)
def test_hand_written_number_words(value, words):
    assert call_text(f"A{value:03d}", 3) == f"Nomor antrean, A, {words}, silakan menuju loket tiga"
    assert call_tokens(f"A{value}", 3)[3:-2] == words.split()


def test_digit_mode_reads_each_digit():
    assert call_text("A001", 3, mode="digits") == "Nomor antrean, A, nol nol satu, silakan menuju loket tiga"
    assert call_tokens("AB120", 12, mode="digits") == [
        "chime", "nomor_antrean", "huruf_a", "huruf_b", "satu", "dua", "nol",
        "silakan_menuju_loket", "dua", "belas",
    ]


@pytest.mark.parametrize("prefix", ["A", "B", "AB"])
def test_every_number_1_to_999_both_modes(prefix):
    letters = [f"huruf_{c.lower()}" for c in prefix]
    spoken_prefix = " ".join(prefix)
    for value in range(1, 1000):
        number = f"{prefix}{value:03d}"
        words = num2words(value, lang="id")
        assert call_text(number, 7) == f"Nomor antrean, {spoken_prefix}, {words}, silakan menuju loket tujuh"
        assert call_tokens(number, 7) == [
            "chime", "nomor_antrean", *letters, *words.split(), "silakan_menuju_loket", "tujuh",
        ]
        digit_words = [DIGITS[int(d)] for d in f"{value:03d}"]
        assert call_text(number, 7, mode="digits") == (
            f"Nomor antrean, {spoken_prefix}, {' '.join(digit_words)}, silakan menuju loket tujuh"
        )
        assert call_tokens(number, 7, mode="digits") == [
            "chime", "nomor_antrean", *letters, *digit_words, "silakan_menuju_loket", "tujuh",
        ]


def test_counters_1_to_99_read_as_words_in_both_modes():
    for counter in range(1, 100):
        expected = num2words(counter, lang="id")
        for mode in ("words", "digits"):
            assert call_text("B5", counter, mode=mode).endswith(f"silakan menuju loket {expected}")
            assert call_tokens("B5", str(counter), mode=mode)[-len(expected.split()):] == expected.split()


def test_ticket_parsing():
    assert parse_ticket("A012").prefix == "A"
    assert parse_ticket("A012").digits == "012"
    assert parse_ticket("A012").value == 12
    assert parse_ticket(" ab-7 ") == parse_ticket("AB7")
    assert call_text("ab7", 1) == "Nomor antrean, A B, tujuh, silakan menuju loket satu"


@pytest.mark.parametrize("bad", ["", "12", "A", "ABC1", "A12345", "A 12", "Á1", "A1B", 12, None])
def test_bad_ticket_numbers_rejected(bad):
    with pytest.raises(ValueError):
        call_tokens(bad, 1)


@pytest.mark.parametrize("bad", [0, 100, -1, "0", "100", "x", "", True, 3.0, None, "٣"])
def test_bad_counters_rejected(bad):
    with pytest.raises(ValueError):
        counter_value(bad)
    with pytest.raises(ValueError):
        call_text("A1", bad)


def test_counter_accepts_int_and_string():
    assert counter_value(3) == counter_value("3") == counter_value(" 03 ") == 3
    assert counter_value(99) == 99


def test_bad_mode_and_template_rejected():
    with pytest.raises(ValueError):
        call_tokens("A1", 1, mode="roman")
    for template in ("Nomor {ticket}", "Nomor {number:03d}", "Nomor {number!r}", "Nomor {number", "{0}"):
        with pytest.raises(ValueError):
            call_tokens("A1", 1, template=template)


def test_custom_template_phrases_and_tokens():
    template = "Nomor {prefix} {number}; ke loket {counter}. Terima kasih"
    assert template_phrases(template) == {"nomor": "Nomor", "ke_loket": "ke loket", "terima_kasih": "Terima kasih"}
    assert call_tokens("C9", 2, template=template, chime=False) == [
        "nomor", "huruf_c", "sembilan", "ke_loket", "dua", "terima_kasih",
    ]
    assert call_text("C9", 2, template=template) == "Nomor C sembilan; ke loket dua. Terima kasih"


def test_template_without_prefix():
    assert call_text("AB15", 4, template="{number} ke {counter}") == "lima belas ke empat"


def test_phrase_token():
    assert phrase_token(" Silakan  menuju loket! ") == "silakan_menuju_loket"
    assert phrase_token("Lanjut ke Lantai 2") == "lanjut_ke_lantai_2"
    with pytest.raises(ValueError):
        phrase_token(" - ")


def test_vocabulary_covers_exactly_the_number_words():
    vocab = vocabulary()
    words = {t for t in vocab if not t.startswith(("huruf_", "ejaan_"))
             and t not in ("chime", "nomor_antrean", "silakan_menuju_loket")}
    assert words == set(
        "nol satu dua tiga empat lima enam tujuh delapan sembilan sepuluh sebelas belas puluh "
        "seratus ratus seribu ribu".split()
    )
    assert sum(t.startswith("huruf_") for t in vocab) == 26
    assert sum(t.startswith("ejaan_") for t in vocab) == 26
    assert vocab["huruf_b"] == "be" and vocab["huruf_z"] == "zet"
    assert vocab["chime"] == ""
    assert set(template_phrases(DEFAULT_TEMPLATE)) <= set(vocab)
    with pytest.raises(ValueError):
        vocabulary(max_number=10000)


def test_spelling_words_follow_each_prefix_letter():
    assert call_tokens("B012", 3, spelling="words") == [
        "chime", "nomor_antrean", "huruf_b", "ejaan_bandung", "dua", "belas", "silakan_menuju_loket", "tiga"]
    assert call_text("B012", 3, spelling="words") == "Nomor antrean, B Bandung, dua belas, silakan menuju loket tiga"
    assert call_tokens("AB1", 2, spelling="words", words={"a": "Anggrek"})[2:6] == [
        "huruf_a", "ejaan_anggrek", "huruf_b", "ejaan_bandung"]
    assert "ejaan_anggrek" in vocabulary(words={"A": "Anggrek"})
    # no spelling word sounds like a number word (ICAO "Lima" would be heard as 5)
    numbers = set("nol satu dua tiga empat lima enam tujuh delapan sembilan sepuluh sebelas belas puluh "
                  "seratus ratus seribu ribu".split())
    assert not {w.lower() for w in SPELLING_WORDS.values()} & numbers
    with pytest.raises(ValueError):
        call_tokens("A1", 1, spelling="nato")
    with pytest.raises(ValueError):
        call_tokens("A1", 1, spelling="words", words={"AB": "x"})


def test_a_call_said_twice_has_one_chime_and_a_pause():
    once = call_tokens("A012", 3)
    twice = call_tokens("A012", 3, repeat=2)
    assert twice == ["chime", *once[1:], PAUSE, *once[1:]]
    with pytest.raises(ValueError):
        call_tokens("A012", 3, repeat=3)

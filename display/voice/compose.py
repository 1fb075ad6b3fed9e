"""Compose the spoken call for a ticket: text for captions and clip tokens for audio.

A call (DOMAIN.md "Announcements and tickets", issue 6 §3) is a chime followed by the
sentence "Nomor antrean, A, dua belas, silakan menuju loket tiga".

Template format
---------------
A template is a plain string with up to three placeholders, written as in
``str.format``: ``{prefix}`` (the ticket's letter prefix, read letter by letter),
``{number}`` (the ticket's digits, read as words or digit by digit) and
``{counter}`` (the loket number, always read as words).  Everything else is
literal text.  Literal text is split at commas, full stops, semicolons, colons and
at the placeholders; every non-empty piece is one *phrase* and is spoken by one
clip whose token is the phrase lower-cased, transliterated to ASCII (unidecode)
and with each run of non-alphanumeric characters replaced by ``_``.  So
``"Nomor antrean, {prefix}, {number}, silakan menuju loket {counter}"`` gives the
phrase tokens ``nomor_antrean`` and ``silakan_menuju_loket``.  An office that
changes the template must provide a clip for every new phrase (see
``scripts/make_voice_pack.py --phrase`` and assets/voice/README.md).

Token vocabulary
----------------
* ``chime``: the gong played before the sentence.
* number words, exactly as num2words(lang="id") writes them, one token per word:
  ``nol satu dua tiga empat lima enam tujuh delapan sembilan sepuluh sebelas
  belas puluh seratus ratus seribu ribu``.
* letters: ``huruf_a`` ... ``huruf_z`` (the letter's name, spoken slowly: "be",
  "de" and "e" are easy to confuse when clipped short, issue 18 item 11).
* spelling words: ``ejaan_ambon`` ... (``spelling="words"``: "be, Bandung" makes the
  prefix unmistakable; :data:`SPELLING_WORDS`, an office may give its own).
* phrases from the template (above).
* :data:`PAUSE` is not a clip: the pause between the two readings of a repeated call.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from typing import Literal

from num2words import num2words
from unidecode import unidecode

__all__ = [
    "CHIME",
    "DEFAULT_TEMPLATE",
    "DIGIT_WORDS",
    "LETTER_NAMES",
    "MAX_COUNTER",
    "MAX_NUMBER",
    "Mode",
    "PAUSE",
    "SPELLINGS",
    "SPELLING_WORDS",
    "spelling_token",
    "Ticket",
    "call_text",
    "call_tokens",
    "counter_value",
    "letter_token",
    "number_words",
    "parse_ticket",
    "phrase_token",
    "template_phrases",
    "vocabulary",
]

Mode = Literal["words", "digits"]

#: Default call sentence (DOMAIN.md "Announcements and tickets").
DEFAULT_TEMPLATE = "Nomor antrean, {prefix}, {number}, silakan menuju loket {counter}"

#: Token of the chime clip played before every call.
CHIME = "chime"

#: Highest ticket number (digits after the prefix) that can be read as words with
#: the default pack; the pack holds every word num2words uses for 0..9999.
MAX_NUMBER = 9999

#: Highest loket number (counters are numbered 1..99).
MAX_COUNTER = 99

#: Indonesian word for each digit, used in ``mode="digits"``.
DIGIT_WORDS = ("nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan")

#: How each letter is named when spelled aloud in Bahasa Indonesia ("a, be, ce, de ...").
#: Used for the caption of a clip and as the text espeak-ng speaks for it.
LETTER_NAMES = {
    "A": "a", "B": "be", "C": "ce", "D": "de", "E": "e", "F": "ef", "G": "ge",
    "H": "ha", "I": "i", "J": "je", "K": "ka", "L": "el", "M": "em", "N": "en",
    "O": "o", "P": "pe", "Q": "ki", "R": "er", "S": "es", "T": "te", "U": "u",
    "V": "ve", "W": "we", "X": "eks", "Y": "ye", "Z": "zet",
}

#: The default spelling word of each letter for ``spelling="words"``: Indonesian place
#: names that collide with no number word (ICAO "Lima" would be heard as 5); Q, V and X
#: keep their ICAO words. The caption and espeak-ng text is the word itself.
SPELLING_WORDS = {
    "A": "Ambon", "B": "Bandung", "C": "Cirebon", "D": "Denpasar", "E": "Ende", "F": "Flores",
    "G": "Garut", "H": "Halmahera", "I": "Indramayu", "J": "Jakarta", "K": "Kupang", "L": "Lampung",
    "M": "Medan", "N": "Nias", "O": "Ombilin", "P": "Padang", "Q": "Quebec", "R": "Rembang",
    "S": "Surabaya", "T": "Ternate", "U": "Ubud", "V": "Victor", "W": "Wamena", "X": "X-ray",
    "Y": "Yogyakarta", "Z": "Zamrud",
}

#: How the prefix letters are read: ``"name"`` (be) or ``"words"`` (be, Bandung).
SPELLINGS = ("name", "words")

#: Not a clip: the silence between the two readings of a call said twice (``repeat=2``).
PAUSE = "_jeda_"

_TICKET_RE = re.compile(r"([A-Za-z]{1,2})-?(\d{1,4})")
_PHRASE_SPLIT_RE = re.compile(r"[,.;:]")
_FIELDS = ("prefix", "number", "counter")


@dataclass(frozen=True)
class Ticket:
    """A parsed ticket number such as "A012": ``prefix`` "A" (1–2 upper-case letters),
    ``digits`` "012" (as printed, 1–4 digits) and ``value`` 12."""

    prefix: str
    digits: str

    @property
    def value(self) -> int:
        """The number after the prefix as an int (``"012"`` -> 12)."""
        return int(self.digits)


def parse_ticket(number: str) -> Ticket:
    """Parse a ticket number: 1–2 letters followed by 1–4 digits ("A012", "AB7", "b-3").

    Surrounding whitespace and one hyphen between prefix and digits are accepted; the
    prefix is upper-cased.  Raises ``ValueError`` for anything else (no prefix, more than
    two letters, more than four digits: the default pack reads numbers up to 9999).
    """
    if not isinstance(number, str):
        raise ValueError(f"ticket number must be a string like 'A012', got {number!r}")
    match = _TICKET_RE.fullmatch(number.strip())
    if match is None:
        raise ValueError(
            f"ticket number {number!r} is not 1-2 letters followed by 1-4 digits (e.g. 'A012')"
        )
    return Ticket(prefix=match.group(1).upper(), digits=match.group(2))


def counter_value(counter: int | str) -> int:
    """The loket number as an int in 1..99; accepts ``3`` or ``"3"`` (or ``"03"``).

    Raises ``ValueError`` for non-numbers, booleans, and values outside 1..99.
    """
    if isinstance(counter, bool):
        raise ValueError(f"counter must be a number 1..{MAX_COUNTER}, got {counter!r}")
    if isinstance(counter, str):
        text = counter.strip()
        if not text.isdigit() or not text.isascii():
            raise ValueError(f"counter must be a number 1..{MAX_COUNTER}, got {counter!r}")
        value = int(text)
    elif isinstance(counter, int):
        value = counter
    else:
        raise ValueError(f"counter must be a number 1..{MAX_COUNTER}, got {counter!r}")
    if not 1 <= value <= MAX_COUNTER:
        raise ValueError(f"counter must be a number 1..{MAX_COUNTER}, got {counter!r}")
    return value


def number_words(value: int) -> list[str]:
    """Indonesian words for ``value`` (0..9999) as num2words(lang="id") writes them,
    split into words: 12 -> ["dua", "belas"], 115 -> ["seratus", "lima", "belas"].

    Raises ``ValueError`` outside 0..9999 (the range the default pack covers).
    """
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_NUMBER:
        raise ValueError(f"number must be an int in 0..{MAX_NUMBER}, got {value!r}")
    return num2words(value, lang="id").split()


def letter_token(letter: str) -> str:
    """Clip token of one letter: ``"A"`` -> ``"huruf_a"``.  Raises ``ValueError`` if
    ``letter`` is not a single ASCII letter."""
    if len(letter) != 1 or letter.upper() not in LETTER_NAMES:
        raise ValueError(f"not a single letter A-Z: {letter!r}")
    return f"huruf_{letter.lower()}"


def phrase_token(phrase: str) -> str:
    """Clip token of a literal template phrase: ``"Silakan menuju loket"`` ->
    ``"silakan_menuju_loket"`` (lower-case, unidecode, non-alphanumeric runs -> ``_``).

    Raises ``ValueError`` if nothing speakable is left.
    """
    token = re.sub(r"[^a-z0-9]+", "_", unidecode(phrase).lower()).strip("_")
    if not token:
        raise ValueError(f"phrase {phrase!r} has no letters or digits")
    return token


def _parse_template(template: str) -> list[tuple[str, str]]:
    """Split a template into ``("text", literal)`` and ``("field", name)`` parts.

    Raises ``ValueError`` for unknown placeholders, format specs or conversions.
    """
    parts: list[tuple[str, str]] = []
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise ValueError(f"bad call template {template!r}: {exc}") from exc
    for literal, field, spec, conversion in parsed:
        if literal:
            parts.append(("text", literal))
        if field is None:
            continue
        if field not in _FIELDS or spec or conversion:
            raise ValueError(
                f"bad placeholder {{{field}}} in call template {template!r}; "
                f"allowed: {{prefix}}, {{number}}, {{counter}}"
            )
        parts.append(("field", field))
    return parts


def template_phrases(template: str = DEFAULT_TEMPLATE) -> dict[str, str]:
    """The phrases a template speaks, as ``{token: text}`` in order of appearance:
    for the default template ``{"nomor_antrean": "Nomor antrean",
    "silakan_menuju_loket": "silakan menuju loket"}``.  Raises ``ValueError`` for a
    malformed template."""
    phrases: dict[str, str] = {}
    for kind, value in _parse_template(template):
        if kind != "text":
            continue
        for piece in _PHRASE_SPLIT_RE.split(value):
            piece = " ".join(piece.split())
            if any(ch.isalnum() for ch in piece):
                phrases.setdefault(phrase_token(piece), piece)
    return phrases


def spelling_token(word: str) -> str:
    """Clip token of a spelling word: ``"Bandung"`` -> ``"ejaan_bandung"``."""
    return "ejaan_" + phrase_token(word)


def _spelling_words(words: dict[str, str] | None) -> dict[str, str]:
    """The office's spelling words over the defaults; ValueError for a key that is not A-Z."""
    table = dict(SPELLING_WORDS)
    for letter, word in (words or {}).items():
        if len(letter) != 1 or letter.upper() not in LETTER_NAMES:
            raise ValueError(f"spelling word for {letter!r}: not a single letter A-Z")
        phrase_token(word)  # ValueError when nothing speakable
        table[letter.upper()] = word
    return table


def _field_words(field: str, ticket: Ticket, counter: int, mode: Mode, spelling: str = "name",
                 words: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """(token, caption word) pairs for one placeholder."""
    if field == "prefix":
        if spelling == "words":
            table = _spelling_words(words)
            out: list[tuple[str, str]] = []
            for ch in ticket.prefix:
                out += [(letter_token(ch), ch), (spelling_token(table[ch]), table[ch])]
            return out
        return [(letter_token(ch), ch) for ch in ticket.prefix]
    if field == "number":
        if mode == "digits":
            return [(DIGIT_WORDS[int(d)],) * 2 for d in ticket.digits]
        return [(w, w) for w in number_words(ticket.value)]
    return [(w, w) for w in number_words(counter)]


def _compose(
    number: str, counter: int | str, mode: Mode, template: str, spelling: str = "name",
    words: dict[str, str] | None = None,
) -> tuple[list[str], str]:
    if mode not in ("words", "digits"):
        raise ValueError(f"mode must be 'words' or 'digits', got {mode!r}")
    if spelling not in SPELLINGS:
        raise ValueError(f"spelling must be one of {', '.join(SPELLINGS)}, got {spelling!r}")
    ticket = parse_ticket(number)
    loket = counter_value(counter)
    tokens: list[str] = []
    text_parts: list[str] = []
    for kind, value in _parse_template(template):
        if kind == "text":
            text_parts.append(value)
            for piece in _PHRASE_SPLIT_RE.split(value):
                if any(ch.isalnum() for ch in piece):
                    tokens.append(phrase_token(piece))
            continue
        pairs = _field_words(value, ticket, loket, mode, spelling, words)
        tokens.extend(token for token, _ in pairs)
        text_parts.append(" ".join(word for _, word in pairs))
    return tokens, "".join(text_parts)


def call_tokens(
    number: str,
    counter: int | str,
    *,
    mode: Mode = "words",
    template: str = DEFAULT_TEMPLATE,
    chime: bool = True,
    spelling: str = "name",
    words: dict[str, str] | None = None,
    repeat: int = 1,
) -> list[str]:
    """Clip tokens for calling ticket ``number`` to loket ``counter``, chime first.

    ``call_tokens("A012", 3)`` -> ``["chime", "nomor_antrean", "huruf_a", "dua",
    "belas", "silakan_menuju_loket", "tiga"]``.  ``mode="digits"`` reads the ticket's
    digits one by one ("A001" -> ``huruf_a nol nol satu``); the counter is always read
    as words.  ``spelling="words"`` follows each prefix letter by its spelling word
    (``huruf_b``, ``ejaan_bandung``; ``words`` overrides :data:`SPELLING_WORDS`).
    ``repeat=2`` says the sentence twice with :data:`PAUSE` between (one chime).
    See the module docstring for the template format.

    Raises ``ValueError`` for a malformed ticket number, a counter outside 1..99, an
    unknown mode or spelling, a repeat other than 1 or 2, or a malformed template.
    """
    if repeat not in (1, 2):
        raise ValueError(f"repeat must be 1 or 2, got {repeat!r}")
    tokens, _ = _compose(number, counter, mode, template, spelling, words)
    if repeat == 2:
        tokens = [*tokens, PAUSE, *tokens]
    return [CHIME, *tokens] if chime else tokens


def call_text(
    number: str,
    counter: int | str,
    *,
    mode: Mode = "words",
    template: str = DEFAULT_TEMPLATE,
    spelling: str = "name",
    words: dict[str, str] | None = None,
) -> str:
    """The call sentence as text (for captions and logs), without the chime.

    ``call_text("A012", 3)`` -> ``"Nomor antrean, A, dua belas, silakan menuju loket tiga"``;
    ``call_text("A001", 3, mode="digits")`` -> ``"Nomor antrean, A, nol nol satu, ..."``.
    A two-letter prefix is written with a space ("A B").  Raises like ``call_tokens``.
    """
    return _compose(number, counter, mode, template, spelling, words)[1]


def vocabulary(template: str = DEFAULT_TEMPLATE, max_number: int = MAX_NUMBER,
               words: dict[str, str] | None = None) -> dict[str, str]:
    """Every clip a pack needs for ``template`` and ticket numbers 0..``max_number``
    (both modes), counters 1..99 and letters A–Z, as ``{token: text to speak}``.

    The text is what the default generator asks espeak-ng to say (letters use their
    Indonesian names, e.g. ``huruf_b`` -> "be"); the chime has the text "".
    Raises ``ValueError`` if ``max_number`` is outside 0..9999.
    """
    if isinstance(max_number, bool) or not isinstance(max_number, int) or not 0 <= max_number <= MAX_NUMBER:
        raise ValueError(f"max_number must be an int in 0..{MAX_NUMBER}, got {max_number!r}")
    clips: dict[str, str] = {CHIME: ""}
    clips.update(template_phrases(template))
    for letter, name in LETTER_NAMES.items():
        clips[letter_token(letter)] = name
    for word in _spelling_words(words).values():
        clips[spelling_token(word)] = word
    words: set[str] = set(DIGIT_WORDS)
    for value in range(0, max(max_number, MAX_COUNTER) + 1):
        words.update(number_words(value))
    for word in sorted(words):
        clips[word] = word
    return clips

"""Read numbers, ordinals and amounts from a token list, in digits or in words.

Each reader takes (tokens, index) and returns (value, next index) or None, never raising:
the grammar tries readers in turn and only a reader that matches consumes tokens.
"""

from __future__ import annotations

from fractions import Fraction

from agentcron.cadence.language.lexicon import TENS_NUMBERS, TENS_ORDINALS, UNIT_NUMBERS, UNIT_ORDINALS
from agentcron.cadence.language.tokens import Token

Read = tuple[int, int]


def word_at(tokens: list[Token], index: int) -> str | None:
    """The word at `index`, or None when it is not a word (or past the end)."""
    if index < len(tokens) and tokens[index].kind == "word":
        return tokens[index].text
    return None


def is_word(tokens: list[Token], index: int, *words: str) -> bool:
    """True when the token at `index` is one of `words`."""
    return word_at(tokens, index) in words


def read_cardinal(tokens: list[Token], index: int) -> Read | None:
    """'7', 'seven', 'twenty five', 'twenty-five' -> (value, next index)."""
    if index >= len(tokens):
        return None
    token = tokens[index]
    if token.kind == "num":
        return token.number, index + 1
    if token.kind != "word":
        return None
    if token.text in UNIT_NUMBERS:
        return UNIT_NUMBERS[token.text], index + 1
    if token.text not in TENS_NUMBERS:
        return None
    return _tens_and_unit(tokens, index, UNIT_NUMBERS) or (TENS_NUMBERS[token.text], index + 1)


def read_word_cardinal(tokens: list[Token], index: int) -> Read | None:
    """Like read_cardinal but words only: 'nine' yes, '9' no."""
    if index < len(tokens) and tokens[index].kind == "word":
        return read_cardinal(tokens, index)
    return None


def read_ordinal(tokens: list[Token], index: int) -> Read | None:
    """'1st', 'first', 'twenty-first', 'thirtieth' -> (value, next index)."""
    if index >= len(tokens):
        return None
    token = tokens[index]
    if token.kind == "ord":
        return token.number, index + 1
    if token.kind != "word":
        return None
    if token.text in UNIT_ORDINALS:
        return UNIT_ORDINALS[token.text], index + 1
    if token.text in TENS_ORDINALS:
        return TENS_ORDINALS[token.text], index + 1
    return _tens_and_unit(tokens, index, UNIT_ORDINALS)


def _tens_and_unit(tokens: list[Token], index: int, units: dict[str, int]) -> Read | None:
    """'twenty five', 'twenty-five', 'twenty-first': a tens word, an optional hyphen and a
    unit 1-9 taken from `units` (cardinal or ordinal words)."""
    tens = TENS_NUMBERS.get(tokens[index].text)
    if tens is None:
        return None
    nxt = index + 1
    if nxt < len(tokens) and tokens[nxt].text == "-":
        nxt += 1
    unit = units.get(word_at(tokens, nxt) or "")
    if unit is not None and 1 <= unit <= 9:
        return tens + unit, nxt + 1
    return None


def read_amount(tokens: list[Token], index: int) -> tuple[Fraction, int] | None:
    """An amount before a unit: '90', '1.5', 'two', 'a', 'an', 'half', 'a couple of',
    'one and a half', '2 and a half'. Fractions stay exact (1.5 hours = 5400 s)."""
    word = word_at(tokens, index)
    if word in ("a", "an"):
        if is_word(tokens, index + 1, "couple"):
            nxt = index + 2 + int(is_word(tokens, index + 2, "of"))
            return Fraction(2), nxt
        if is_word(tokens, index + 1, "half"):
            return Fraction(1, 2), index + 2
        if is_word(tokens, index + 1, "quarter"):
            nxt = index + 2 + int(is_word(tokens, index + 2, "of"))
            return Fraction(1, 4), nxt + int(is_word(tokens, nxt, "an", "a"))
        return _with_half(tokens, Fraction(1), index + 1)
    if word == "couple":
        return Fraction(2), index + 1 + int(is_word(tokens, index + 1, "of"))
    if word == "half":
        return Fraction(1, 2), index + 1 + int(is_word(tokens, index + 1, "an", "a"))
    if word == "quarter":
        nxt = index + 1 + int(is_word(tokens, index + 1, "of"))
        return Fraction(1, 4), nxt + int(is_word(tokens, nxt, "an", "a"))
    if index < len(tokens) and tokens[index].kind == "dec":
        return _with_half(tokens, Fraction(tokens[index].text), index + 1)
    read = read_cardinal(tokens, index)
    if read is None:
        return None
    return _with_half(tokens, Fraction(read[0]), read[1])


def _with_half(tokens: list[Token], value: Fraction, index: int) -> tuple[Fraction, int]:
    """Add a trailing 'and a half' ('one and a half hours')."""
    if (
        is_word(tokens, index, "and")
        and is_word(tokens, index + 1, "a")
        and is_word(tokens, index + 2, "half")
    ):
        return value + Fraction(1, 2), index + 3
    return value, index

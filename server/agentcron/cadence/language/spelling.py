"""One-edit repair of misspelt day and month names ('thrusday', 'satruday', 'decmber').

Why a repair and not a refusal: people type names fast, and a word one keystroke away from
exactly one name can only mean that name. Why so narrow: a repair that picks the wrong word
builds a wrong schedule, which is worse than an error. So a word is repaired only when
  - the grammar does not know it already, and it has at least MIN_LENGTH letters;
  - it is one edit (insert, delete, substitute, swap two neighbours) from exactly one full
    day or month name, and that name is at least MIN_LENGTH letters ('may' is never a target);
  - it is not also one edit from any other word the grammar knows, nor from a common English
    word near a name ('match' is one edit from 'march': refused, never read as March);
  - it stands where a day or month fits (after 'every', 'on', 'and', a number ..., or before
    a number, 'at' ...): 'remind marci every day' keeps 'marci', a person, and is refused.
Every repair is reported back, so the description shows the word that was read.
"""

from __future__ import annotations

from rapidfuzz.distance import OSA

from agentcron.cadence.language.lexicon import (
    DAY_GROUP_WORDS,
    FILLER_WORDS,
    FIXED_TIMES,
    FREQUENCY_ADVERBS,
    MONTH_LABELS,
    MONTH_NAMES,
    PERIOD_WORDS,
    TENS_NUMBERS,
    TENS_ORDINALS,
    UNIT_NUMBERS,
    UNIT_ORDINALS,
    UNIT_WORDS,
    WEEKDAY_LABELS,
    WEEKDAY_NAMES,
    WEEKDAY_PLURALS,
)
from agentcron.cadence.language.tokens import Token

MIN_LENGTH = 4
MAX_EDITS = 1
# Every spelling of a name -> what it names ('tues' and 'tuesday' both name Tuesday).
LABELS: dict[str, str] = {
    **{name: WEEKDAY_LABELS[day] for name, day in WEEKDAY_NAMES.items()},
    **{name: WEEKDAY_LABELS[day] + "s" for name, day in WEEKDAY_PLURALS.items()},
    **{name: MONTH_LABELS[month] for name, month in MONTH_NAMES.items()},
}
# What a repair writes: the full name (at least MIN_LENGTH letters) for each label.
TARGETS: dict[str, str] = {
    label: name for name, label in LABELS.items()
    if len(name) >= MIN_LENGTH and name.lower() == label.lower()
}
# Grammar words outside the lexicon tables that sit near a name, plus everyday English words
# one edit from a name: a word near one of these is ambiguous, so it is never repaired.
NEAR_WORDS = frozenset({
    "every", "each", "except", "between", "from", "until", "through", "thru", "last", "first",
    "final", "step",
    "next", "this", "coming", "start", "end", "close", "beginning", "month", "week", "weekend",
    "match", "marsh", "marco", "marcy", "mach", "arch", "parch", "larch", "starch",
    "sundae", "sundry", "mundane", "monkey", "fridge", "junk", "jury", "jule", "julie",
    "tune", "dune", "jute", "rune", "lune", "duly", "aril", "augusta", "octet",
    "novel", "decent", "member", "remember",
})
WORDS_BEFORE_NAMES = frozenset({
    "every", "each", "evry", "on", "in", "of", "until", "till", "til", "through", "thru", "from",
    "to", "and", "or", "next", "this", "coming", "last", "first", "second", "third", "fourth",
    "fifth", "except", "excluding", "but", "not", "starting", "beginning", "between", "by",
    "before", "after", "during", "only", "other", "alternate", "penultimate", "final",
})
WORDS_AFTER_NAMES = frozenset({
    "at", "and", "or", "to", "through", "thru", "till", "until", "from", "morning", "mornings",
    "afternoon", "afternoons", "evening", "evenings", "night", "nights", "noon", "midnight",
    "of", "every", "each", "only", "starting", "between", "the",
})
_OTHER_WORDS = frozenset(
    set(UNIT_WORDS)
    | set(UNIT_NUMBERS) | set(TENS_NUMBERS) | set(UNIT_ORDINALS) | set(TENS_ORDINALS)
    | set(FREQUENCY_ADVERBS) | set(PERIOD_WORDS) | set(FIXED_TIMES) | set(DAY_GROUP_WORDS)
    | FILLER_WORDS | NEAR_WORDS
)


def repair_names(tokens: list[Token]) -> tuple[list[Token], list[str]]:
    """The tokens with misspelt names replaced, and one note per repair for the description."""
    repaired: list[Token] = []
    notes: list[str] = []
    for index, token in enumerate(tokens):
        in_slot = token.kind == "word" and _in_name_slot(tokens, index)
        name = repair_word(token.text) if in_slot else None
        if name is None:
            repaired.append(token)
            continue
        repaired.append(Token("word", name))
        note = f"read {token.text!r} as {LABELS[name]}"
        if note not in notes:
            notes.append(note)
    return repaired, notes


def _in_name_slot(tokens: list[Token], index: int) -> bool:
    """True where a day or month name fits: first or last, after 'every', 'on', 'and', a
    number ..., or before a number, 'at', 'and' ... ('remind marci every day' is not repaired:
    'marci' stands where a name of a person does)."""
    before = tokens[index - 1] if index > 0 else None
    after = tokens[index + 1] if index + 1 < len(tokens) else None
    if before is None or before.kind != "word" or before.text in WORDS_BEFORE_NAMES:
        return True
    return after is None or after.kind != "word" or after.text in WORDS_AFTER_NAMES


def repair_word(word: str) -> str | None:
    """The one name `word` is a misspelling of, or None (known, too short, or ambiguous)."""
    if len(word) < MIN_LENGTH or word in LABELS or word in _OTHER_WORDS or not word.isalpha():
        return None
    labels = {label for name, label in LABELS.items() if _near(word, name)}
    if len(labels) != 1 or any(_near(word, other) for other in _OTHER_WORDS):
        return None
    return TARGETS.get(labels.pop())


def _near(word: str, other: str) -> bool:
    return abs(len(word) - len(other)) <= MAX_EDITS and OSA.distance(
        word, other, score_cutoff=MAX_EDITS) <= MAX_EDITS

"""Exercise search ranking: pure code, no database, testable alone.

Every name and alias is normalised into keys (casefolded, accents stripped, punctuation and
hyphens turned into word breaks, plurals stemmed, abbreviations expanded), memoised by text. A
`SearchIndex` over those keys answers exact, prefix, all-words and fuzzy lookups: through tables
and rapidfuzz for the curated library (built once per catalog version) and a big team, by a pass
over the keys for a small team (a team's index is cached and takes its changes in place).

Tiers, best first: exact name or alias; a coach's phrase ("anti-extension") or a muscle or region
word ("delts", "legs": primary movers, the first mover first); prefix; all words in any order; fuzzy
(misspellings); secondary movers; pattern or equipment word ("hinge", "kettlebell"). Within a tier
a name beats an alias, an alias beats a name in another language, a key the query covers more of
beats a longer one, and the most common lifts get a small lift; ties are broken by name.

Around the tiers (`Library.rank`): progression words ("easier dip", "dip progression") walk the
curated progression chains from the exercise the rest of the query names; when no exercise has
every word, the words that match nothing (then, one by one, those that cost the most) are set aside
and the outcome says so; a weak fuzzy best match is a "did you mean" suggestion, not an answer.
"""

from __future__ import annotations

import bisect
import heapq
import math
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import NamedTuple

from rapidfuzz import fuzz, process

from storage.models.enums import Equipment, MovementPattern

MAX_QUERY_LENGTH = 256  # Telegram's inline query limit; longer text is cut, never refused.
MAX_PAGE_SIZE = 50  # Telegram's inline answer limit.

# The most common lifts, in the order an empty search lists them; also a small ranking lift.
POPULAR_SLUGS: tuple[str, ...] = (
    "back-squat",
    "deadlift",
    "bench-press",
    "overhead-press",
    "pull-up",
    "romanian-deadlift",
    "hip-thrust",
    "front-squat",
    "barbell-row",
    "push-up",
    "forward-lunge",
    "chin-up",
    "dumbbell-bench-press",
    "bulgarian-split-squat",
    "trap-bar-deadlift",
    "dumbbell-row",
    "lat-pulldown",
    "kettlebell-swing",
    "goblet-squat",
    "incline-bench-press",
    "dip",
    "walking-lunge",
    "leg-press",
    "seated-cable-row",
    "nordic-hamstring-curl",
    "face-pull",
    "step-up",
    "split-squat",
    "plank",
    "farmers-carry",
    "pallof-press",
    "hanging-leg-raise",
)
_POPULAR_RANK = {slug: rank for rank, slug in enumerate(POPULAR_SLUGS)}

# Abbreviations coaches type, expanded in queries and in names alike so that both directions
# meet: "DB bench" finds "Dumbbell Bench Press" and "dumbbell rdl" finds an alias "DB RDL".
ABBREVIATIONS: dict[str, str] = {
    "db": "dumbbell",
    "dbs": "dumbbell",
    "kb": "kettlebell",
    "kbs": "kettlebell",
    "bb": "barbell",
    "ez": "ez bar",
    "ezbar": "ez bar",
    "sl": "single leg",
    "sa": "single arm",
    "bw": "bodyweight",
    "oh": "overhead",
    "hk": "half kneeling",
    "lm": "landmine",
    "mb": "medicine ball",
    "tb": "trap bar",
    "ssb": "safety bar",
    "dl": "deadlift",
    "rdl": "romanian deadlift",
    "sldl": "stiff leg deadlift",
    "sgdl": "snatch grip deadlift",
    "tbdl": "trap bar deadlift",
    "ohp": "overhead press",
    "ohs": "overhead squat",
    "bp": "bench press",
    "cgbp": "close grip bench press",
    "bss": "bulgarian split squat",
    "rfess": "rear foot elevated split squat",
    "ghr": "glute ham raise",
    "tgu": "turkish get up",
    "hspu": "handstand push up",
    "lpd": "lat pulldown",
    "t2b": "toes to bar",
    "ttb": "toes to bar",
    "c2b": "chest to bar",
    # Closed compounds, so that "incline pushup" meets "Incline Push-Up" word by word.
    "pushup": "push up",
    "pullup": "pull up",
    "chinup": "chin up",
    "situp": "sit up",
    "stepup": "step up",
    "getup": "get up",
}

# Words for a muscle group beyond its own slug and name, keyed by the catalog's muscle slug.
MUSCLE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "chest": ("pec", "pecs", "pectorals"),
    "front-delts": ("shoulder", "delt", "front delt", "anterior delt"),
    "side-delts": ("shoulder", "delt", "side delt", "lateral delt", "middle delt"),
    "rear-delts": ("shoulder", "delt", "rear delt", "posterior delt"),
    "upper-back": ("back", "trap", "rhomboid", "mid back"),
    "lats": ("back", "lat"),
    "biceps": ("bicep", "bi", "bis", "arm"),
    "triceps": ("tricep", "tri", "tris", "arm"),
    "forearms": ("forearm", "grip", "wrist"),
    "rotator-cuff": ("cuff",),
    "quads": ("quad", "quadricep", "thigh", "leg"),
    "hamstrings": ("hamstring", "hammy", "hammies", "ham", "leg"),
    "glutes": ("glute", "butt", "booty", "gluteus"),
    "adductors": ("adductor", "groin", "inner thigh"),
    "abductors": ("abductor", "outer thigh", "glute med"),
    "calves": ("calf",),
    "hip-flexors": ("hip flexor", "psoas"),
    "tibialis": ("tib", "shin"),
    "abs": ("ab", "abs", "core", "six pack"),
    "obliques": ("oblique", "core"),
    "deep-core": ("core", "tva"),
    "erectors": ("erector", "lower back", "back"),
}

_PATTERN_WORDS: dict[str, tuple[str, ...]] = {
    "hinge": ("hip hinge", "hip dominant"),
    "squat": ("knee dominant",),
    "carry": ("loaded carry",),
    "core": ("core stability", "core strength", "trunk stability", "core training"),
    "push": ("upper body push",),
    "pull": ("upper body pull",),
}
_EQUIPMENT_WORDS: dict[str, tuple[str, ...]] = {
    "trap_bar": ("hex bar", "hex"),
    "suspension": ("trx", "ring"),
    "medicine_ball": ("med ball",),
    "band": ("resistance band",),
}
# Words that say nothing about which muscle or pattern is meant ("hamstring exercises").
_FILLER_WORDS = frozenset(
    {
        "exercise",
        "workout",
        "movement",
        "move",
        "pattern",
        "muscle",
        "for",
        "the",
        "training",
        "my",
        "a",
        "an",
        "of",
        "day",
        "work",
        "option",
        "variation",
        # Small words of the languages the library is named in ("remo con mancuerna").
        "with",
        "on",
        "and",
        "con",
        "de",
        "del",
        "la",
        "el",
        "en",
        "al",
        "com",
        "da",
        "do",
        "na",
        "no",
        "em",
        "di",
        "della",
        "alla",
        "du",
        "des",
        "le",
        "les",
        "au",
        "avec",
        "sur",
        "mit",
        "am",
        "im",
        "der",
        "die",
        "das",
        "den",
        "dem",
        "auf",
        "с",
        "со",
        "на",
        "в",
        "для",
    }
)


class Intent(StrEnum):
    """What a progression word asks for, relative to the exercise the rest of the query names."""

    EASIER = "easier"
    HARDER = "harder"
    CHAIN = "progression"  # the whole chain, easiest first
    BEGINNER = "beginner"  # where the chains start


PROGRESSION_WORDS: dict[str, Intent] = {
    "easier": Intent.EASIER,
    "easy": Intent.EASIER,
    "regression": Intent.EASIER,
    "regress": Intent.EASIER,
    "scaled": Intent.EASIER,
    "harder": Intent.HARDER,
    "hard": Intent.HARDER,
    "advanced": Intent.HARDER,
    "progression": Intent.CHAIN,
    "progress": Intent.CHAIN,
    "beginner": Intent.BEGINNER,
    "novice": Intent.BEGINNER,
    "easiest": Intent.BEGINNER,
}

# Coaches' words for families the library has, with the curated exercises they mean, the most
# typical first. Our own words; unknown slugs are ignored (the catalog may drop one).
COACH_PHRASES: dict[str, tuple[str, ...]] = {
    "anti extension": (
        "plank",
        "ab-wheel-rollout",
        "dead-bug",
        "rkc-plank",
        "body-saw",
        "kneeling-plank",
        "stability-ball-rollout",
        "hollow-body-hold",
        "suspension-fallout",
        "barbell-rollout",
        "standing-ab-wheel-rollout",
        "banded-dead-bug",
        "bear-plank",
    ),
    "anti flexion": (
        "bird-dog",
        "superman",
        "back-extension",
        "zercher-carry",
        "sandbag-bear-hug-carry",
        "front-rack-carry",
        "reverse-hyperextension",
    ),
    "anti lateral flexion": (
        "suitcase-carry",
        "side-plank",
        "suitcase-deadlift",
        "offset-carry",
        "kneeling-side-plank",
        "copenhagen-plank",
        "side-plank-leg-raise",
    ),
    "anti rotation": (
        "pallof-press",
        "half-kneeling-pallof-press",
        "tall-kneeling-pallof-press",
        "band-pallof-press",
        "split-stance-pallof-press",
        "pallof-walkout",
        "pallof-press-overhead",
        "plank-shoulder-tap",
        "renegade-row",
        "bird-dog",
    ),
    "scap retraction": (
        "band-pull-apart",
        "face-pull",
        "prone-ytw",
        "seated-cable-row",
        "inverted-row",
        "reverse-dumbbell-fly",
        "prone-y-raise",
        "band-face-pull",
        "chest-supported-dumbbell-row",
    ),
    "scap depression": ("scapular-pull-up", "straight-arm-pulldown", "dip-support-hold"),
    "vertical pull": (
        "pull-up",
        "chin-up",
        "lat-pulldown",
        "neutral-grip-pull-up",
        "close-grip-lat-pulldown",
        "single-arm-lat-pulldown",
        "band-assisted-pull-up",
    ),
    "horizontal pull": (
        "barbell-row",
        "dumbbell-row",
        "seated-cable-row",
        "inverted-row",
        "chest-supported-dumbbell-row",
        "pendlay-row",
        "t-bar-row",
        "machine-row",
    ),
    "vertical push": (
        "overhead-press",
        "push-press",
        "handstand-push-up",
        "seated-dumbbell-shoulder-press",
        "standing-dumbbell-overhead-press",
        "landmine-press",
        "kettlebell-press",
    ),
    "horizontal push": (
        "bench-press",
        "push-up",
        "dumbbell-bench-press",
        "incline-bench-press",
        "machine-chest-press",
        "dip",
    ),
    "hip extension": (
        "hip-thrust",
        "glute-bridge",
        "back-extension",
        "kettlebell-swing",
        "reverse-hyperextension",
        "cable-pull-through",
        "romanian-deadlift",
    ),
    "knee flexion": (
        "lying-leg-curl",
        "nordic-hamstring-curl",
        "seated-leg-curl",
        "stability-ball-leg-curl",
        "slider-leg-curl",
        "glute-ham-raise",
    ),
    "triple extension": (
        "power-clean",
        "hang-power-clean",
        "clean",
        "power-snatch",
        "snatch",
        "hang-power-snatch",
        "jump-squat",
        "trap-bar-jump",
        "kettlebell-swing",
    ),
    "plyometric": (
        "box-jump",
        "depth-jump",
        "jump-squat",
        "broad-jump",
        "pogo-jump",
        "lateral-bound",
        "split-squat-jump",
        "plyometric-push-up",
        "trap-bar-jump",
    ),
    "posterior chain": (
        "deadlift",
        "romanian-deadlift",
        "kettlebell-swing",
        "good-morning",
        "glute-ham-raise",
        "hip-thrust",
        "back-extension",
        "nordic-hamstring-curl",
        "reverse-hyperextension",
    ),
    "olympic lift": (
        "clean",
        "snatch",
        "clean-and-jerk",
        "power-clean",
        "power-snatch",
        "hang-power-clean",
        "hang-clean",
        "hang-power-snatch",
        "split-jerk",
        "push-jerk",
    ),
    "isometric": (
        "plank",
        "wall-sit",
        "dead-hang",
        "side-plank",
        "hollow-body-hold",
        "farmers-hold",
        "dip-support-hold",
        "flexed-arm-hang",
        "copenhagen-plank",
        "l-sit",
    ),
    "rotational power": (
        "medicine-ball-rotational-throw",
        "medicine-ball-shot-put",
        "landmine-rotation",
        "cable-woodchop",
    ),
    "shoulder health": (
        "face-pull",
        "band-pull-apart",
        "band-external-rotation",
        "cable-external-rotation",
        "side-lying-external-rotation",
        "band-90-90-external-rotation",
        "prone-ytw",
        "cuban-press",
    ),
    "conditioning": (
        "sled-push",
        "kettlebell-swing",
        "medicine-ball-slam",
        "bear-crawl",
        "mountain-climber",
        "sled-drag",
        "farmers-carry",
        "jump-squat",
    ),
    "mobility": (
        "cossack-squat",
        "kettlebell-halo",
        "hip-hinge-drill",
        "band-90-90-external-rotation",
        "banded-dorsiflexion",
        "kettlebell-windmill",
        "lateral-lunge",
    ),
    "explosive": (
        "box-jump",
        "power-clean",
        "medicine-ball-slam",
        "broad-jump",
        "jump-squat",
        "kettlebell-swing",
        "plyometric-push-up",
        "medicine-ball-rotational-throw",
        "trap-bar-jump",
    ),
    "unilateral leg": (
        "bulgarian-split-squat",
        "split-squat",
        "step-up",
        "reverse-lunge",
        "single-leg-romanian-deadlift",
        "pistol-squat",
        "walking-lunge",
    ),
}
# Other ways to say the same phrases.
_PHRASE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "scap retraction": ("scapular retraction", "retraction", "scap squeeze"),
    "scap depression": ("scapular depression", "depression"),
    "plyometric": ("plyo", "plyometrics", "plyos", "jumps and bounds"),
    "olympic lift": ("olympic lifting", "weightlifting", "oly", "oly lift"),
    "isometric": ("iso", "iso hold", "isometric hold"),
    "shoulder health": ("shoulder prehab", "prehab shoulder", "shoulder stability"),
    "unilateral leg": ("unilateral lower", "unilateral lower body", "single leg strength"),
    "anti lateral flexion": ("anti side bend", "anti lateral"),
    "posterior chain": ("post chain",),
    "conditioning": ("finisher", "metcon", "cardio", "gpp", "conditioning work"),
    "mobility": ("hip mobility", "mobility drill", "mobility work", "warm up", "warmup"),
    "explosive": ("power training", "explosiveness", "speed strength", "rate of force"),
    "vertical pull": ("vertical pulling",),
    "horizontal pull": ("horizontal pulling",),
    "vertical push": ("vertical pushing",),
    "horizontal push": ("horizontal pushing",),
}
# Whole-body areas: muscle regions of the catalog, and words for them.
_REGION_WORDS: dict[str, tuple[str, ...]] = {
    "upper": ("upper body", "upper", "upper limb"),
    "lower": ("lower body", "lower", "lower limb", "leg"),
    "core": ("core", "trunk", "midsection", "torso"),
}

_APOSTROPHES = str.maketrans("", "", "'’‘`´ʼ")
_NON_WORD = re.compile(r"[\W_]+")
_IRREGULAR_PLURALS = {"calves": "calf", "halves": "half", "hammies": "hammy", "ups": "up"}

_FUZZY_MIN_TOKEN = 4  # shorter words are too easily confused ("row"/"bow")
_FUZZY_TOKEN_CUTOFF = 80.0
_FUZZY_WHOLE_MIN = 5
_FUZZY_WHOLE_CUTOFF = 82.0
_FUZZY_MUSCLE_CUTOFF = 86.0
_PREFIX_MIN = 2  # a one-letter word only matches a one-letter word
_CHUNK_CACHE_SIZE = 100_000
_CHUNK_CACHE_MAX_LENGTH = 40
_SCAN_BELOW = 1000  # keys; fewer are looked up by a scan rather than through tables
_RELAX_MAX_WORDS = 6  # words tried one by one when none of the documents has them all
_ATTRIBUTE_RUNS_KEPT = 64  # per index
_WORDS_KEPT = 2048  # per index
_MUSCLE_ORDERS_KEPT = 4096  # per library


class MatchKind(StrEnum):
    EXACT = "exact"
    PHRASE = "phrase"  # a coach's phrase for a family ("anti-extension")
    MUSCLE = "muscle"  # trains the muscle or region named (primary movers in this tier)
    PREFIX = "prefix"
    WORDS = "words"
    FUZZY = "fuzzy"
    NEAR = "near"  # spelt somewhat like it: offered as "did you mean", not as an answer
    SECONDARY = "secondary"  # trains the muscle named as a secondary mover
    PATTERN = "pattern"  # movement pattern or equipment word
    PROGRESSION = "progression"  # a step of a progression chain ("easier dip")
    POPULAR = "popular"  # the empty-query listing


# Tier floors: a tier's quality stays below 100, so no tier overtakes the one above it.
_TIER_BASE = {
    MatchKind.PROGRESSION: 700.0,
    MatchKind.EXACT: 600.0,
    MatchKind.PHRASE: 500.0,
    MatchKind.MUSCLE: 500.0,
    MatchKind.PREFIX: 400.0,
    MatchKind.WORDS: 300.0,
    MatchKind.FUZZY: 200.0,
    MatchKind.NEAR: 200.0,
    MatchKind.SECONDARY: 100.0,
    MatchKind.PATTERN: 0.0,
    MatchKind.POPULAR: 0.0,
}
_SURE = frozenset({MatchKind.EXACT, MatchKind.PREFIX, MatchKind.WORDS})
_EXACT = frozenset({MatchKind.EXACT})
_NAMED_ATTRIBUTE = frozenset({MatchKind.MUSCLE, MatchKind.PHRASE})
# A fuzzy match less alike than this (mean over the words) is a suggestion, not an answer.
_CONFIDENT_SIMILARITY = 92.0


class SearchDocument(NamedTuple):
    """One visible exercise as search sees it; muscles are the primary movers' ids, any order.

    A named tuple: a team's hundred are made on every search, and these are the cheapest.
    """

    id: str
    name: str
    movement_pattern: MovementPattern
    equipment: str
    aliases: tuple[str, ...] = ()
    primary_muscles: tuple[str, ...] = ()
    organization_id: str | None = None  # None: curated
    slug: str | None = None
    secondary_muscles: tuple[str, ...] = ()
    foreign: tuple[str, ...] = ()  # names in other languages (curated only)


@dataclass(frozen=True, slots=True)
class SearchHit:
    exercise_id: str
    name: str
    movement_pattern: MovementPattern
    equipment: str
    primary_muscles: tuple[str, ...]  # display names, for a description line
    organization_id: str | None  # None: curated
    score: float
    match: MatchKind
    slug: str | None = None

    @property
    def is_curated(self) -> bool:
        return self.organization_id is None


@dataclass(frozen=True, slots=True)
class SearchPage:
    items: list[SearchHit]
    total: int
    offset: int
    next_offset: int | None
    # False when the answer is a guess: words were set aside, or only a near match was found.
    confident: bool = True
    # A close but uncertain match, offered as "did you mean" rather than as an answer.
    suggestion: SearchHit | None = None
    # Words of the query that matched nothing and were set aside, as typed.
    set_aside: tuple[str, ...] = ()
    # A progression word was understood: what was asked for, and from which exercise.
    intent: Intent | None = None
    anchor: SearchHit | None = None


_KeyData = tuple[str, tuple[str, ...], float]  # compact text, words, name/alias bonus
_FOREIGN_BONUS = -3.0  # below this, a key is a name in another language

# --- text -----------------------------------------------------------------------------------


def stem_word(word: str) -> str:
    """Plural to singular, crudely but identically for names and queries ("lunges" -> "lunge")."""
    if word in _IRREGULAR_PLURALS:
        return _IRREGULAR_PLURALS[word]
    if len(word) <= 3 or not word.endswith("s") or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes")):
        return word[:-2]
    return word[:-1]


def _chunk_words(chunk: str) -> tuple[str, ...]:
    # A space-free piece of casefolded text ("single-leg", "bénch").
    if not chunk.isascii():
        decomposed = unicodedata.normalize("NFKD", chunk)
        chunk = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return tuple(stem_word(word) for word in _NON_WORD.split(chunk.replace("&", " and ")) if word)


_chunk_cache: dict[str, tuple[str, ...]] = {}


def split_words(text: str) -> tuple[str, ...]:
    """Casefolded, accent-free, stemmed words; "Chin-Up" and "chin up" give the same words."""
    folded = text.casefold()
    if not folded.isascii() or "'" in folded or "`" in folded:
        folded = folded.translate(_APOSTROPHES)
    words: list[str] = []
    for chunk in folded.split():
        # The few distinct chunks recur endlessly; a plain dict is the cheapest memo.
        known = _chunk_cache.get(chunk)
        if known is None:
            known = _chunk_words(chunk)
            if len(chunk) <= _CHUNK_CACHE_MAX_LENGTH:  # not a paste of junk
                if len(_chunk_cache) >= _CHUNK_CACHE_SIZE:
                    _chunk_cache.clear()
                _chunk_cache[chunk] = known
        words.extend(known)
    return tuple(words)


def normalise_text(text: str) -> str:
    return " ".join(split_words(text))


def _prepare_abbreviations() -> dict[str, tuple[str, ...]]:
    return {short: split_words(long) for short, long in ABBREVIATIONS.items()}


_EXPANSIONS = _prepare_abbreviations()


def expand_abbreviations(words: tuple[str, ...]) -> tuple[str, ...]:
    if _EXPANSIONS.keys().isdisjoint(words):
        return words
    expanded: list[str] = []
    for position, word in enumerate(words):
        phrase = _EXPANSIONS.get(word)
        # "ez" becomes "ez bar", except where "bar" already follows.
        if phrase is None or (
            phrase[0] == word and tuple(words[position + 1 : position + len(phrase)]) == phrase[1:]
        ):
            expanded.append(word)
        else:
            expanded.extend(phrase)
    return tuple(expanded)


def word_forms(text: str) -> tuple[tuple[str, ...], ...]:
    """The words of a text as typed, then with abbreviations expanded (when that differs)."""
    words = split_words(text)
    expanded = expand_abbreviations(words)
    return (words,) if expanded == words else (words, expanded)


@lru_cache(maxsize=32768)
def _document_keys(
    name: str, aliases: tuple[str, ...], foreign: tuple[str, ...] = ()
) -> tuple[_KeyData, ...]:
    """(compact, words, bonus) for each distinct form of a name, its aliases and its names in
    other languages. Memoised: names recur across teams and rebuilt indexes."""
    keys: dict[str, _KeyData] = {}
    texts = [
        (name, 10.0),
        *((alias, 0.0) for alias in aliases),
        *((text, _FOREIGN_BONUS - 1.0) for text in foreign),
    ]
    for text, bonus in texts:
        for form_no, words in enumerate(word_forms(text)):
            compact = "".join(words)
            if compact and compact not in keys:
                # A name beats an alias; an abbreviation expanded ranks just below as typed.
                keys[compact] = (compact, words, bonus - 3.0 * form_no)
    return tuple(keys.values())


# --- index ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Query:
    variants: tuple[tuple[str, ...], ...] = ()  # as typed, then expanded
    # What the whole query names, if anything: muscle group ids, a pattern, an equipment.
    muscles: frozenset[str] = frozenset()
    pattern: str | None = None
    equipment: str | None = None
    phrase: tuple[str, ...] = ()  # slugs a coach's phrase means, most typical first

    @property
    def names_attribute(self) -> bool:
        return bool(self.muscles or self.pattern or self.equipment or self.phrase)


class _Scan:
    """Lookups by a pass over the keys: for a team's hundred custom exercises a pass costs about
    what a lookup in tables would, and tables would make the team's first search dearer."""

    def __init__(self, compacts: list[str], key_words: list[tuple[str, ...]]) -> None:
        # The index's own lists (keys added to the index are seen here too).
        self._compacts = compacts
        self._key_words = key_words
        self._known: set[str] = set().union(*key_words)
        self.vocabulary = list(self._known)

    def add(self, key_nos: range) -> None:
        for key_no in key_nos:
            for word in self._key_words[key_no]:
                if word not in self._known:
                    self._known.add(word)
                    self.vocabulary.append(word)

    def equal(self, compact: str) -> list[int]:
        return [key_no for key_no, key in enumerate(self._compacts) if key == compact]

    def starting_with(self, compact: str) -> list[int]:
        return [
            key_no
            for key_no, key in enumerate(self._compacts)
            if key != compact and key.startswith(compact)
        ]

    def words_starting_with(self, word: str) -> list[str]:
        return [candidate for candidate in self.vocabulary if candidate.startswith(word)]

    def keys_with(self, similar: dict[str, float]) -> dict[int, float]:
        wanted = similar.keys()
        return {
            key_no: max(similar.get(word, 0.0) for word in words)
            for key_no, words in enumerate(self._key_words)
            if not wanted.isdisjoint(words)
        }

    def keys_like(self, compact: str) -> list[tuple[int, float]]:
        found = process.extract(
            compact, self._compacts, scorer=fuzz.ratio, score_cutoff=_FUZZY_WHOLE_CUTOFF, limit=None
        )
        return [(key_no, similarity) for _, similarity, key_no in found]


class _Tables:
    """Lookups through tables built once: for the curated library, searched again and again."""

    def __init__(self, compacts: list[str], key_words: list[tuple[str, ...]]) -> None:
        self._by_compact: dict[str, list[int]] = {}
        for key_no, compact in enumerate(compacts):
            self._by_compact.setdefault(compact, []).append(key_no)
        self._postings: dict[str, list[int]] = {}
        for key_no, words in enumerate(key_words):
            for word in words:
                self._postings.setdefault(word, []).append(key_no)
        self._compacts = sorted(self._by_compact)
        self.vocabulary = sorted(self._postings)
        # Distinct keys by length: a misspelling is compared only with keys of a length that
        # could be alike enough (most of a big team's names are far longer than one word).
        self._by_length: dict[int, list[str]] = {}
        for compact in self._compacts:
            self._by_length.setdefault(len(compact), []).append(compact)

    def add(self, key_nos: range, compacts: list[str], key_words: list[tuple[str, ...]]) -> None:
        for key_no in key_nos:
            compact = compacts[key_no]
            if compact not in self._by_compact:
                bisect.insort(self._compacts, compact)
                self._by_length.setdefault(len(compact), []).append(compact)
            self._by_compact.setdefault(compact, []).append(key_no)
            for word in key_words[key_no]:
                if word not in self._postings:
                    bisect.insort(self.vocabulary, word)
                self._postings.setdefault(word, []).append(key_no)

    def equal(self, compact: str) -> list[int]:
        return self._by_compact.get(compact, [])

    def starting_with(self, compact: str) -> list[int]:
        found: list[int] = []
        for candidate in _sorted_starting_with(self._compacts, compact):
            if candidate != compact:
                found.extend(self._by_compact[candidate])
        return found

    def words_starting_with(self, word: str) -> list[str]:
        return list(_sorted_starting_with(self.vocabulary, word))

    def keys_with(self, similar: dict[str, float]) -> dict[int, float]:
        keys: dict[int, float] = {}
        for word, similarity in similar.items():
            for key_no in self._postings[word]:
                if similarity > keys.get(key_no, -1.0):
                    keys[key_no] = similarity
        return keys

    def keys_like(self, compact: str) -> list[tuple[int, float]]:
        low, high = _alike_lengths(len(compact), _FUZZY_WHOLE_CUTOFF)
        candidates = [
            candidate
            for length in range(low, high + 1)
            for candidate in self._by_length.get(length, ())
        ]
        found = process.extract(
            compact, candidates, scorer=fuzz.ratio, score_cutoff=_FUZZY_WHOLE_CUTOFF, limit=None
        )
        return [
            (key_no, similarity)
            for candidate, similarity, _ in found
            for key_no in self._by_compact[candidate]
        ]


def _alike_lengths(length: int, cutoff: float) -> tuple[int, int]:
    """The lengths a text can have and still score `cutoff` in fuzz.ratio against a text of
    `length`: the ratio is at most 100 * (1 - |a - b| / (a + b))."""
    share = cutoff / 100.0
    low = math.floor(length * share / (2.0 - share))
    high = math.ceil(length * (2.0 - share) / share)
    return max(1, low), high


def _sorted_starting_with(ordered: list[str], prefix: str) -> Iterator[str]:
    # By position: a slice would copy the rest of a big team's thousands of keys.
    for position in range(bisect.bisect_left(ordered, prefix), len(ordered)):
        candidate = ordered[position]
        if not candidate.startswith(prefix):
            return
        yield candidate


class SearchIndex:
    """Normalised keys of a set of documents, in parallel lists, and the lookups a query needs
    (tables for a large set, a scan for a small one), plus who trains which muscle, by pattern,
    equipment and slug. A team's cached index takes changes in place (`update`): documents are
    added at the end and removed ones are marked dead and skipped, so a change costs what it
    changes, not a rebuild of thousands; the owner rebuilds it when the dead pile up."""

    def __init__(
        self,
        documents: Iterable[SearchDocument],
        muscle_order: dict[str, int] | None = None,
        muscle_orders: dict[tuple[str, ...], tuple[str, ...]] | None = None,
    ) -> None:
        self.documents = documents = list(documents)
        self._muscle_order = muscle_order or {}
        # Shared by a library's indexes: the same few muscle combinations recur in every team.
        self._muscle_orders = {} if muscle_orders is None else muscle_orders
        # One pass, flat parallel lists: a team's first search builds its index, so this is on
        # the path a person waits for.
        key_doc: list[int] = []
        key_compact: list[str] = []
        key_bonus: list[float] = []
        key_words: list[tuple[str, ...]] = []
        key_last: list[str] = []
        for doc_no, doc in enumerate(documents):
            for compact, words, bonus in _document_keys(doc.name, doc.aliases, doc.foreign):
                key_doc.append(doc_no)
                key_compact.append(compact)
                key_bonus.append(bonus)
                key_words.append(words)
                key_last.append(words[-1])
        self._key_doc = key_doc
        self._key_compact = key_compact
        self._key_bonus = key_bonus
        self._key_words = key_words
        self._key_length = list(map(len, key_compact))
        self._key_last = key_last
        lookup = _Scan if len(key_words) < _SCAN_BELOW else _Tables
        self._lookup: _Scan | _Tables = lookup(key_compact, key_words)
        self._popularity = (
            [_popularity(doc) for doc in documents]
            if any(doc.organization_id is None for doc in documents)
            else [0.0] * len(documents)  # only curated lifts are popular
        )
        self._sort_names = [doc.name.casefold() for doc in documents]
        self._attribute_runs: dict[tuple[object, ...], _AttributeRun] = {}
        self._word_keys: dict[str, dict[int, float]] = {}
        self._attributes: _Attributes | None = None  # built by the first query that needs them
        self.dead: set[int] = set()  # document numbers removed by `update`
        self._live = len(documents)

    @property
    def by_slug(self) -> dict[str, int]:
        return self._attributes_of().by_slug

    def _attributes_of(self) -> _Attributes:
        attributes = self._attributes
        if attributes is None:
            attributes = self._attributes = _Attributes({}, {}, {}, {})
            for doc_no in range(len(self.documents)):
                self._add_attributes(attributes, doc_no)
        return attributes

    def _add_attributes(self, attributes: _Attributes, doc_no: int) -> None:
        doc = self.documents[doc_no]
        by_muscle = attributes.by_muscle
        primary = self.ordered_muscles(doc.primary_muscles)
        # One int per entry (a tuple would be three objects a team's index keeps).
        for position, muscle in enumerate(primary):
            role = _FIRST_MOVER if position == 0 else _OTHER_PRIMARY
            by_muscle.setdefault(muscle, []).append(doc_no * 4 + role)
        for muscle in doc.secondary_muscles:
            by_muscle.setdefault(muscle, []).append(doc_no * 4 + _SECONDARY)
        attributes.by_pattern.setdefault(str(doc.movement_pattern), []).append(doc_no)
        attributes.by_equipment.setdefault(doc.equipment, []).append(doc_no)
        if doc.slug is not None:
            attributes.by_slug[doc.slug] = doc_no

    def update(self, removed: Iterable[int], added: Sequence[SearchDocument]) -> range:
        """Remove documents (by number) and add others; returns the numbers of the added ones.
        Not for the curated library's index, which is shared and never changes."""
        dead = self.dead
        for doc_no in removed:
            if doc_no not in dead and doc_no < len(self.documents):
                dead.add(doc_no)
                self._live -= 1
        first_doc, first_key = len(self.documents), len(self._key_doc)
        for doc_no, doc in enumerate(added, start=first_doc):
            self.documents.append(doc)
            self._popularity.append(_popularity(doc))
            self._sort_names.append(doc.name.casefold())
            for compact, words, bonus in _document_keys(doc.name, doc.aliases, doc.foreign):
                self._key_doc.append(doc_no)
                self._key_compact.append(compact)
                self._key_bonus.append(bonus)
                self._key_words.append(words)
                self._key_last.append(words[-1])
                self._key_length.append(len(compact))
        self._live += len(added)
        new_keys = range(first_key, len(self._key_doc))
        if isinstance(self._lookup, _Scan):
            self._lookup.add(new_keys)
        else:
            self._lookup.add(new_keys, self._key_compact, self._key_words)
        new_docs = range(first_doc, len(self.documents))
        if self._attributes is not None:
            for doc_no in new_docs:
                self._add_attributes(self._attributes, doc_no)
        # What was kept per word or attribute holds the old documents.
        self._attribute_runs.clear()
        self._word_keys.clear()
        return new_docs

    def __len__(self) -> int:
        return self._live

    def ordered_muscles(self, muscle_ids: tuple[str, ...]) -> tuple[str, ...]:
        """Muscles in the catalog's order; the same few combinations recur endlessly."""
        ordered = self._muscle_orders.get(muscle_ids)
        if ordered is None:
            ordered = tuple(_sort_muscles(muscle_ids, self._muscle_order))
            if len(self._muscle_orders) >= _MUSCLE_ORDERS_KEPT:
                self._muscle_orders.clear()
            self._muscle_orders[muscle_ids] = ordered
        return ordered

    def entries(self, best: dict[int, tuple[float, MatchKind]]) -> list[_Entry]:
        """Sortable entries for what `match` found (a list built at once: thousands for a broad
        query on a big team, where a generator's yield each cost a tenth of the ranking)."""
        documents, names = self.documents, self._sort_names
        return [
            (-score, names[doc_no], doc.organization_id is None, doc.id, kind, doc)
            for doc_no, (score, kind) in best.items()
            for doc in (documents[doc_no],)
        ]

    def knows(self, word: str) -> bool:
        """Whether any name or alias has this word, a word it begins, or one spelt nearly so."""
        return bool(self._keys_of_word(word))

    def _keys_of_word(self, word: str) -> dict[int, float]:
        """Keys holding the word, a word it begins or one spelt nearly so, with the similarity.
        Kept per word: the index never changes, words recur across searches and within one
        (every try at setting words aside), and a big team's fuzzy pass is dear."""
        known = self._word_keys.get(word)
        if known is None:
            similar = self._similar_words(word)
            known = self._lookup.keys_with(similar) if similar else {}
            if self.dead and known:
                dead, key_doc = self.dead, self._key_doc
                known = {key: found for key, found in known.items() if key_doc[key] not in dead}
            if len(self._word_keys) >= _WORDS_KEPT:
                self._word_keys.clear()
            self._word_keys[word] = known
        return known

    def match(self, query: _Query) -> dict[int, tuple[float, MatchKind]]:
        """Best (score, kind) per document number whose name or aliases match (the attributes a
        query names are matched by `attribute_run`)."""
        best: dict[int, tuple[float, MatchKind]] = {}

        dead = self.dead

        def offer(key_no: int, kind: MatchKind, quality: float, penalty: float) -> None:
            doc_no = self._key_doc[key_no]
            if doc_no in dead:
                return
            score = (
                _TIER_BASE[kind]
                + quality
                + self._key_bonus[key_no]
                - penalty
                + self._popularity[doc_no]
            )
            if doc_no not in best or score > best[doc_no][0]:
                best[doc_no] = (score, kind)

        lookup = self._lookup
        for variant_no, words in enumerate(query.variants):
            penalty = 3.0 * variant_no
            compact = "".join(words)
            for key_no in lookup.equal(compact):
                offer(key_no, MatchKind.EXACT, 80.0, penalty)
            for key_no in lookup.starting_with(compact):
                # Whole words first ("squat clean" for "squat") are a words match, below.
                if self._key_words[key_no][: len(words)] != words:
                    coverage = len(compact) / len(self._key_compact[key_no])
                    if self._key_bonus[key_no] >= _FOREIGN_BONUS:
                        offer(key_no, MatchKind.PREFIX, 20.0 + 60.0 * coverage, penalty)
                    else:
                        # "row" is not typing "rowing": a word begun in another language
                        # counts as a words match.
                        offer(key_no, MatchKind.WORDS, 20.0 + 40.0 * coverage, penalty)
            # The hot loop of a broad query on a big team ("squat": thousands of keys), so
            # the words tier is scored inline.
            length, last, single = len(compact), words[-1], len(set(words)) == 1
            words_base = _TIER_BASE[MatchKind.WORDS] - penalty
            key_length, key_last, key_doc = self._key_length, self._key_last, self._key_doc
            key_bonus, popularity = self._key_bonus, self._popularity
            for key_no, similarity in self._keys_with_all_words(words, single):
                coverage = min(1.0, length / key_length[key_no])
                if similarity >= 100.0:
                    score = words_base + 40.0 * coverage + key_bonus[key_no]
                    score += 40.0 if key_last[key_no] == last else 25.0  # 20 + head + in a row
                    if not single and not self._in_a_row(key_no, words):
                        score -= 5.0
                    doc_no = key_doc[key_no]
                    score += popularity[doc_no]
                    known = best.get(doc_no)
                    if known is None or score > known[0]:
                        best[doc_no] = (score, MatchKind.WORDS)
                else:
                    # Inline too: a misspelt common word ("sqaut") is near thousands of keys.
                    kind = _fuzzy_kind(similarity)
                    doc_no = key_doc[key_no]
                    score = (
                        _TIER_BASE[kind]
                        - penalty
                        + _fuzzy_quality(similarity, coverage)
                        + key_bonus[key_no]
                        + popularity[doc_no]
                    )
                    known = best.get(doc_no)
                    if known is None or score > known[0]:
                        best[doc_no] = (score, kind)
        # Misspelt as a whole ("benchpres", "deadlfit"): one typed word only (words typed apart
        # were each looked up nearly above), and only when the words found nothing sure, since
        # a pass over every key is the dearest lookup and adds nothing above what they found.
        if not any(kind in _SURE for _, kind in best.values()):
            for variant_no, words in enumerate(query.variants):
                compact = "".join(words)
                if len(words) == 1 and len(compact) >= _FUZZY_WHOLE_MIN:
                    for key_no, similarity in lookup.keys_like(compact):
                        kind = _fuzzy_kind(similarity)
                        offer(key_no, kind, _fuzzy_quality(similarity, 1.0), 3.0 * variant_no)
        return best

    def _in_a_row(self, key_no: int, words: tuple[str, ...]) -> bool:
        """Whether the query's words stand in a row, in order, in the key. With sharing the
        key's last word (a name's last word says what it is: "front squat" is a squat, "squat
        jump" a jump), this orders a words match."""
        key_words, width = self._key_words[key_no], len(words)
        return any(key_words[n : n + width] == words for n in range(len(key_words) - width + 1))

    def _similar_words(self, word: str) -> dict[str, float]:
        """Indexed words equal to the word, begun by it (two letters or more), or spelt nearly
        like it, with their similarity."""
        similar = {
            candidate: 100.0
            for candidate in self._lookup.words_starting_with(word)
            if candidate == word or len(word) >= _PREFIX_MIN
        }
        if len(word) >= _FUZZY_MIN_TOKEN:
            for candidate, similarity, _ in process.extract(
                word,
                self._lookup.vocabulary,
                scorer=fuzz.ratio,
                score_cutoff=_FUZZY_TOKEN_CUTOFF,
                limit=None,
            ):
                similar.setdefault(candidate, similarity)
        return similar

    def match_across(self, words: tuple[str, ...]) -> dict[int, tuple[float, MatchKind]]:
        """Documents whose name and aliases hold every word between them, no one of them all
        ("overhead press strict standing": Overhead Press, also called strict or standing
        press), exactly typed or begun; below every match within one name."""
        docs: set[int] | None = None
        for word in dict.fromkeys(words):
            similar = {
                candidate: 100.0
                for candidate in self._lookup.words_starting_with(word)
                if candidate == word or len(word) >= _PREFIX_MIN
            }
            found = {self._key_doc[key_no] for key_no in self._lookup.keys_with(similar)}
            found -= self.dead
            docs = found if docs is None else docs & found
            if not docs:
                return {}
        return {
            doc_no: (_TIER_BASE[MatchKind.WORDS] + self._popularity[doc_no], MatchKind.WORDS)
            for doc_no in docs or ()
        }

    def _keys_with_all_words(
        self, words: tuple[str, ...], single: bool = False
    ) -> Iterable[tuple[int, float]]:
        """Keys holding every word in any order, with the mean similarity of the words."""
        if single:
            # One word (the broad query on a big team): its keys as they are, not one yield each.
            return self._keys_of_word(words[0]).items()
        return self._keys_with_every_word(words)

    def _keys_with_every_word(self, words: tuple[str, ...]) -> Iterator[tuple[int, float]]:
        per_word: list[dict[int, float]] = []
        for word in dict.fromkeys(words):
            candidates = self._keys_of_word(word)
            if not candidates:
                return
            per_word.append(candidates)
        per_word.sort(key=len)
        for key_no, similarity in per_word[0].items():
            total = similarity
            for other in per_word[1:]:
                found = other.get(key_no)
                if found is None:
                    break
                total += found
            else:
                yield key_no, total / len(per_word)

    def attribute_run(self, query: _Query) -> _AttributeRun:
        """What the muscle, region, pattern, equipment or phrase a query names finds here, in
        order. The same few attributes are asked for again and again, and this index never
        changes, so each answer is kept (a big team's "legs" is thousands of exercises)."""
        key = (query.muscles, query.pattern, query.equipment, query.phrase)
        known = self._attribute_runs.get(key)
        if known is None:
            best: dict[int, tuple[float, MatchKind]] = {}
            self._match_attributes(query, best)
            entries = sorted(self.entries(best))
            known = _AttributeRun(entries, {doc_no: score for doc_no, (score, _) in best.items()})
            if len(self._attribute_runs) >= _ATTRIBUTE_RUNS_KEPT:
                self._attribute_runs.clear()
            self._attribute_runs[key] = known
        return known

    def _match_attributes(self, query: _Query, best: dict[int, tuple[float, MatchKind]]) -> None:
        popularity, dead = self._popularity, self.dead

        def offer(doc_no: int, kind: MatchKind, quality: float) -> None:
            if doc_no in dead:
                return
            score = _TIER_BASE[kind] + quality + popularity[doc_no]
            known = best.get(doc_no)
            if known is None or score > known[0]:
                best[doc_no] = (score, kind)

        attributes = self._attributes_of()
        for position, slug in enumerate(query.phrase):
            doc_no = attributes.by_slug.get(slug)
            if doc_no is not None:
                offer(doc_no, MatchKind.PHRASE, 60.0 - 2.0 * position)
        if query.muscles:
            # With an equipment word too ("dumbbell chest"), only that equipment leads.
            equipment, documents = query.equipment, self.documents
            for muscle in query.muscles:
                for entry in attributes.by_muscle.get(muscle, ()):
                    doc_no, role = divmod(entry, 4)
                    quality, primary = _ROLES[role]
                    if equipment is None or documents[doc_no].equipment == equipment:
                        offer(doc_no, MatchKind.MUSCLE if primary else MatchKind.SECONDARY, quality)
                    else:
                        offer(doc_no, MatchKind.SECONDARY, quality - 5.0)
            return
        for doc_no in attributes.by_pattern.get(query.pattern or "", ()):
            offer(doc_no, MatchKind.PATTERN, 20.0)
        for doc_no in attributes.by_equipment.get(query.equipment or "", ()):
            offer(doc_no, MatchKind.PATTERN, 20.0)


_FIRST_MOVER, _OTHER_PRIMARY, _SECONDARY = 0, 1, 2
_ROLES = {_FIRST_MOVER: (40.0, True), _OTHER_PRIMARY: (25.0, True), _SECONDARY: (10.0, False)}


class _Attributes(NamedTuple):
    # doc number * 4 + role per muscle: the first mover, other primaries, secondaries.
    by_muscle: dict[str, list[int]]
    by_pattern: dict[str, list[int]]
    by_equipment: dict[str, list[int]]
    by_slug: dict[str, int]


class _AttributeRun(NamedTuple):
    entries: list[_Entry]  # sorted
    scores: dict[int, float]  # by document number


def _popularity(doc: SearchDocument) -> float:
    rank = _POPULAR_RANK.get(doc.slug) if doc.slug and doc.organization_id is None else None
    return 0.0 if rank is None else 16.0 * (1 - rank / len(POPULAR_SLUGS))


def _sort_muscles(muscle_ids: Iterable[str], order: dict[str, int]) -> list[str]:
    return sorted(muscle_ids, key=lambda muscle: (order.get(muscle, len(order)), muscle))


def _fuzzy_kind(similarity: float) -> MatchKind:
    return MatchKind.FUZZY if similarity >= _CONFIDENT_SIMILARITY else MatchKind.NEAR


def _fuzzy_quality(similarity: float, coverage: float) -> float:
    closeness = (similarity - _FUZZY_TOKEN_CUTOFF) / (100.0 - _FUZZY_TOKEN_CUTOFF)
    return 20.0 + 40.0 * max(0.0, closeness) + 20.0 * coverage


# --- library --------------------------------------------------------------------------------


def _phrases_of_muscle(slug: str, name: str) -> Iterator[str]:
    yield slug.replace("-", " ")
    yield name
    # "Upper Back (Traps and Rhomboids)": each part alone says the muscle too.
    for part in re.split(r"[(),&]| and ", name):
        if len("".join(split_words(part))) >= 4:
            yield part
    yield from MUSCLE_SYNONYMS.get(slug, ())


def _attribute_table(entries: Iterable[tuple[str, Iterable[str]]]) -> dict[str, set[str]]:
    table: dict[str, set[str]] = {}
    for value, phrases in entries:
        for phrase in phrases:
            compact = "".join(split_words(phrase))
            if compact:
                table.setdefault(compact, set()).add(value)
    return table


_PATTERN_TABLE = _attribute_table(
    (pattern.value, (pattern.value, *_PATTERN_WORDS.get(pattern.value, ())))
    for pattern in MovementPattern
)
_EQUIPMENT_TABLE = _attribute_table(
    (item.value, (item.value.replace("_", " "), *_EQUIPMENT_WORDS.get(item.value, ())))
    for item in Equipment
)


class Ranked(NamedTuple):
    """A matching document before it becomes a hit (hits are made only for the page shown)."""

    document: SearchDocument
    score: float
    match: MatchKind

    @property
    def sort_key(self) -> tuple[float, str, bool, str]:
        # Score, then name; a team's own row before a curated one of the same name.
        doc = self.document
        return (-self.score, doc.name.casefold(), doc.organization_id is None, doc.id)


# (-score, folded name, curated, id, kind, document): sorts best first, ties by name, a team's
# own row before a curated one of the same name.
_Entry = tuple[float, str, bool, str, MatchKind, SearchDocument]


class Found:
    """The matches of a query, sorted only as far as a page needs: a big team's thousands of
    matches for "press" are counted, and only the first page is put in order.

    `loose` entries are unsorted; each of `runs` is sorted already (a kept attribute answer). A
    document may be in both: its first (best) entry counts, so `total` is given by the caller,
    who knows how many are shared."""

    __slots__ = ("_hidden", "_lead", "_loose", "_ordered", "_runs", "_total")

    def __init__(
        self,
        loose: list[_Entry] | None = None,
        lead: Sequence[Ranked] = (),
        runs: Sequence[list[_Entry]] = (),
        total: int | None = None,
    ) -> None:
        self._loose = loose or []
        self._lead = list(lead)  # already in order, before every entry
        self._runs = [run for run in runs if run]
        counted = len(self._loose) + sum(len(run) for run in self._runs)
        self._total = len(self._lead) + (counted if total is None else total)
        self._ordered: list[Ranked] = []
        self._hidden: frozenset[str] = frozenset()  # ids shown in the lead

    def __len__(self) -> int:
        return self._total

    def __bool__(self) -> bool:
        return self._total > 0

    def top(self, count: int) -> list[Ranked]:
        """The first `count` in order."""
        wanted = count - len(self._lead)
        if wanted > len(self._ordered) and len(self._ordered) < self._total - len(self._lead):
            self._ordered = self._order(wanted)
        return [*self._lead, *self._ordered[: max(0, wanted)]][:count]

    def _order(self, wanted: int) -> list[Ranked]:
        loose = self._loose
        # Lead documents hidden among the loose ones may be skipped: take that many more.
        needed = wanted + len(self._hidden)
        loose = sorted(loose) if needed * 8 >= len(loose) else heapq.nsmallest(needed, loose)
        stream = heapq.merge(loose, *self._runs) if self._runs else iter(loose)
        ordered: list[Ranked] = []
        seen: set[str] = set(self._hidden)
        for entry in stream:
            if entry[3] in seen:
                continue
            seen.add(entry[3])
            ordered.append(Ranked(entry[5], -entry[0], entry[4]))
            if len(ordered) >= wanted:
                break
        return ordered

    def first(self) -> Ranked | None:
        top = self.top(1)
        return top[0] if top else None

    def after(self, lead: Sequence[Ranked]) -> Found:
        """`lead` first, then these matches without the documents in it."""
        shown = frozenset(item.document.id for item in (*self._lead, *lead))
        found = Found(self._loose, [*self._lead, *lead], self._runs, total=0)
        present = {entry[3] for entry in self._loose if entry[3] in shown}
        present.update(entry[3] for run in self._runs for entry in run if entry[3] in shown)
        found._total = len(found._lead) + self._total - len(self._lead) - len(present)
        found._hidden = shown
        return found


class Ranking(NamedTuple):
    """What a query found, best first, and how sure the answer is."""

    found: Found
    confident: bool = True
    suggestion: Ranked | None = None
    set_aside: tuple[str, ...] = ()
    intent: Intent | None = None
    anchor: SearchDocument | None = None


class Chain(NamedTuple):
    name: str
    steps: tuple[str, ...]  # slugs, easiest first


class Library:
    """The curated part of search, built once per catalog version: index plus muscle names,
    regions and the progression chains."""

    def __init__(
        self,
        documents: Iterable[SearchDocument],
        muscles: Sequence[tuple[str, str]],
        *,
        regions: dict[str, str] | None = None,
        chains: Sequence[Chain] = (),
    ) -> None:
        self.muscle_names = dict(muscles)
        self._muscle_order = {muscle_id: order for order, (muscle_id, _) in enumerate(muscles)}
        self._muscle_orders: dict[tuple[str, ...], tuple[str, ...]] = {}
        self.index = SearchIndex(documents, self._muscle_order, self._muscle_orders)
        by_region: dict[str, list[str]] = {}
        for muscle_id, region in (regions or {}).items():
            by_region.setdefault(region, []).append(muscle_id)
        self._muscle_table = _attribute_table(
            [
                *(
                    (muscle_id, tuple(_phrases_of_muscle(muscle_id, name)))
                    for muscle_id, name in muscles
                ),
                *(
                    (muscle_id, _REGION_WORDS.get(region, (region,)))
                    for region, muscle_ids in by_region.items()
                    for muscle_id in muscle_ids
                ),
            ]
        )
        self._muscle_phrases = sorted(self._muscle_table)
        self._phrase_table: dict[str, tuple[str, ...]] = {}
        for phrase, slugs in COACH_PHRASES.items():
            known = tuple(slug for slug in slugs if slug in self.index.by_slug)
            for text in (phrase, *_PHRASE_SYNONYMS.get(phrase, ())):
                self._phrase_table["".join(split_words(text))] = known
        self._set_chains(chains)
        curated = self.index.documents
        # The empty-query listing: the common lifts in their order, the rest by name.
        self._popular = sorted(
            (doc for doc in curated if doc.slug in _POPULAR_RANK),
            key=lambda doc: _POPULAR_RANK[doc.slug or ""],
        )
        self._unpopular = sorted(
            (doc for doc in curated if doc.slug not in _POPULAR_RANK),
            key=lambda doc: (doc.name.casefold(), doc.id),
        )

    def _set_chains(self, chains: Sequence[Chain]) -> None:
        known = self.index.by_slug
        self._chains = [
            Chain(chain.name, tuple(s for s in chain.steps if s in known)) for chain in chains
        ]
        self._chain_names = {"".join(split_words(chain.name)): chain for chain in self._chains}
        self._easier: dict[str, list[str]] = {}
        self._harder: dict[str, list[str]] = {}
        for chain in self._chains:
            for easier, harder in zip(chain.steps, chain.steps[1:], strict=False):
                if easier not in self._easier.get(harder, []):
                    self._easier.setdefault(harder, []).append(easier)
                    self._harder.setdefault(easier, []).append(harder)

    def make_index(self, documents: Iterable[SearchDocument]) -> SearchIndex:
        """A team's custom exercises, indexed to be searched beside the library."""
        return SearchIndex(documents, self._muscle_order, self._muscle_orders)

    # --- query -------------------------------------------------------------------------------

    def prepare_query(self, text: str) -> _Query:
        return self._prepare_words(split_words(text[:MAX_QUERY_LENGTH]))

    def _prepare_words(self, words: tuple[str, ...]) -> _Query:
        if not words:
            return _Query()
        expanded = expand_abbreviations(words)
        variants = (words,) if expanded == words else (words, expanded)
        return self._with_attributes(variants)

    def _with_attributes(self, variants: tuple[tuple[str, ...], ...]) -> _Query:
        muscles: set[str] = set()
        pattern: str | None = None
        equipment: str | None = None
        phrase: tuple[str, ...] = ()
        for words in variants:
            kept = [word for word in words if word not in _FILLER_WORDS]
            compact = "".join(kept)
            if not compact:
                continue
            phrase = phrase or self._phrase_table.get(compact, ())
            found = self._find_muscles(compact)
            if not found:
                # An equipment word before or after a muscle word: "dumbbell chest".
                for cut in range(1, len(kept)):
                    for gear, body in ((kept[:cut], kept[cut:]), (kept[cut:], kept[:cut])):
                        gear_value = next(iter(_EQUIPMENT_TABLE.get("".join(gear), ())), None)
                        body_muscles = self._muscle_table.get("".join(body), set())
                        if gear_value and body_muscles:
                            found, equipment = body_muscles, gear_value
            muscles |= found
            pattern = pattern or next(iter(_PATTERN_TABLE.get(compact, ())), None)
            equipment = equipment or next(iter(_EQUIPMENT_TABLE.get(compact, ())), None)
        return _Query(variants, frozenset(muscles), pattern, equipment, phrase)

    def _find_muscles(self, compact: str) -> set[str]:
        found = self._muscle_table.get(compact, set())
        if not found and len(compact) >= _FUZZY_WHOLE_MIN:
            near = process.extractOne(
                compact, self._muscle_phrases, scorer=fuzz.ratio, score_cutoff=_FUZZY_MUSCLE_CUTOFF
            )
            if near is not None:
                found = self._muscle_table[near[0]]
        return found

    # --- ranking -----------------------------------------------------------------------------

    def _indexes(self, custom: SearchIndex | Sequence[SearchDocument]) -> tuple[SearchIndex, ...]:
        if isinstance(custom, SearchIndex):
            return (self.index, custom) if len(custom) else (self.index,)
        return (self.index, self.make_index(custom)) if custom else (self.index,)

    def _rank_words(self, words: tuple[str, ...], indexes: tuple[SearchIndex, ...]) -> Found:
        prepared = self._prepare_words(words)
        if not prepared.variants:
            return Found()
        loose: list[_Entry] = []
        runs: list[list[_Entry]] = []
        total = 0
        for index in indexes:
            best = index.match(prepared)
            if prepared.names_attribute:
                run = index.attribute_run(prepared)
                runs.append(run.entries)
                total += len(run.entries)
                scores = run.scores
                # A document in both counts once, with its better score: drop the loose entry
                # unless it beats the kept one (then the kept one is skipped when merging).
                best = {
                    doc_no: found
                    for doc_no, found in best.items()
                    if found[0] > scores.get(doc_no, -1.0)
                }
                total += sum(1 for doc_no in best if doc_no not in scores)
            else:
                total += len(best)
            loose.extend(index.entries(best))
        return Found(loose, runs=runs, total=total)

    def rank(self, query: str, custom: SearchIndex | Sequence[SearchDocument] = ()) -> Ranking:
        """Every curated and custom document that matches `query`, best first, and how sure."""
        text = query[:MAX_QUERY_LENGTH]
        words = split_words(text)
        if not words:
            return Ranking(Found())
        indexes = self._indexes(custom)
        ranked = self._rank_words(words, indexes)
        top = ranked.first()
        if top is not None and top.match is MatchKind.EXACT:
            return Ranking(ranked)
        intents = [PROGRESSION_WORDS[word] for word in words if word in PROGRESSION_WORDS]
        if intents and len(intents) < len(words):
            base = tuple(
                word
                for word in words
                if word not in PROGRESSION_WORDS and word not in _FILLER_WORDS
            )
            walked = self._rank_progression(intents[0], base, indexes)
            if walked is not None:
                return walked
        if top is not None and top.match is MatchKind.WORDS and not _words_together(top, words):
            # "hang snatch" is not Hang Power Snatch: every word is in the name, but with
            # others between them, so it may be a lift we lack. Offered, not taken.
            return Ranking(ranked, confident=False, suggestion=top)
        if top is not None and top.match is not MatchKind.NEAR:
            return Ranking(ranked)
        relaxed = self._rank_relaxed(text, words, indexes)
        relaxed_top = relaxed.found.first()
        if relaxed_top is not None and relaxed_top.match is MatchKind.EXACT:
            # "heavy deadlift", "pull ups bodyweight": the rest names an exercise exactly.
            return relaxed
        if len(words) > 1:
            across: list[_Entry] = []
            for index in indexes:
                across.extend(index.entries(index.match_across(words)))
            if across:
                return Ranking(Found(across))
        if top is None:
            return relaxed
        # Only spelt somewhat like something: a suggestion, not an answer.
        return Ranking(ranked, confident=False, suggestion=top)

    def _rank_relaxed(
        self, text: str, words: tuple[str, ...], indexes: tuple[SearchIndex, ...]
    ) -> Ranking:
        """No document has every word: set aside filler and words nothing knows, then, one at a
        time, the word whose absence finds the best match."""
        kept = tuple(
            word
            for word in words
            if word not in _FILLER_WORDS and any(index.knows(word) for index in indexes)
        )
        # Each round below ranks once per word: a long paste keeps its first few words only.
        kept = kept[:_RELAX_MAX_WORDS]
        ranked = self._rank_words(kept, indexes) if kept and kept != words else Found()
        head = words[-1]
        while not ranked and len(kept) > 1:
            trials = [kept[:n] + kept[n + 1 :] for n in range(len(kept))]
            found = [(self._rank_words(trial, indexes), trial) for trial in trials]
            # An exact name first ("pull ups bodyweight"), then a muscle or family named
            # ("hamstring strength"); else keep the query's last word, which says what the lift
            # is ("pin press" is a press, "drag curl" a curl: not Pin Squat or Dragon Flag,
            # however well "pin" or "drag" begins a name).
            best = max(
                found,
                key=lambda pair: (
                    _top_kind_in(pair[0], _EXACT),
                    _top_kind_in(pair[0], _NAMED_ATTRIBUTE),
                    head in pair[1] and bool(pair[0]),
                    _top_score(pair[0]),
                ),
            )
            kept = best[1] if best[0] else kept[:-1]
            ranked = best[0]
        if not ranked:
            return Ranking(Found())
        dropped = set(words) - set(kept)
        set_aside = tuple(
            token
            for token in text.split()
            if (token_words := split_words(token))
            and set(token_words) <= dropped
            and not set(token_words) <= _FILLER_WORDS
        )
        return Ranking(ranked, confident=False, set_aside=set_aside)

    def _rank_progression(
        self, intent: Intent, base: tuple[str, ...], indexes: tuple[SearchIndex, ...]
    ) -> Ranking | None:
        """Chain steps around the curated exercise the rest of the query names, then the rest
        of what it names."""
        if not base:
            return None
        found = (
            self._rank_words(base, indexes)
            or self._rank_relaxed(" ".join(base), base, indexes).found
        )
        anchor = next(
            (
                item.document
                for item in found.top(5)
                if item.document.organization_id is None
                and item.document.slug in self._easier.keys() | self._harder.keys()
            ),
            None,
        )
        if anchor is None or anchor.slug is None:
            return None
        steps = self._walk(intent, anchor.slug, base)
        if not steps:
            return None
        documents = self.index.documents
        by_slug = self.index.by_slug
        lead = [
            Ranked(
                documents[by_slug[slug]],
                _TIER_BASE[MatchKind.PROGRESSION] - n,
                MatchKind.PROGRESSION,
            )
            for n, slug in enumerate(steps)
        ]
        return Ranking(found.after(lead), intent=intent, anchor=anchor)

    def _walk(self, intent: Intent, slug: str, base: tuple[str, ...]) -> list[str]:
        if intent is Intent.CHAIN:
            named = [
                self._chain_names[compact]
                for compact in ("".join(base), "".join(expand_abbreviations(base)))
                if compact in self._chain_names
            ]
            holding = [chain for chain in self._chains if slug in chain.steps]
            if named and slug not in named[0].steps:
                named = []
            steps: dict[str, None] = {}
            for chain in (*named, *holding):
                steps.update(dict.fromkeys(chain.steps))
            return list(steps)
        graph = self._harder if intent is Intent.HARDER else self._easier
        distances = _distances(graph, slug)
        ordered = sorted(distances, key=lambda step: distances[step])
        if intent is Intent.BEGINNER:
            # Where the chains start first, the nearest start first.
            starts = [step for step in ordered if not self._easier.get(step)]
            return [*starts, *(step for step in ordered if step not in starts)]
        return ordered

    def list_popular(self, custom: Sequence[SearchDocument] = ()) -> list[Ranked]:
        """The common lifts in POPULAR_SLUGS order, then `custom` as given (newest first, by
        the caller's query), then the rest of the library by name."""
        documents = (*self._popular, *custom, *self._unpopular)
        return [Ranked(doc, 0.0, MatchKind.POPULAR) for doc in documents]

    def make_hit(self, ranked: Ranked) -> SearchHit:
        doc = ranked.document
        muscles = self.index.ordered_muscles(doc.primary_muscles)
        return SearchHit(
            exercise_id=doc.id,
            name=doc.name,
            movement_pattern=doc.movement_pattern,
            equipment=doc.equipment,
            primary_muscles=tuple(self.muscle_names.get(m, m) for m in muscles),
            organization_id=doc.organization_id,
            score=round(ranked.score, 3),
            match=ranked.match,
            slug=doc.slug,
        )

    def page(self, ranking: Ranking | list[Ranked], *, offset: int, limit: int) -> SearchPage:
        """One page of hits; next_offset is None on the last page and past the end."""
        if not isinstance(ranking, Ranking):
            ranking = Ranking(Found(lead=ranking))
        found = ranking.found
        limit = max(1, min(limit, MAX_PAGE_SIZE))
        offset = max(0, offset)
        following = offset + limit
        anchor = ranking.anchor
        return SearchPage(
            items=[self.make_hit(item) for item in found.top(following)[offset:]],
            total=len(found),
            offset=offset,
            next_offset=following if following < len(found) else None,
            confident=ranking.confident,
            suggestion=self.make_hit(ranking.suggestion) if ranking.suggestion else None,
            set_aside=ranking.set_aside,
            intent=ranking.intent,
            anchor=self.make_hit(Ranked(anchor, 0.0, MatchKind.EXACT)) if anchor else None,
        )


def _distances(graph: dict[str, list[str]], start: str) -> dict[str, int]:
    """Steps reachable from `start` along `graph`, with how many links away (breadth first, so
    the order within a distance is the chains' order)."""
    distances: dict[str, int] = {}
    frontier = [start]
    depth = 0
    while frontier:
        depth += 1
        following: list[str] = []
        for node in frontier:
            for neighbour in graph.get(node, ()):
                if neighbour != start and neighbour not in distances:
                    distances[neighbour] = depth
                    following.append(neighbour)
        frontier = following
    return distances


def rank_exercises(
    library: Library, query: str, custom: Sequence[SearchDocument] = ()
) -> list[SearchHit]:
    """All matching hits, best first (the whole list: for tests and tools, not for paging)."""
    found = library.rank(query, custom).found
    return [library.make_hit(item) for item in found.top(len(found))]


def _words_together(ranked: Ranked, words: tuple[str, ...]) -> bool:
    """Whether the query's words stand side by side, in any order, in one of the document's
    names (as typed or with abbreviations expanded), each word whole or begun ("kettlebel
    swing"); one word always does."""
    doc = ranked.document
    keys = _document_keys(doc.name, doc.aliases, doc.foreign)
    for variant in {words, expand_abbreviations(words)}:
        wanted = tuple(dict.fromkeys(variant))
        if len(wanted) < 2:
            return True
        width = len(wanted)
        for _, key_words, _ in keys:
            for start in range(len(key_words) - width + 1):
                window = key_words[start : start + width]
                if all(
                    any(word == held or held.startswith(word) for held in window) for word in wanted
                ):
                    return True
    return False


def _top_kind_in(found: Found, kinds: frozenset[MatchKind]) -> bool:
    top = found.first()
    return top is not None and top.match in kinds


def _top_score(found: Found) -> float:
    top = found.first()
    return -1.0 if top is None else top.score

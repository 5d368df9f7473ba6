"""Exercise search ranking: pure code, no database, testable alone.

Every name and alias is normalised into keys (casefolded, accents stripped, punctuation and
hyphens turned into word breaks, plurals stemmed, abbreviations expanded), memoised by text. A
`SearchIndex` over those keys answers exact, prefix, all-words and fuzzy lookups: through tables
and rapidfuzz for the curated library (built once per catalog version), by a pass over the keys
for a team's custom exercises (read fresh and indexed on every search).

Tiers, best first: exact name or alias, prefix, all words in any order, fuzzy (misspellings),
muscle word ("hamstring"), pattern or equipment word ("hinge", "kettlebell"). Within a tier a name
beats an alias, a key the query covers more of beats a longer one, and the most common lifts get a
small lift; ties are broken by name.
"""

from __future__ import annotations

import bisect
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
    "biceps": ("bicep", "bi", "arm"),
    "triceps": ("tricep", "tri", "arm"),
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
    "hinge": ("hip hinge",),
    "carry": ("loaded carry",),
    "core": ("anti rotation",),
}
_EQUIPMENT_WORDS: dict[str, tuple[str, ...]] = {
    "trap_bar": ("hex bar", "hex"),
    "suspension": ("trx", "ring"),
    "medicine_ball": ("med ball",),
    "band": ("resistance band",),
}
# Words that say nothing about which muscle or pattern is meant ("hamstring exercises").
_FILLER_WORDS = frozenset(
    {"exercise", "workout", "movement", "move", "pattern", "muscle", "for", "the", "training"}
)

_APOSTROPHES = str.maketrans("", "", "'’‘`´ʼ")
_NON_WORD = re.compile(r"[\W_]+")
_IRREGULAR_PLURALS = {"calves": "calf", "halves": "half", "hammies": "hammy"}

_FUZZY_MIN_TOKEN = 4  # shorter words are too easily confused ("row"/"bow")
_FUZZY_TOKEN_CUTOFF = 80.0
_FUZZY_WHOLE_MIN = 5
_FUZZY_WHOLE_CUTOFF = 82.0
_FUZZY_MUSCLE_CUTOFF = 86.0
_PREFIX_MIN = 2  # a one-letter word only matches a one-letter word
_CHUNK_CACHE_SIZE = 100_000
_CHUNK_CACHE_MAX_LENGTH = 40
_SCAN_BELOW = 1000  # keys; fewer are looked up by a scan rather than through tables


class MatchKind(StrEnum):
    EXACT = "exact"
    PREFIX = "prefix"
    WORDS = "words"
    FUZZY = "fuzzy"
    MUSCLE = "muscle"
    PATTERN = "pattern"  # movement pattern or equipment word
    POPULAR = "popular"  # the empty-query listing


# Tier floors: a tier's quality stays below 100, so no tier overtakes the one above it.
_TIER_BASE = {
    MatchKind.EXACT: 500.0,
    MatchKind.PREFIX: 400.0,
    MatchKind.WORDS: 300.0,
    MatchKind.FUZZY: 200.0,
    MatchKind.MUSCLE: 100.0,
    MatchKind.PATTERN: 0.0,
    MatchKind.POPULAR: 0.0,
}


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


_KeyData = tuple[str, tuple[str, ...], float]  # compact text, words, name/alias bonus

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
def _document_keys(name: str, aliases: tuple[str, ...]) -> tuple[_KeyData, ...]:
    """(compact, words, bonus) for each distinct form of a name and its aliases.

    Memoised: names recur across searches, and custom rows are read fresh on every one.
    """
    keys: dict[str, _KeyData] = {}
    for text_no, text in enumerate((name, *aliases)):
        for form_no, words in enumerate(word_forms(text)):
            compact = "".join(words)
            if compact and compact not in keys:
                # A name beats an alias; an abbreviation expanded ranks just below as typed.
                keys[compact] = (compact, words, (0.0 if text_no else 10.0) - 3.0 * form_no)
    return tuple(keys.values())


# --- index ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Query:
    variants: tuple[tuple[str, ...], ...] = ()  # as typed, then expanded
    # What the whole query names, if anything: muscle group ids, a pattern, an equipment.
    muscles: frozenset[str] = frozenset()
    pattern: str | None = None
    equipment: str | None = None

    @property
    def names_attribute(self) -> bool:
        return bool(self.muscles or self.pattern or self.equipment)


class _Scan:
    """Lookups by a pass over the keys: for a team's hundred custom exercises, read and indexed
    afresh on every search, a pass costs less than building tables used once."""

    def __init__(self, compacts: list[str], key_words: list[tuple[str, ...]]) -> None:
        self._compacts = compacts
        self._key_words = key_words
        self.vocabulary = list(set().union(*key_words))

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
        found = process.extract(
            compact, self._compacts, scorer=fuzz.ratio, score_cutoff=_FUZZY_WHOLE_CUTOFF, limit=None
        )
        return [
            (key_no, similarity)
            for candidate, similarity, _ in found
            for key_no in self._by_compact[candidate]
        ]


def _sorted_starting_with(ordered: list[str], prefix: str) -> Iterator[str]:
    for candidate in ordered[bisect.bisect_left(ordered, prefix) :]:
        if not candidate.startswith(prefix):
            return
        yield candidate


class SearchIndex:
    """Normalised keys of a set of documents, in parallel lists, and the lookups a query needs
    (tables for a large set, a scan for a small one)."""

    def __init__(
        self, documents: Iterable[SearchDocument], muscle_order: dict[str, int] | None = None
    ) -> None:
        self.documents = list(documents)
        self._muscle_order = muscle_order or {}
        per_doc = [_document_keys(doc.name, doc.aliases) for doc in self.documents]
        self._key_doc = [doc_no for doc_no, keys in enumerate(per_doc) for _ in keys]
        self._key_compact = [key[0] for keys in per_doc for key in keys]
        self._key_bonus = [key[2] for keys in per_doc for key in keys]
        key_words = [key[1] for keys in per_doc for key in keys]
        lookup = _Scan if len(key_words) < _SCAN_BELOW else _Tables
        self._lookup: _Scan | _Tables = lookup(self._key_compact, key_words)
        self._popularity = [_popularity(doc) for doc in self.documents]

    def match(self, query: _Query) -> dict[int, tuple[float, MatchKind]]:
        """Best (score, kind) per matching document number."""
        best: dict[int, tuple[float, MatchKind]] = {}

        def offer(key_no: int, kind: MatchKind, quality: float, penalty: float) -> None:
            doc_no = self._key_doc[key_no]
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
                coverage = len(compact) / len(self._key_compact[key_no])
                offer(key_no, MatchKind.PREFIX, 20.0 + 60.0 * coverage, penalty)
            for key_no, similarity in self._keys_with_all_words(words):
                coverage = min(1.0, len(compact) / len(self._key_compact[key_no]))
                if similarity >= 100.0:
                    offer(key_no, MatchKind.WORDS, 20.0 + 60.0 * coverage, penalty)
                else:
                    offer(key_no, MatchKind.FUZZY, _fuzzy_quality(similarity, coverage), penalty)
            if len(compact) >= _FUZZY_WHOLE_MIN:
                for key_no, similarity in lookup.keys_like(compact):
                    offer(key_no, MatchKind.FUZZY, _fuzzy_quality(similarity, 1.0), penalty)
        if query.names_attribute:
            self._match_attributes(query, best)
        return best

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

    def _keys_with_all_words(self, words: tuple[str, ...]) -> Iterator[tuple[int, float]]:
        """Keys holding every word in any order, with the mean similarity of the words."""
        per_word: list[dict[int, float]] = []
        for word in dict.fromkeys(words):
            similar = self._similar_words(word)
            candidates = self._lookup.keys_with(similar) if similar else {}
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

    def _match_attributes(self, query: _Query, best: dict[int, tuple[float, MatchKind]]) -> None:
        # A pass over the documents: only for the few queries that name a muscle or pattern.
        for doc_no, doc in enumerate(self.documents):
            quality: float | None = None
            kind = MatchKind.MUSCLE
            if not query.muscles.isdisjoint(doc.primary_muscles):
                first = _sort_muscles(doc.primary_muscles, self._muscle_order)[0]
                quality = 40.0 if first in query.muscles else 25.0
            elif doc.movement_pattern == query.pattern or doc.equipment == query.equipment:
                quality, kind = 20.0, MatchKind.PATTERN
            if quality is None:
                continue
            score = _TIER_BASE[kind] + quality + self._popularity[doc_no]
            if doc_no not in best or score > best[doc_no][0]:
                best[doc_no] = (score, kind)


def _popularity(doc: SearchDocument) -> float:
    rank = _POPULAR_RANK.get(doc.slug) if doc.slug and doc.organization_id is None else None
    return 0.0 if rank is None else 8.0 * (1 - rank / len(POPULAR_SLUGS))


def _sort_muscles(muscle_ids: Iterable[str], order: dict[str, int]) -> list[str]:
    return sorted(muscle_ids, key=lambda muscle: (order.get(muscle, len(order)), muscle))


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


class Library:
    """The curated part of search, built once per catalog version: index plus muscle names."""

    def __init__(
        self, documents: Iterable[SearchDocument], muscles: Sequence[tuple[str, str]]
    ) -> None:
        self.muscle_names = dict(muscles)
        self._muscle_order = {muscle_id: order for order, (muscle_id, _) in enumerate(muscles)}
        self.index = SearchIndex(documents, self._muscle_order)
        self._muscle_table = _attribute_table(
            (muscle_id, tuple(_phrases_of_muscle(muscle_id, name))) for muscle_id, name in muscles
        )
        self._muscle_phrases = sorted(self._muscle_table)
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

    def prepare_query(self, text: str) -> _Query:
        words = split_words(text[:MAX_QUERY_LENGTH])
        if not words:
            return _Query()
        expanded = expand_abbreviations(words)
        variants = (words,) if expanded == words else (words, expanded)
        return self._with_attributes(variants)

    def _with_attributes(self, variants: tuple[tuple[str, ...], ...]) -> _Query:
        muscles: set[str] = set()
        pattern: str | None = None
        equipment: str | None = None
        for words in variants:
            phrase = "".join(word for word in words if word not in _FILLER_WORDS)
            if not phrase:
                continue
            muscles |= self._muscle_table.get(phrase, set())
            if not muscles and len(phrase) >= _FUZZY_WHOLE_MIN:
                near = process.extractOne(
                    phrase,
                    self._muscle_phrases,
                    scorer=fuzz.ratio,
                    score_cutoff=_FUZZY_MUSCLE_CUTOFF,
                )
                if near is not None:
                    muscles |= self._muscle_table[near[0]]
            pattern = pattern or next(iter(_PATTERN_TABLE.get(phrase, ())), None)
            equipment = equipment or next(iter(_EQUIPMENT_TABLE.get(phrase, ())), None)
        return _Query(variants, frozenset(muscles), pattern, equipment)

    def rank(self, query: str, custom: Sequence[SearchDocument] = ()) -> list[Ranked]:
        """Every curated and custom document that matches `query`, best first."""
        prepared = self.prepare_query(query)
        if not prepared.variants:
            return []
        indexes = (self.index, SearchIndex(custom, self._muscle_order)) if custom else (self.index,)
        ranked = [
            Ranked(index.documents[doc_no], score, kind)
            for index in indexes
            for doc_no, (score, kind) in index.match(prepared).items()
        ]
        ranked.sort(key=lambda item: item.sort_key)
        return ranked

    def list_popular(self, custom: Sequence[SearchDocument] = ()) -> list[Ranked]:
        """The common lifts in POPULAR_SLUGS order, then `custom` as given (newest first, by
        the caller's query), then the rest of the library by name."""
        documents = (*self._popular, *custom, *self._unpopular)
        return [Ranked(doc, 0.0, MatchKind.POPULAR) for doc in documents]

    def make_hit(self, ranked: Ranked) -> SearchHit:
        doc = ranked.document
        muscles = _sort_muscles(doc.primary_muscles, self._muscle_order)
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

    def page(self, ranked: Sequence[Ranked], *, offset: int, limit: int) -> SearchPage:
        """One page of hits; next_offset is None on the last page and past the end."""
        limit = max(1, min(limit, MAX_PAGE_SIZE))
        offset = max(0, offset)
        following = offset + limit
        return SearchPage(
            items=[self.make_hit(item) for item in ranked[offset:following]],
            total=len(ranked),
            offset=offset,
            next_offset=following if following < len(ranked) else None,
        )


def rank_exercises(
    library: Library, query: str, custom: Sequence[SearchDocument] = ()
) -> list[SearchHit]:
    """All matching hits, best first (the whole list: for tests and tools, not for paging)."""
    return [library.make_hit(item) for item in library.rank(query, custom)]

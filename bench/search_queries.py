"""A labelled set for exercise search: what a coach types, and what should come first.

Written before the ranker was taught each kind of query, from the catalog and the coaches' words,
not from the ranker's output. Queries are grouped by kind (`CATEGORIES`); `LABELLED` is all of them.

An expectation is
- a curated slug, or a tuple of acceptable slugs, for the first result;
- a `Predicate` for queries that name a muscle, region, pattern or equipment rather than one
  exercise ("hamstring": any exercise with the hamstrings as a primary mover will do);
- `Near(expected)`: an exercise we don't have; the answer must not be a confident one (a "did you
  mean" suggestion, or results with words set aside), and what it offers first must fit;
- `Top3(expected)`: every one of the first three results must fit (noise in the tail).
Used by tests/storage/test_search.py and bench/search.py (kept in bench/: the bench imports no
test module).
"""

from __future__ import annotations

from dataclasses import dataclass

from storage.search import SearchHit, SearchPage, split_words


@dataclass(frozen=True)
class Predicate:
    label: str
    muscles: tuple[str, ...] = ()  # any of these primary muscles' display names
    pattern: str | None = None
    equipment: str | None = None

    def accepts(self, hit: SearchHit) -> bool:
        if self.muscles and not set(self.muscles) & set(hit.primary_muscles):
            return False
        if self.pattern is not None and hit.movement_pattern != self.pattern:
            return False
        return self.equipment is None or hit.equipment == self.equipment


@dataclass(frozen=True)
class Named:
    """Any exercise whose name holds this word (after normalising: "Curls" holds "curl")."""

    word: str

    def accepts(self, hit: SearchHit) -> bool:
        return self.word in split_words(hit.name)


Single = str | tuple[str, ...] | Predicate | Named


@dataclass(frozen=True)
class Near:
    expected: Single


@dataclass(frozen=True)
class Top3:
    expected: Single


Expected = Single | Near | Top3

DELTS = ("Front Deltoids", "Side Deltoids", "Rear Deltoids")
UPPER = (
    "Chest (Pectorals)",
    *DELTS,
    "Upper Back (Traps and Rhomboids)",
    "Latissimus Dorsi",
    "Biceps",
    "Triceps",
    "Forearms and Grip",
    "Rotator Cuff",
)
LOWER = (
    "Quadriceps",
    "Hamstrings",
    "Glutes",
    "Adductors",
    "Hip Abductors (Glute Med and Min)",
    "Calves",
    "Hip Flexors",
    "Tibialis Anterior",
)
CORE = (
    "Abdominals (Rectus Abdominis)",
    "Obliques",
    "Deep Core (Transverse Abdominis)",
    "Spinal Erectors (Lower Back)",
)


def works(*muscles: str) -> Predicate:
    return Predicate(f"works {' or '.join(muscles)}", muscles=muscles)


def pattern(name: str) -> Predicate:
    return Predicate(f"{name} pattern", pattern=name)


def uses(equipment: str) -> Predicate:
    return Predicate(f"uses {equipment}", equipment=equipment)


def works_with(muscles: tuple[str, ...], equipment: str) -> Predicate:
    return Predicate(f"works {'/'.join(muscles)} with {equipment}", muscles, equipment=equipment)


LUNGES = ("forward-lunge", "walking-lunge", "reverse-lunge")
CURLS = ("dumbbell-curl", "barbell-curl", "ez-bar-curl", "hammer-curl", "cable-curl")

CATEGORIES: dict[str, list[tuple[str, Expected]]] = {
    "abbreviations": [
        ("rdl", "romanian-deadlift"),
        ("ohp", "overhead-press"),
        ("bss", "bulgarian-split-squat"),
        ("sldl", "stiff-leg-deadlift"),
        ("ghr", "glute-ham-raise"),
        ("db bench", "dumbbell-bench-press"),
        ("kb swing", "kettlebell-swing"),
        ("bb row", "barbell-row"),
        ("ez curl", "ez-bar-curl"),
        ("tgu", "turkish-get-up"),
        ("db rdl", "dumbbell-romanian-deadlift"),
        ("dumbbell rdl", "dumbbell-romanian-deadlift"),
        ("sl rdl", "single-leg-romanian-deadlift"),
        ("hspu", "handstand-push-up"),
        ("t2b", "toes-to-bar"),
        ("db row", "dumbbell-row"),
        ("kb goblet squat", "kettlebell-goblet-squat"),
        ("db ohp", "standing-dumbbell-overhead-press"),
        ("lpd", "lat-pulldown"),
        ("cgbp", "close-grip-bench-press"),
        ("hex bar dl", "trap-bar-deadlift"),
        ("kb clean", "kettlebell-clean"),
        ("db curl", "dumbbell-curl"),
        ("db lateral raise", "dumbbell-lateral-raise"),
        ("ssb squat", "safety-bar-squat"),
        ("rfess", "bulgarian-split-squat"),
        ("sl glute bridge", "single-leg-glute-bridge"),
    ],
    "compounds": [
        ("chin-up", "chin-up"),
        ("chin up", "chin-up"),
        ("chinup", "chin-up"),
        ("pull up", "pull-up"),
        ("pullup", "pull-up"),
        ("pushup", "push-up"),
        ("push up", "push-up"),
        ("stepup", "step-up"),
        ("sit-up", "sit-up"),
        ("tbar row", "t-bar-row"),
        ("toes to bar", "toes-to-bar"),
        ("muscleup", "muscle-up"),
        ("deadbug", "dead-bug"),
        ("facepull", "face-pull"),
        ("incline pushup", "incline-push-up"),
    ],
    "plurals": [
        ("nordics", "nordic-hamstring-curl"),
        ("squats", "back-squat"),
        ("lunges", "forward-lunge"),
        ("pull ups", "pull-up"),
        ("push-ups", "push-up"),
        ("dips", "dip"),
        ("face pulls", "face-pull"),
        ("hip thrusts", "hip-thrust"),
        ("box jumps", "box-jump"),
        ("deadlifts", "deadlift"),
        ("good mornings", "good-morning"),
        ("kettlebell swings", "kettlebell-swing"),
    ],
    "word_order": [
        ("press bench", "bench-press"),
        ("squat front", "front-squat"),
        ("deadlift romanian", "romanian-deadlift"),
        ("curl hammer", "hammer-curl"),
        ("split squat bulgarian", "bulgarian-split-squat"),
        ("thrust hip", "hip-thrust"),
        ("pulldown lat", "lat-pulldown"),
    ],
    "misspellings": [
        ("bech press", "bench-press"),
        ("deadlfit", "deadlift"),
        ("romainian deadlift", "romanian-deadlift"),
        ("bulgarain split squat", "bulgarian-split-squat"),
        ("squatt", "back-squat"),
        ("hip thurst", "hip-thrust"),
        ("lat pulldwon", "lat-pulldown"),
        ("overhed press", "overhead-press"),
        ("goblet sqaut", "goblet-squat"),
        ("kettlebel swing", "kettlebell-swing"),
        ("dumbell row", "dumbbell-row"),
        ("romanian dedlift", "romanian-deadlift"),
        ("front sqat", "front-squat"),
        ("benchpres", "bench-press"),
        ("pistol sqat", "pistol-squat"),
        ("copenhagan plank", "copenhagen-plank"),
    ],
    "names": [
        ("deadlift", "deadlift"),
        ("bench", "bench-press"),
        ("squat", "back-squat"),
        ("front squat", "front-squat"),
        ("bulg", "bulgarian-split-squat"),
        ("overhead pr", "overhead-press"),
        ("nordic ham", "nordic-hamstring-curl"),
        ("pallof", "pallof-press"),
        ("DEADLIFT", "deadlift"),
        ("Bénch Préss", "bench-press"),
        ("Farmer’s carry", "farmers-carry"),
        ("farmers walk", "farmers-carry"),
        ("prowler", "sled-push"),
    ],
    "attribute_words": [
        ("hamstring", works("Hamstrings")),
        ("hamstrings", works("Hamstrings")),
        ("hamstrng", works("Hamstrings")),
        ("glutes", works("Glutes")),
        ("quads", works("Quadriceps")),
        ("lats", works("Latissimus Dorsi")),
        ("chest", works("Chest (Pectorals)")),
        ("biceps", works("Biceps")),
        ("calves", works("Calves")),
        ("obliques", works("Obliques")),
        ("hinge", pattern("hinge")),
        ("carry", pattern("carry")),
        ("pull", pattern("pull")),
        ("kettlebell", uses("kettlebell")),
        ("landmine", uses("landmine")),
    ],
    # A word that is in no name or alias must not empty the answer.
    "extra_word": [
        ("heavy deadlift", "deadlift"),
        ("my squat", "back-squat"),
        ("bench press today", "bench-press"),
        ("sumo deadlift max", "sumo-deadlift"),
        ("rdl 3x8", "romanian-deadlift"),
        ("back squat 5x5", "back-squat"),
        ("hip thrust heavy", "hip-thrust"),
        ("pull ups bodyweight", "pull-up"),
        ("barbell hip thrust glutes", "hip-thrust"),
        ("weighted chin ups vest", "weighted-chin-up"),
        ("nordic curl partner", "nordic-hamstring-curl"),
        ("goblet squat warmup", "goblet-squat"),
        ("romanian deadlift tempo", "romanian-deadlift"),
        ("kettlebell swing hardstyle", "kettlebell-swing"),
        ("lat pulldown wide", "lat-pulldown"),
        ("overhead press strict standing", "overhead-press"),
        ("push ups for chest", "push-up"),
        ("box jump height", "box-jump"),
        ("russian twist weighted", "russian-twist"),
        ("farmers carry heavy", "farmers-carry"),
        ("chin up supinated grip", "chin-up"),
        ("core strength", pattern("core")),
        ("glute activation", works("Glutes")),
        ("hamstring strength", works("Hamstrings")),
        ("split squat athlete", "split-squat"),
    ],
    # Easier / harder / progression / regression / beginner / advanced: the progression chains.
    "progression": [
        ("easier dip", "band-assisted-dip"),
        ("dip progression", "bench-dip"),
        ("dip regression", "band-assisted-dip"),
        ("harder dip", "weighted-dip"),
        ("easier chin up", "machine-assisted-pull-up"),
        ("harder chin up", ("weighted-chin-up", "pull-up")),
        ("easier pull up", ("band-assisted-pull-up", "chin-up")),
        ("harder pull ups", ("weighted-pull-up", "chest-to-bar-pull-up", "archer-pull-up")),
        ("pull up progression", "dead-hang"),
        (
            "beginner pull up",
            (
                "dead-hang",
                "scapular-pull-up",
                "band-assisted-pull-up",
                "machine-assisted-pull-up",
                "eccentric-pull-up",
            ),
        ),
        ("regression for pull ups", ("band-assisted-pull-up", "chin-up")),
        ("easier push up", ("incline-push-up", "knee-push-up")),
        ("harder push-up", ("deficit-push-up", "weighted-push-up", "decline-push-up")),
        ("push up progression", "wall-push-up"),
        ("beginner push ups", ("wall-push-up", "incline-push-up", "knee-push-up")),
        (
            "advanced push up",
            (
                "deficit-push-up",
                "weighted-push-up",
                "decline-push-up",
                "ring-push-up",
                "archer-push-up",
                "one-arm-push-up",
                "plyometric-push-up",
            ),
        ),
        (
            "row regression",
            ("dumbbell-row", "chest-supported-dumbbell-row", "suspension-row", "inverted-row"),
        ),
        ("easier overhead press", "standing-dumbbell-overhead-press"),
        ("overhead press progression", "half-kneeling-landmine-press"),
        ("harder ohp", ("push-press", "z-press")),
        ("easier squat", ("box-squat", "goblet-squat")),
        ("squat progression", ("bodyweight-box-squat", "goblet-squat")),
        ("beginner squat", ("goblet-squat", "bodyweight-box-squat", "bodyweight-squat")),
        ("harder squat", "pause-back-squat"),
        ("easier deadlift", ("romanian-deadlift", "trap-bar-deadlift")),
        ("deadlift progression", ("hip-hinge-drill", "kettlebell-deadlift")),
        ("harder deadlift", "deficit-deadlift"),
        ("easier nordic", ("eccentric-nordic-hamstring-curl", "glute-ham-raise")),
        ("nordic progression", "band-assisted-nordic-curl"),
        ("easier pistol squat", ("box-pistol-squat", "skater-squat")),
        ("lunge progression", "split-squat"),
        ("harder lunge", "walking-lunge"),
        ("easier kettlebell swing", "kettlebell-deadlift"),
        ("clean progression", "clean-pull"),
        ("easier power clean", "hang-power-clean"),
        ("plank progression", "kneeling-plank"),
        ("harder plank", ("rkc-plank", "stability-ball-rollout")),
        ("easier toes to bar", "hanging-leg-raise"),
        ("harder glute bridge", ("single-leg-glute-bridge", "barbell-glute-bridge")),
        ("hspu progression", "decline-push-up"),
        ("easier turkish get up", "half-turkish-get-up"),
        ("easier hanging leg raise", "hanging-knee-raise"),
    ],
    # A muscle or region word: exercises that train it as a primary mover, not look-alike names.
    "muscle_region": [
        ("delts", works(*DELTS)),
        ("rear delts", works("Rear Deltoids")),
        ("side delts", works("Side Deltoids")),
        ("shoulders", works(*DELTS)),
        ("traps", works("Upper Back (Traps and Rhomboids)")),
        ("forearms", works("Forearms and Grip")),
        ("forearm", works("Forearms and Grip")),
        ("grip", works("Forearms and Grip")),
        ("quad", works("Quadriceps")),
        ("quadriceps", works("Quadriceps")),
        ("adductors", works("Adductors")),
        ("groin", works("Adductors")),
        ("abs", works("Abdominals (Rectus Abdominis)")),
        ("lower back", works("Spinal Erectors (Lower Back)")),
        ("triceps", works("Triceps")),
        ("tris", works("Triceps")),
        ("pecs", works("Chest (Pectorals)")),
        ("rotator cuff", works("Rotator Cuff")),
        ("hip flexors", works("Hip Flexors")),
        ("shins", works("Tibialis Anterior")),
        ("back", works("Latissimus Dorsi", "Upper Back (Traps and Rhomboids)", *CORE[3:])),
        ("legs", works(*LOWER)),
        ("arms", works("Biceps", "Triceps", "Forearms and Grip")),
        ("upper body", works(*UPPER)),
        ("lower body", works(*LOWER)),
        ("glute med", works("Hip Abductors (Glute Med and Min)")),
        ("lat", works("Latissimus Dorsi")),
        ("calf", works("Calves")),
        ("hammies", works("Hamstrings")),
        ("chest exercises", works("Chest (Pectorals)")),
        ("dumbbell chest", works_with(("Chest (Pectorals)",), "dumbbell")),
        ("kettlebell glutes", works_with(("Glutes",), "kettlebell")),
        ("band shoulders", works_with(DELTS, "band")),
        ("cable biceps", works_with(("Biceps",), "cable")),
        ("bodyweight hamstrings", works_with(("Hamstrings",), "bodyweight")),
    ],
    # Coaches' words for families the library has.
    "vocabulary": [
        (
            "anti-extension",
            (
                "plank",
                "kneeling-plank",
                "rkc-plank",
                "body-saw",
                "ab-wheel-rollout",
                "dead-bug",
                "stability-ball-rollout",
                "hollow-body-hold",
            ),
        ),
        (
            "anti flexion",
            ("bird-dog", "superman", "back-extension", "zercher-carry", "sandbag-bear-hug-carry"),
        ),
        (
            "anti-lateral flexion",
            ("suitcase-carry", "side-plank", "suitcase-deadlift", "offset-carry"),
        ),
        ("anti rotation", ("pallof-press", "half-kneeling-pallof-press", "band-pallof-press")),
        (
            "scap retraction",
            ("band-pull-apart", "face-pull", "prone-ytw", "seated-cable-row", "inverted-row"),
        ),
        (
            "scapular retraction",
            ("band-pull-apart", "face-pull", "prone-ytw", "seated-cable-row", "inverted-row"),
        ),
        ("scap depression", ("scapular-pull-up", "straight-arm-pulldown", "dip-support-hold")),
        ("vertical pull", ("pull-up", "chin-up", "lat-pulldown")),
        ("horizontal pull", ("barbell-row", "dumbbell-row", "seated-cable-row", "inverted-row")),
        ("vertical push", ("overhead-press", "push-press", "handstand-push-up")),
        ("horizontal push", ("bench-press", "push-up", "dumbbell-bench-press")),
        ("hip extension", ("hip-thrust", "glute-bridge", "back-extension", "kettlebell-swing")),
        ("knee flexion", ("lying-leg-curl", "nordic-hamstring-curl", "seated-leg-curl")),
        ("triple extension", ("power-clean", "hang-power-clean", "clean", "power-snatch")),
        ("plyometrics", ("box-jump", "depth-jump", "jump-squat", "broad-jump", "pogo-jump")),
        ("plyo", ("box-jump", "depth-jump", "jump-squat", "broad-jump", "pogo-jump")),
        (
            "posterior chain",
            (
                "deadlift",
                "romanian-deadlift",
                "kettlebell-swing",
                "good-morning",
                "glute-ham-raise",
            ),
        ),
        ("olympic lifts", ("clean", "snatch", "clean-and-jerk", "power-clean", "power-snatch")),
        ("knee dominant", pattern("squat")),
        ("hip dominant", pattern("hinge")),
        ("loaded carries", pattern("carry")),
        ("core stability", pattern("core")),
        (
            "isometric",
            ("plank", "wall-sit", "dead-hang", "side-plank", "hollow-body-hold", "farmers-hold"),
        ),
        (
            "rotational power",
            ("medicine-ball-rotational-throw", "medicine-ball-shot-put", "landmine-rotation"),
        ),
        ("shoulder health", works("Rotator Cuff", "Rear Deltoids")),
        ("unilateral legs", ("bulgarian-split-squat", "split-squat", "step-up", "reverse-lunge")),
    ],
    "spanish": [
        ("sentadilla", "back-squat"),
        ("sentadillas", "back-squat"),
        ("zancadas", LUNGES),
        ("peso muerto", "deadlift"),
        ("peso muerto rumano", "romanian-deadlift"),
        ("press de banca", "bench-press"),
        ("press banca", "bench-press"),
        ("dominadas", "pull-up"),
        ("fondos", "dip"),
        ("remo con barra", "barbell-row"),
        ("sentadilla búlgara", "bulgarian-split-squat"),
        ("flexiones", "push-up"),
        ("plancha", "plank"),
        ("jalón al pecho", "lat-pulldown"),
        ("press militar", "overhead-press"),
        ("sentadilla frontal", "front-squat"),
        ("curl de biceps", CURLS),
        ("elevaciones laterales", "dumbbell-lateral-raise"),
        ("puente de glúteos", "glute-bridge"),
        ("prensa de piernas", "leg-press"),
    ],
    "german": [
        ("Klimmzug", "pull-up"),
        ("Klimmzüge", "pull-up"),
        ("Kniebeuge", "back-squat"),
        ("kniebeugen", "back-squat"),
        ("Kreuzheben", "deadlift"),
        ("rumänisches Kreuzheben", "romanian-deadlift"),
        ("Bankdrücken", "bench-press"),
        ("bankdruecken", "bench-press"),
        ("Ausfallschritte", LUNGES),
        ("Liegestütze", "push-up"),
        ("Schulterdrücken", ("overhead-press", "seated-dumbbell-shoulder-press")),
        ("Langhantelrudern", "barbell-row"),
        ("Latziehen", "lat-pulldown"),
        ("Frontkniebeuge", "front-squat"),
        ("Beinpresse", "leg-press"),
        ("Seitstütz", "side-plank"),
        ("Wadenheben", ("standing-calf-raise", "bodyweight-calf-raise")),
        ("bulgarische Kniebeuge", "bulgarian-split-squat"),
    ],
    "french": [
        ("soulevé de terre", "deadlift"),
        ("souleve de terre roumain", "romanian-deadlift"),
        ("développé couché", "bench-press"),
        ("developpe couche", "bench-press"),
        ("développé militaire", "overhead-press"),
        ("tractions", "pull-up"),
        ("traction supination", "chin-up"),
        ("fentes", LUNGES),
        ("fentes bulgares", "bulgarian-split-squat"),
        ("pompes", "push-up"),
        ("gainage", "plank"),
        ("squat avant", "front-squat"),
        ("rowing barre", "barbell-row"),
        ("tirage vertical", "lat-pulldown"),
        ("pont fessier", "glute-bridge"),
        ("élévations latérales", "dumbbell-lateral-raise"),
        ("presse à cuisses", "leg-press"),
    ],
    "italian": [
        ("stacco rumeno", "romanian-deadlift"),
        ("stacco da terra", "deadlift"),
        ("panca piana", "bench-press"),
        ("trazioni", "pull-up"),
        ("affondi", LUNGES),
        ("piegamenti", "push-up"),
        ("rematore con bilanciere", "barbell-row"),
        ("lento avanti", "overhead-press"),
        ("squat bulgaro", "bulgarian-split-squat"),
        ("alzate laterali", "dumbbell-lateral-raise"),
        ("squat frontale", "front-squat"),
        ("ponte glutei", "glute-bridge"),
        ("croci con manubri", "dumbbell-fly"),
        ("lat machine", "lat-pulldown"),
        ("panca inclinata", "incline-bench-press"),
    ],
    "portuguese": [
        ("agachamento", "back-squat"),
        ("levantamento terra", "deadlift"),
        ("supino reto", "bench-press"),
        ("barra fixa", "pull-up"),
        ("afundo", LUNGES),
        ("flexão de braço", "push-up"),
        ("prancha", "plank"),
        ("remada curvada", "barbell-row"),
        ("agachamento búlgaro", "bulgarian-split-squat"),
        ("elevação pélvica", "hip-thrust"),
        ("puxada alta", "lat-pulldown"),
        ("desenvolvimento militar", "overhead-press"),
        ("rosca direta", "barbell-curl"),
        ("agachamento frontal", "front-squat"),
        ("cadeira extensora", "leg-extension"),
    ],
    "russian": [
        ("жим лёжа", "bench-press"),
        ("жим лежа", "bench-press"),
        ("ЖИМ ЛЁЖА", "bench-press"),
        ("становая тяга", "deadlift"),
        ("приседания", "back-squat"),
        ("присед", "back-squat"),
        ("подтягивания", "pull-up"),
        ("отжимания", "push-up"),
        ("брусья", "dip"),
        ("выпады", LUNGES),
        ("румынская тяга", "romanian-deadlift"),
        ("тяга штанги в наклоне", "barbell-row"),
        ("армейский жим", "overhead-press"),
        ("планка", "plank"),
        ("болгарские выпады", "bulgarian-split-squat"),
        ("фронтальный присед", "front-squat"),
        ("тяга верхнего блока", "lat-pulldown"),
    ],
    # Exercises we don't have: a suggestion or results with words set aside, never a confident
    # answer.
    "near_miss": [
        ("zottman curl", Near(Named("curl"))),
        ("spider curl", Near(Named("curl"))),
        ("hatfield squat", Near(("safety-bar-squat", "back-squat"))),
        ("log press", Near(("overhead-press", "push-press"))),
        ("larsen press", Near(("bench-press", "paused-bench-press"))),
        ("spoto press", Near(("bench-press", "paused-bench-press"))),
        (
            "donkey calf raise",
            Near(("standing-calf-raise", "bent-knee-calf-raise", "bodyweight-calf-raise")),
        ),
        ("cable kickback", Near("triceps-kickback")),
        ("viking press", Near(("landmine-press", "overhead-press"))),
        ("snatch balance", Near(("snatch", "overhead-squat"))),
        ("muscle snatch", Near(("power-snatch", "snatch"))),
        ("zercher deadlift", Near(("zercher-squat", "deadlift"))),
        ("goblet reverse lunge", Near(("dumbbell-reverse-lunge", "reverse-lunge"))),
        ("sissy squat machine", Near("sissy-squat")),
        ("jefferson curl", Near(Named("curl"))),
        # Written 2026-12-01 before the ranker was changed for them: lifts a coach names that
        # the library lacks, and the family they belong to.
        ("bradford press", Near(("overhead-press", "push-press"))),
        ("axle press", Near(("overhead-press", "push-press"))),
        ("tate press", Near(works("Triceps"))),
        ("pin press", Near(("bench-press", "board-press", "floor-press", "paused-bench-press"))),
        ("hang snatch", Near(("hang-power-snatch", "snatch", "power-snatch"))),
        ("tall clean", Near(("clean", "hang-clean", "power-clean", "hang-power-clean"))),
        ("muscle clean", Near(("power-clean", "clean", "hang-power-clean"))),
        ("paused deadlift", Near("deadlift")),
        ("pause front squat", Near(("front-squat", "pause-back-squat"))),
        ("sandbag squat", Near(pattern("squat"))),
        ("seated good morning", Near("good-morning")),
        ("zercher good morning", Near("good-morning")),
        ("dumbbell good morning", Near("good-morning")),
        ("sumo rdl", Near(("romanian-deadlift", "sumo-deadlift", "kettlebell-sumo-deadlift"))),
        ("trap bar rdl", Near(("romanian-deadlift", "trap-bar-deadlift"))),
        ("snatch grip rdl", Near(("romanian-deadlift", "snatch-grip-deadlift"))),
        ("cable pullover", Near(("straight-arm-pulldown", "dumbbell-pullover"))),
        (
            "sumo deadlift high pull",
            Near(("sumo-deadlift", "clean-high-pull", "kettlebell-high-pull", "upright-row")),
        ),
        ("bayesian curl", Near(Named("curl"))),
        ("drag curl", Near(Named("curl"))),
        (
            "banded hip thrust",
            Near(("hip-thrust", "single-leg-hip-thrust", "machine-hip-thrust", "glute-bridge")),
        ),
        ("landmine lunge", Near(Named("lunge"))),
    ],
    # The first three results all belong to what was asked for.
    "tail": [
        ("ohp", Top3(works("Front Deltoids"))),
        (
            "dips",
            Top3(
                (
                    "dip",
                    "weighted-dip",
                    "bench-dip",
                    "ring-dip",
                    "eccentric-dip",
                    "band-assisted-dip",
                    "dip-support-hold",
                )
            ),
        ),
        ("rdl", Top3(works("Hamstrings"))),
        ("squat", Top3(pattern("squat"))),
        ("curl", Top3(Named("curl"))),
        ("row", Top3(Named("row"))),
        ("lunge", Top3(Named("lunge"))),
        ("swing", Top3(Named("swing"))),
        ("plank", Top3(Named("plank"))),
        ("deadlift", Top3(Named("deadlift"))),
        ("carry", Top3(pattern("carry"))),
        ("hip thrust", Top3(works("Glutes"))),
        ("calf raise", Top3(works("Calves"))),
        ("face pull", Top3(works("Rear Deltoids"))),
        ("pull up", Top3(works("Latissimus Dorsi"))),
        ("bench", Top3(works("Chest (Pectorals)", "Triceps"))),
    ],
}


LABELLED: list[tuple[str, Expected]] = [pair for pairs in CATEGORIES.values() for pair in pairs]


def _fits(expected: Single, hit: SearchHit) -> bool:
    if isinstance(expected, Predicate | Named):
        return expected.accepts(hit)
    slugs = (expected,) if isinstance(expected, str) else expected
    return hit.slug in slugs


def accepts(expected: Expected, page: SearchPage) -> bool:
    """Whether the page answers the query as labelled (see the module's docstring)."""
    hits = page.items
    if isinstance(expected, Top3):
        return bool(hits) and all(_fits(expected.expected, hit) for hit in hits[:3])
    if isinstance(expected, Near):
        offered = page.suggestion or (hits[0] if hits else None)
        return not page.confident and offered is not None and _fits(expected.expected, offered)
    return bool(hits) and _fits(expected, hits[0])


def accepts_top3(expected: Expected, page: SearchPage) -> bool:
    """Looser: the expected answer is among the first three (Near and Top3 as for top-1)."""
    if isinstance(expected, Near | Top3):
        return accepts(expected, page)
    return any(_fits(expected, hit) for hit in page.items[:3])


def describe(expected: Expected) -> str:
    if isinstance(expected, Near):
        return f"not confident, offering {describe(expected.expected)}"
    if isinstance(expected, Top3):
        return f"top three all {describe(expected.expected)}"
    if isinstance(expected, Predicate):
        return expected.label
    if isinstance(expected, Named):
        return f"named *{expected.word}*"
    return str(expected)


def expected_slugs(expected: Expected) -> set[str]:
    inner = expected.expected if isinstance(expected, Near | Top3) else expected
    if isinstance(inner, str):
        return {inner}
    if isinstance(inner, tuple):
        return set(inner)
    return set()

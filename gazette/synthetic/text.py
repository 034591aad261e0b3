"""Deterministic, news-like text: headlines and paragraphs from a seeded generator.

Not lorem ipsum: words come from a newsroom vocabulary per section, so search, related
articles and page weights behave as they would on real copy.
"""

from random import Random

SECTIONS = [
    (
        "World",
        ["border", "treaty", "minister", "summit", "troops", "election", "sanctions", "embassy"],
    ),
    (
        "Politics",
        ["senate", "bill", "governor", "campaign", "vote", "coalition", "budget", "reform"],
    ),
    (
        "Business",
        ["market", "shares", "merger", "inflation", "earnings", "startup", "tariff", "bank"],
    ),
    (
        "Technology",
        ["chip", "software", "startup", "privacy", "robot", "network", "battery", "cloud"],
    ),
    (
        "Science",
        ["study", "researchers", "climate", "species", "telescope", "vaccine", "genome", "ocean"],
    ),
    ("Health", ["patients", "diet", "hospital", "study", "virus", "sleep", "heart", "exercise"]),
    (
        "Lifestyle",
        ["wine", "travel", "fashion", "recipe", "garden", "fitness", "home", "celebrity"],
    ),
    ("Sport", ["match", "league", "coach", "final", "record", "season", "transfer", "injury"]),
    ("Culture", ["film", "album", "festival", "novel", "museum", "director", "stage", "artist"]),
    (
        "Environment",
        ["wildfire", "flood", "emissions", "forest", "drought", "solar", "river", "storm"],
    ),
    (
        "Education",
        ["school", "students", "teachers", "university", "exam", "funding", "campus", "tuition"],
    ),
    ("Opinion", ["column", "argument", "policy", "future", "debate", "letter", "voters", "values"]),
]
COMMON = [
    "the",
    "a",
    "new",
    "report",
    "says",
    "officials",
    "after",
    "before",
    "while",
    "amid",
    "over",
    "under",
    "with",
    "without",
    "more",
    "than",
    "first",
    "last",
    "year",
    "week",
    "month",
    "city",
    "country",
    "government",
    "people",
    "local",
    "national",
    "public",
    "plan",
    "warns",
    "announces",
    "reveals",
    "faces",
    "calls",
    "expected",
    "could",
    "would",
    "may",
    "spokesperson",
    "according",
    "analysts",
    "data",
    "record",
    "early",
    "late",
    "high",
    "low",
    "major",
    "small",
    "growing",
]
VERBS = ["Says", "Warns", "Plans", "Faces", "Wins", "Loses", "Backs", "Rejects", "Reveals", "Hits"]


def headline(rng: Random, topic: list[str]) -> str:
    words = [rng.choice(topic).title(), rng.choice(VERBS), rng.choice(COMMON).title()]
    words += [rng.choice(topic + COMMON).title() for _ in range(rng.randint(3, 7))]
    return " ".join(words)


def sentence(rng: Random, topic: list[str]) -> str:
    words = [
        rng.choice(topic) if rng.random() < 0.3 else rng.choice(COMMON)
        for _ in range(rng.randint(10, 24))
    ]
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def paragraph(rng: Random, topic: list[str]) -> str:
    return " ".join(sentence(rng, topic) for _ in range(rng.randint(2, 5)))

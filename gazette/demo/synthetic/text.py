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


# Names of people, places and organisations: the rare words of real copy. A few recur in many
# stories, most in a handful (the draw below favours the first ones).
_SYLLABLES = [
    "ar", "bel", "cor", "da", "el", "fen", "gar", "hal", "is", "jor", "ka", "lin", "mar", "nor",
    "os", "pel", "quin", "ros", "sal", "tor", "ul", "val", "wen", "yar", "zed", "mi", "lo", "ve",
]  # fmt: skip
_NAMER = Random("gazette-synthetic-names")
PROPER_NAMES = sorted(
    {
        "".join(_NAMER.choice(_SYLLABLES) for _ in range(_NAMER.randint(2, 3))).capitalize()
        for _ in range(30_000)
    }
)
_NAMER.shuffle(PROPER_NAMES)
NAME_SHARE = 0.35  # of sentences that mention one


def proper_name(rng: Random) -> str:
    return PROPER_NAMES[int(len(PROPER_NAMES) * rng.random() ** 3)]


def sentence(rng: Random, topic: list[str]) -> str:
    words = [
        rng.choice(topic) if rng.random() < 0.3 else rng.choice(COMMON)
        for _ in range(rng.randint(10, 24))
    ]
    if rng.random() < NAME_SHARE:
        words.insert(rng.randint(1, len(words)), proper_name(rng))
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def paragraph(rng: Random, topic: list[str]) -> str:
    return " ".join(sentence(rng, topic) for _ in range(rng.randint(2, 5)))


# --- readers' comments -----------------------------------------------------------------------

READER_FIRST_NAMES = [
    "Alex", "Amira", "Bea", "Carlos", "Dana", "Dev", "Eva", "Felix", "Grace", "Hana", "Ian",
    "Jade", "Jon", "Kai", "Leo", "Lucia", "Maya", "Mika", "Noor", "Olga", "Pat", "Priya",
    "Quinn", "Rafael", "Rosa", "Sam", "Sofia", "Tom", "Uma", "Viktor", "Wen", "Yusuf", "Zoe",
]  # fmt: skip
READER_LAST_NAMES = [
    "Adams", "Becker", "Costa", "Diallo", "Evans", "Fischer", "Garcia", "Hughes", "Ito",
    "Jensen", "Khan", "Lopez", "Moreau", "Nguyen", "Olsen", "Park", "Quist", "Reyes", "Schmidt",
    "Turner", "Usman", "Vega", "Wright", "Yilmaz", "Zhou",
]  # fmt: skip
HANDLE_WORDS = [
    "nightowl", "oldreader", "commuter", "skeptic", "localvoice", "bookworm", "retired_teacher",
    "cyclist", "taxpayer", "newsjunkie", "gardener", "early_bird", "insider", "observer",
]  # fmt: skip

COMMENT_OPENERS = [
    "Great piece.", "Thanks for reporting this.", "I disagree.", "Interesting read.",
    "Finally someone says it.", "Not convinced.", "Well written.", "This is worrying.",
    "Good to see this covered.", "Sad news.", "Spot on.", "Hmm.", "As a local, I can confirm this.",
    "Same old story.", "Excellent reporting.", "I'm not surprised.", "Wow.", "Fair point.",
]  # fmt: skip
COMMENT_SENTENCES = [
    "The {t} question deserves more attention than it gets.",
    "What about the {t}? Nobody seems to ask.",
    "I have followed the {t} story for years and this is the clearest account yet.",
    "Where does the money for the {t} actually go?",
    "The article leaves out what the {t} news means for ordinary people.",
    "We were promised action on the {t} front {c} ago.",
    "Anyone who follows {t} news knew this was coming.",
    "My neighbour knows a lot about {t} matters and says the same.",
    "The {t} figures quoted here look too optimistic to me.",
    "Let's wait for the full {t} data before judging.",
    "It would help to hear from the people the {t} decision affects.",
    "This {t} debate is going round in circles.",
    "Good that someone finally asked about the {t}.",
    "The {t} issue was never the real problem here.",
    "Who is going to pay for the {t} plans?",
    "I read the {t} report and it says something rather different.",
]
COMMENT_CLOSERS = [
    "Keep it up.", "Just my two cents.", "Time will tell.", "Shameful.", "More of this, please.",
    "We'll see.", "Thank you.", "👍", "Disappointing.", "Watch this space.",
]  # fmt: skip
SPAM_TEXTS = [
    "Earn $500 a day from home! Details at www.quick-cash-now.xyz",
    "Best prices on watches, visit cheap-watches.shop today",
    "I made 3,000 last month with this one trick: bit.ly/easy-money-now",
    "Hot singles in your area >>> dating-match.online",
    "Crypto signals that never lose. Join t.me/profitgroup or see coins-daily.top",
]
HELD_LINKS = [
    "Source: www.example.org/report",
    "More here: https://example.com/analysis",
    "See the figures at data.example.net",
]
RELATIVE_TIMES = ["years", "months", "two years", "a decade"]


def reader_name(rng: Random) -> str:
    """How readers sign: a first name, initials, a full name or a handle."""
    kind = rng.random()
    first = rng.choice(READER_FIRST_NAMES)
    if kind < 0.3:
        return first
    if kind < 0.6:
        return f"{first} {rng.choice(READER_LAST_NAMES)[0]}."
    if kind < 0.85:
        return f"{first} {rng.choice(READER_LAST_NAMES)}"
    return f"{rng.choice(HANDLE_WORDS)}{rng.randint(1, 99)}"


def comment_text(rng: Random, topic: list[str], limit: int, reply_to: str | None = None) -> str:
    """A reader's comment of one to four sentences, never longer than ``limit`` characters."""
    parts = []
    if reply_to:
        parts.append(f"@{reply_to}")
    if rng.random() < 0.6:
        parts.append(rng.choice(COMMENT_OPENERS))
    for _ in range(rng.choices((1, 2, 3, 4), weights=(45, 30, 17, 8))[0]):
        parts.append(
            rng.choice(COMMENT_SENTENCES).format(t=rng.choice(topic), c=rng.choice(RELATIVE_TIMES))
        )
    if rng.random() < 0.25:
        parts.append(rng.choice(COMMENT_CLOSERS))
    text = parts[0]
    for part in parts[1:]:
        if len(text) + 1 + len(part) > limit:
            break
        text += " " + part
    return text[:limit]

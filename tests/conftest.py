from pathlib import Path

import pytest

from gazette.home.services import ensure_home_page

REPOSITORY = Path(__file__).resolve().parents[1]
SEED_FILE = REPOSITORY.parent / "shared" / "seed" / "000_9d8990e26df27fda.txt"
ARTICLE_HEADLINE = "18 North Korean Soldiers Flee Russian Forces Near Ukraine Border, Reports Say"


@pytest.fixture
def home(db):
    return ensure_home_page()


@pytest.fixture
def seeded(home):
    """The reference article page imported, as `make run` builds it."""
    from gazette.importers.services import import_textdump_file

    return import_textdump_file(path=SEED_FILE)

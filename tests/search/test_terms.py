from gazette.search.terms import MAX_TERMS, parse_terms


def test_only_words_survive():
    assert parse_terms('"NEAR( soldiers AND* OR NOT -x').terms == (
        "near",
        "soldiers",
        "and",
        "or",
        "not",
        "x",
    )
    assert parse_terms("'; DROP TABLE news;--").terms == ("drop", "table", "news")
    assert parse_terms("北한 Ünïcode café_au_lait").terms == (
        "北한",
        "ünïcode",
        "café",
        "au",
        "lait",
    )


def test_nothing_searchable_is_empty():
    for raw in ["", "   ", "\x00", "😀🔥", '"*"', "()"]:
        assert not parse_terms(raw)


def test_long_queries_are_shortened_and_say_so():
    many = parse_terms(" ".join(f"word{n}" for n in range(40)))
    assert len(many.terms) == MAX_TERMS and many.shortened
    assert parse_terms("x" * 5000).terms == ("x" * 60,)
    assert not parse_terms("two words").shortened
    assert parse_terms("same Same SAME").terms == ("same",)

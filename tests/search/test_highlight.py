from gazette.search.highlight import highlight, snippet


def test_escape_first_then_mark():
    marked = highlight('<b>Soldiers</b> & "soldier" <script>', ["soldier"])
    assert marked == (
        "&lt;b&gt;<mark>Soldiers</mark>&lt;/b&gt; &amp; &quot;<mark>soldier</mark>&quot; "
        "&lt;script&gt;"
    )


def test_a_term_that_looks_like_markup_is_escaped_too():
    assert highlight("a < b and mark", ["mark", "b"]) == (
        "a &lt; <mark>b</mark> and <mark>mark</mark>"
    )


def test_snippet_centres_on_the_first_match():
    text = " ".join(f"w{n}" for n in range(100)) + " needle " + " ".join("tail" for _ in range(5))
    result = snippet(text, ["needle"], words=20)
    assert result.startswith("… ") and "<mark>needle</mark>" in result
    assert len(result.split()) <= 22
    assert snippet("short text", ["absent"]) == "short text"

"""`make chaos` (bench/chaos.py): what counts as a pass for one fault, and the table it writes
into docs/operations.md between its markers, replacing the last run's. The run itself starts
a stack and kills its pieces: the fault tests (tests/stack/test_faults.py) do that in the suite."""

from __future__ import annotations

import pytest

from bench import chaos


def outcome(**changes) -> chaos.Outcome:
    values = {
        "fault": "app-a",
        "reads": 400,
        "reads_5xx": 0,
        "reads_refused": 0,
        "reads_unanswered": 3,
        "views_acknowledged": 120,
        "views_stored": 120,
        "comments_acknowledged": 8,
        "comments_stored": 8,
        "whole_after": 6.5,
    }
    return chaos.Outcome(**(values | changes))


@pytest.mark.parametrize(
    "changes, passes",
    [
        ({}, True),
        ({"reads_5xx": 1}, False),
        ({"reads_refused": 600}, True),  # nginx killed: reported apart, no server error
        ({"reads_unanswered": 40}, True),  # reset or timed out: reported, no server error
        ({"views_stored": 119}, False),  # an acknowledged view lost
        ({"views_stored": 121}, True),  # a beacon answered 502 may still have counted
        ({"comments_stored": 7}, False),
        ({"comments_stored": 9}, True),  # taken by the app, its answer lost with nginx
        ({"whole_after": 15.5}, False),
        ({"whole_after": None}, False),  # not whole within the run's patience
    ],
)
def test_a_fault_passes_only_with_nothing_lost_no_5xx_read_and_whole_within_15_s(changes, passes):
    assert outcome(**changes).ok is passes


def test_a_refused_connection_is_told_apart_from_a_lost_answer():
    import requests

    from bench import soak

    try:
        requests.get("http://127.0.0.1:1/", timeout=2)  # port 1: nothing listens on loopback
    except requests.RequestException as exc:
        assert soak.no_answer(exc) == "refused"
    assert soak.no_answer(requests.ReadTimeout("read timed out")) == "no answer"
    assert soak.no_answer(requests.ConnectionError("Connection reset by peer")) == "no answer"


def test_the_table_replaces_the_last_run_between_the_markers(tmp_path, monkeypatch):
    docs = tmp_path / "operations.md"
    docs.write_text(f"# Ops\n\nBefore.\n\n{chaos.START}\nold run\n{chaos.END}\n\nAfter.\n")
    monkeypatch.setattr(chaos, "DOCS", docs)
    text = chaos.table([outcome(), outcome(fault="redis", whole_after=None)], "make chaos")
    chaos.write_table(text)
    written = docs.read_text()
    assert "old run" not in written
    assert written.startswith("# Ops\n\nBefore.\n") and written.endswith("\n\nAfter.\n")
    assert written.count(chaos.START) == written.count(chaos.END) == 1
    assert "| app-a | 400 | 0 | 0 | 3 | 120 / 120 | 8 / 8 | 6.5 s |" in written
    assert "| redis | 400 | 0 | 0 | 3 | 120 / 120 | 8 / 8 | not within 120 s |" in written
    assert "| reads refused (nothing listening) |" in written
    assert "`make chaos` on " in written
    chaos.write_table(text)  # again: still one table
    assert docs.read_text().count("| app-a |") == 1

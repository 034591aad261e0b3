"""Counts written for humans: 987, 1,204, 12.3K, 1.2M."""

import pytest
from django.template import Context, Template

from gazette.core.templatetags.human_counts import human_count


@pytest.mark.parametrize(
    ("number", "shown"),
    [
        (0, "0"),
        (1, "1"),
        (987, "987"),
        (1_204, "1,204"),
        (9_999, "9,999"),
        (10_000, "10K"),
        (12_345, "12.3K"),
        (12_399, "12.3K"),  # rounded down: never more than it is
        (99_999, "99.9K"),
        (123_456, "123K"),
        (999_999, "999K"),
        (1_000_000, "1M"),
        (1_234_567, "1.2M"),
        (12_345_678, "12.3M"),
        (2_500_000_000, "2.5B"),
        ("1204", "1,204"),
    ],
)
def test_human_count(number, shown):
    assert human_count(number) == shown


@pytest.mark.parametrize("value", [None, "", "many", -3, 1.5e400])
def test_what_is_not_a_count_shows_nothing(value):
    assert human_count(value) == ""


def test_template_filter():
    template = Template("{% load human_counts %}{{ views|human_count }}")
    assert template.render(Context({"views": 12_345})) == "12.3K"

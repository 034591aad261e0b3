"""A bar chart of views per hour, laid out on the server and drawn as inline SVG by a template:
no chart library, no script, nothing fetched from elsewhere."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from gazette.core.templatetags.human_counts import human_count
from gazette.core.wording import count_of

WIDTH, HEIGHT = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 8, 12, 28
LABEL_EVERY = 3  # hours between labels on the time axis


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    hour: datetime
    views: int

    @property
    def label(self) -> str:
        end = self.hour + timedelta(hours=1)
        return f"{self.hour:%H:%M}–{end:%H:%M}: {count_of(self.views, 'view', 'views')}"


@dataclass(frozen=True)
class Tick:
    position: float
    text: str


@dataclass(frozen=True)
class HourlyChart:
    bars: list[Bar]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    total: int
    busiest: Bar | None
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT
    baseline: int = HEIGHT - BOTTOM

    @property
    def summary(self) -> str:
        if not self.bars:
            return "No hours to show."
        first, last = self.bars[0].hour, self.bars[-1].hour + timedelta(hours=1)
        span = f"from {_moment(first)} to {_moment(last)} ({first:%Z})"
        if not self.total:
            return f"No views {span}."
        busiest = self.busiest
        return (
            f"{count_of(self.total, 'view', 'views')} {span}; the busiest hour began at "
            f"{busiest.hour:%H:%M} with {busiest.views:,}."
        )


def _moment(moment: datetime) -> str:
    return f"{moment:%b} {moment.day}, {moment:%H:%M}"


def nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50... that is at least ``value`` (at least 1)."""
    step = 1
    while True:
        for multiple in (1, 2, 5):
            if step * multiple >= value:
                return step * multiple
        step *= 10


def hourly_chart(series: list[tuple[datetime, int]]) -> HourlyChart:
    """Lay out bars for (hour start, views) pairs, oldest first, hours shown in the site's zone."""
    top = nice_ceiling(max((views for _, views in series), default=0))
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    band = plot_width / max(len(series), 1)
    bars = []
    x_ticks = []
    for index, (hour, views) in enumerate(series):
        local = timezone.localtime(hour)
        height = plot_height * views / top
        x = LEFT + index * band
        bars.append(
            Bar(
                x=round(x + band * 0.15, 2),
                y=round(TOP + plot_height - height, 2),
                width=round(band * 0.7, 2),
                height=round(height, 2),
                hour=local,
                views=views,
            )
        )
        if local.hour % LABEL_EVERY == 0:
            x_ticks.append(Tick(position=round(x + band / 2, 2), text=f"{local:%H:%M}"))
    y_ticks = [
        Tick(position=round(TOP + plot_height * (1 - fraction), 2), text=human_count(value))
        for fraction, value in ((0, 0), (0.5, top / 2), (1, top))
        if value == int(value)
    ]
    busiest = max(bars, key=lambda bar: (bar.views, bar.hour), default=None)
    return HourlyChart(
        bars=bars,
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        total=sum(views for _, views in series),
        busiest=busiest,
    )

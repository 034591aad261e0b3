"""A progress bar for management commands whose service reports ``on_progress(done, total)``."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from tqdm import tqdm


@contextmanager
def progress_bar(
    command, *, desc: str, unit: str = "article", disable: bool = False
) -> Iterator[Callable[[int, int], None]]:
    """Yield an ``on_progress(done, total)`` callback drawing a bar on the command's stderr.

    The bar appears on the first report, when the total is known, redraws on every report (a
    report is a batch of hundreds, not a blur), and is closed however the work ends."""
    bar = None

    def on_progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(
                total=total,
                unit=unit,
                desc=desc,
                file=getattr(command.stderr, "_out", command.stderr),  # the stream itself
                disable=disable,
                mininterval=0,
            )
        bar.update(done - bar.n)

    try:
        yield on_progress
    finally:
        if bar is not None:
            bar.close()

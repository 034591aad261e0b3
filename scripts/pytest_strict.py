"""Run pytest and fail when it collected no test: exit 5 must never pass silently."""

import sys

import pytest

if __name__ == "__main__":
    status = pytest.main(sys.argv[1:])
    if status == pytest.ExitCode.NO_TESTS_COLLECTED:
        print("pytest collected no tests: failing on purpose.", file=sys.stderr)
        sys.exit(1)
    sys.exit(int(status))

from django.apps import AppConfig


class SyntheticConfig(AppConfig):
    """Deterministic synthetic newsroom data for benchmarks and load tests."""

    name = "gazette.synthetic"
    label = "synthetic"

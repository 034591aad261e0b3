from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo site and the synthetic newsroom: content for `make run`, `make stack` and the
    benchmarks. The top layer: it may import any Gazette app and none imports it. Production
    settings leave it out (gazette.settings.stack adds it for the stack's demo commands)."""

    name = "gazette.demo"
    label = "demo"

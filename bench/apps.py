from django.apps import AppConfig


class BenchConfig(AppConfig):
    """Benchmark tooling: ``manage.py generate_synthetic_data``. Not installed in production."""

    name = "bench"
    verbose_name = "Benchmark tooling"

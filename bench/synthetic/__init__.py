"""Synthetic data for benchmarking: ``manage.py generate_synthetic_data``.

``vocabulary`` holds the words, ``names`` invents products, substances and companies,
``build`` makes a product in memory (``specs``, with ``text``) from a seed and a number, and
``write`` stores products in the database in batches.
"""

from .write import BATCH_SIZE, REASON, Summary, SyntheticDataError, generate

__all__ = ["BATCH_SIZE", "REASON", "Summary", "SyntheticDataError", "generate"]

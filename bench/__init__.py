"""A reproducible benchmark of the public pages (see docs/performance.md)."""

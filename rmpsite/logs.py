"""Logging filters of the site's settings (no model imports: logging is set up first)."""

import logging


class WithoutRefusals(logging.Filter):
    """Leaves out Django's warning for each request refused with 429 (the render rate limit,
    ``rmpsite.page_cache``): under abuse that is thousands of lines a minute, each one written
    by the worker the visitors wait for, and the access log has every refusal already."""

    def filter(self, record):
        return getattr(record, "status_code", None) != 429

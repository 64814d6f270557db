"""The words synthetic products are made of, read from ``vocabulary.yaml`` beside this file.

Each top-level key of the YAML file becomes a module constant of the same name (``RISKS``,
``SECTION_SENTENCES``, …). Lists become tuples, so the constants are immutable and hashable
as the generator expects; ``SECTION_SENTENCES`` is keyed by ``(document, section)``.
"""

from pathlib import Path

import yaml

_PAIR_KEYED = {"SECTION_SENTENCES"}


def _frozen(value):
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, dict):
        return {key: _frozen(item) for key, item in value.items()}
    return value


def _load():
    data = yaml.safe_load((Path(__file__).with_name("vocabulary.yaml")).read_text("utf-8"))
    words = {name: _frozen(value) for name, value in data.items()}
    for name in _PAIR_KEYED:
        words[name] = {tuple(key.split(" ", 1)): value for key, value in words[name].items()}
    return words


globals().update(_load())

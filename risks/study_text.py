"""The index under the studies list's text filter: a study matches when its code, short name,
title or purpose contains the text typed (any case).

PostgreSQL: pg_trgm's GIN index on ``UPPER(field)`` of each of the four (migration 0021), under
the filter's ``UPPER(field) LIKE UPPER('%text%')``. SQLite: an FTS5 table with the trigram
tokenizer over the four columns of ``risks_study`` (external content: the index only, kept in
step by triggers in each write's transaction), asked with the text as one phrase, which the
trigram tokenizer matches as a substring of any of the columns; text of fewer than three
characters has no trigram and is matched with LIKE. Without an index a word found nowhere read
every study (every version of every plan): 200 ms on SQLite at 15,000 products.
"""

from django.db import connections, models

from .published import TRIGRAM, fts_phrase

STUDY_TEXT_INDEX = "risks_study_text"
FIELDS = ("code", "short_name", "title", "purpose")


def install(using="default"):
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    fts, columns = f'"{STUDY_TEXT_INDEX}"', ", ".join(FIELDS)
    new = ", ".join(f"new.{field}" for field in FIELDS)
    old = ", ".join(f"old.{field}" for field in FIELDS)
    delete_old = f"INSERT INTO {fts}({fts}, rowid, {columns}) VALUES ('delete', old.id, {old});"
    insert_new = f"INSERT INTO {fts}(rowid, {columns}) VALUES (new.id, {new});"
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5({columns}, "
            "content='risks_study', content_rowid='id', tokenize='trigram')"
        )
        for event, on, body in (
            ("insert", "INSERT", insert_new),
            ("delete", "DELETE", delete_old),
            ("update", f"UPDATE OF {columns}", delete_old + " " + insert_new),
        ):
            cursor.execute(
                f'CREATE TRIGGER IF NOT EXISTS "{STUDY_TEXT_INDEX}_{event}" '
                f'AFTER {on} ON "risks_study" BEGIN {body} END'
            )
        cursor.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")


def uninstall(using="default"):
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for event in ("insert", "delete", "update"):
            cursor.execute(f'DROP TRIGGER IF EXISTS "{STUDY_TEXT_INDEX}_{event}"')
        cursor.execute(f'DROP TABLE IF EXISTS "{STUDY_TEXT_INDEX}"')


def containing(text, using="default"):
    """A filter (``Q``) of the studies whose code, short name, title or purpose contains
    ``text``, in any case."""
    if connections[using].vendor == "sqlite" and len(text) >= TRIGRAM:
        return models.Q(
            pk__in=models.expressions.RawSQL(
                f'SELECT rowid FROM "{STUDY_TEXT_INDEX}" WHERE "{STUDY_TEXT_INDEX}" MATCH %s',
                [fts_phrase(text)],
            )
        )
    matches = models.Q()
    for field in FIELDS:
        matches |= models.Q(**{f"{field}__icontains": text})
    return matches

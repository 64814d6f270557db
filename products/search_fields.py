"""The site search's stored vectors, declared on the models they index.

A searched model declares what it is searched on with a ``SearchVectorGeneratedField`` (which
columns, with which weight) and indexes it with a ``SearchVectorIndex`` in ``Meta.indexes``::

    search_vector = SearchVectorGeneratedField(weights={"A": ["name"], "B": ["indication"]})

    class Meta:
        indexes = [SearchVectorIndex(fields=["search_vector"], name="product_vector_idx")]

Its app's migrations then add and index the column like any other field. On PostgreSQL that
is a ``tsvector`` generated from the row and stored; on SQLite, which has no full-text search
of this kind (it searches FTS5 tables made from the same weights: risks/search_index.py), a
column that is always NULL, unindexed.
"""

import functools
import operator

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models

CONFIG = "english"


def weighted_vector(weights, config=CONFIG):
    """``SearchVector("name", weight="A") + SearchVector("indication", weight="B")`` from
    ``{"A": ["name"], "B": ["indication"]}``: each weight's fields, joined by a space."""
    return functools.reduce(
        operator.add,
        [SearchVector(*fields, config=config, weight=weight) for weight, fields in weights.items()],
    )


class SearchVectorGeneratedField(models.GeneratedField):
    """The weighted full-text search vector of the row, kept in the row by the database.

    On PostgreSQL: a column ``tsvector GENERATED ALWAYS AS (setweight(to_tsvector('english',
    COALESCE("name", '')), 'A') || …) STORED``. PostgreSQL computes it when the row is written,
    so a search neither recomputes vectors from long texts nor needs an expression index that
    repeats the vector's SQL exactly; ``SearchVectorIndex`` indexes it.

    On SQLite: ``GENERATED ALWAYS AS (NULL) STORED``, the same column, always NULL (SQLite has
    no ``to_tsvector``; risks/search_index.py indexes the same fields with FTS5 there). A
    column on every database, rather than one on PostgreSQL only, keeps the model and its
    migrations the same everywhere: Django selects the field with the row (and returns it from
    INSERT … RETURNING) as it does any concrete field, so a column missing on SQLite would
    break every query of the model. A NULL costs SQLite a byte of the row's header; the index
    is left out (``SearchVectorIndex``).

    It is an ordinary ``GeneratedField`` otherwise, with what that implies:

    - Django never writes it, and reads it with the rest of the row: ``defer("search_vector")``
      where a page loads many rows without searching them (a section's vector is about as
      long as its text). After ``save()`` the instance keeps the value read before, until
      ``refresh_from_db()``.
    - Changing ``weights`` or ``config`` is not an ``AlterField``: Django refuses to alter a
      generated column. Remove the field and add it again (the migration recomputes every
      row). Likewise PostgreSQL refuses to change the type of a column the vector reads, and
      dropping such a column drops the vector: replace the vector in the same migration.
    - The audit history does not copy it (audit.context.AuditedHistory leaves out generated
      fields): it is derived from the columns the history keeps.

    ``weights``: ``{"A": ["name"], "B": ["evidence", "risk_factors"]}``, the text fields of
    each weight ("A" to "D"), joined by spaces; the vector concatenates the weights in that
    order.
    """

    def __init__(self, *, weights, config=CONFIG, **kwargs):
        self.weights = {weight: tuple(fields) for weight, fields in sorted(weights.items())}
        self.config = config
        super().__init__(
            expression=weighted_vector(self.weights, config),
            output_field=SearchVectorField(),
            db_persist=True,
            **kwargs,
        )

    def generated_sql(self, connection):
        if connection.vendor == "postgresql":
            return super().generated_sql(connection)
        return "NULL", ()

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        for derived in ("expression", "output_field", "db_persist"):
            del kwargs[derived]
        kwargs["weights"] = {weight: list(fields) for weight, fields in self.weights.items()}
        kwargs["config"] = self.config
        return name, path, args, kwargs

    @property
    def searched_fields(self):
        """The names of the fields searched, in weight order."""
        return [field for fields in self.weights.values() for field in fields]


class SearchVectorIndex(GinIndex):
    """A GIN index on a ``SearchVectorGeneratedField``, on PostgreSQL; none elsewhere.

    On other databases the column is always NULL, so creating, dropping or renaming the index
    executes only an SQL comment saying so.
    """

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return self._nothing()
        return super().create_sql(model, schema_editor, using=using, **kwargs)

    def remove_sql(self, model, schema_editor, **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return self._nothing()
        return super().remove_sql(model, schema_editor, **kwargs)

    def _nothing(self):
        return f"-- no index {self.name}: search vectors are indexed on PostgreSQL only"

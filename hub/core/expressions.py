"""Query expressions the ORM does not offer."""

from django.db.models import IntegerField, Subquery


class CountOf(Subquery):
    """How many rows a queryset has, as a scalar subquery: ``(SELECT COUNT(*) FROM (...))``.

    Used to bring a count back with another query's rows instead of in a round trip of its
    own. The queryset may be sliced (``late[:1001]``) to stop counting early. A subquery
    that names nothing of the outer query is worked out once, not once a row, on both
    PostgreSQL and SQLite."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS counted)"
    output_field = IntegerField()

"""Sorting Polish names as Polish readers expect (Ł after L, not after Z)."""

from django.db import connection
from django.db.models import F
from django.db.models.functions import Collate

POSTGRES_POLISH = "pl-x-icu"  # an ICU collation every PostgreSQL built with ICU ships


def polish(field: str):
    """An expression of `field` that sorts in Polish order on PostgreSQL (SQLite: as stored)."""
    if connection.vendor == "postgresql":
        return Collate(F(field), POSTGRES_POLISH)
    return F(field)

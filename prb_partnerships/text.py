"""Comparing Polish text loosely."""

import unicodedata


def fold(text) -> str:
    """`text` without diacritics: "Łódź, Gąsienica" → "Lodz, Gasienica". Unicode does not
    decompose ł and Ł, so they are replaced first; case and punctuation are kept."""
    text = unicodedata.normalize("NFKD", str(text).replace("ł", "l").replace("Ł", "L"))
    return "".join(c for c in text if not unicodedata.combining(c))

"""Names as people type them: accent-blind matching and how far apart two spellings are."""

from __future__ import annotations

from functools import lru_cache

from server.transfers.text import fold as fold_text


@lru_cache(maxsize=16384)  # a province's course list sorts 2,500 courses by 150 commune names and their titles
def fold(text: str | None) -> str:
    """Return text without accents, case or extra spaces: "  Giàng  THỊ Mỷ" → "giang thi my"."""
    return fold_text(text or "")


def matches(query: str | None, text: str | None) -> bool:
    """Tell whether every word of the query is in the text, accents and case aside."""
    return all(word in fold(text) for word in fold(query).split())


def within_distance(a: str, b: str, limit: int) -> int | None:
    """Return the edit distance of a and b if it is at most `limit`, else None.

    Only the diagonal band of width 2·limit+1 is computed: names are short, and most
    pairs compared are far apart, so this stops early.
    """
    if abs(len(a) - len(b)) > limit:
        return None
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        low, high = max(1, i - limit), min(len(b), i + limit)
        current = [limit + 1] * (len(b) + 1)
        current[0] = i if i <= limit else limit + 1
        for j in range(low, high + 1):
            cost = 0 if char_a == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        if min(current[low - 1:high + 1]) > limit:
            return None
        previous = current
    return previous[len(b)] if previous[len(b)] <= limit else None

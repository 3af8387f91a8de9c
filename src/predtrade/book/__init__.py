"""L2 order books: a bounded tick array per outcome token, its complement view, and the store
that routes normalized market events to books.

``OrderBook`` (one token), ``ComplementBook`` (the other outcome implied by a book, no copy),
``BookStore`` (books by asset id, plus top-of-book-only records), and the frozen records
``TopOfBook``, ``VwapResult`` and ``Bbo``.
"""

from .l2 import NO_SNAPSHOT, ComplementBook, OrderBook, check_tick
from .store import BookStore
from .types import Bbo, Level, TopOfBook, VwapResult

__all__ = [
    "NO_SNAPSHOT",
    "Bbo",
    "BookStore",
    "ComplementBook",
    "Level",
    "OrderBook",
    "TopOfBook",
    "VwapResult",
    "check_tick",
]

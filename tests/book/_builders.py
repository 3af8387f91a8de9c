"""Builders shared by the book tests: prices are written as decimal strings and converted with
the model's unit parsers, so expected values are stated in the venue's own terms."""

from __future__ import annotations

from predtrade.model import BookDeltas, BookSnapshot, Side, parse_price, parse_size


def px(text: str) -> int:
    return parse_price(text)


def sz(text: str) -> int:
    return parse_size(text)


def lv(price: str, size: str) -> tuple[int, int]:
    return (px(price), sz(size))


def snap(
    bids: list[tuple[str, str]],
    asks: list[tuple[str, str]],
    *,
    asset: str = "yes",
    tick: int | None = None,
    ts: int = 1,
) -> BookSnapshot:
    return BookSnapshot(
        asset_id=asset,
        market="m",
        bids=tuple(lv(p, s) for p, s in bids),
        asks=tuple(lv(p, s) for p, s in asks),
        ts_venue=ts,
        ts_local=ts + 1,
        tick=tick,
    )


def deltas(
    changes: list[tuple[Side, str, str]],
    *,
    asset: str = "yes",
    best_bid: int | None = None,
    best_ask: int | None = None,
    seq: int | None = None,
    ts: int = 2,
) -> BookDeltas:
    return BookDeltas(
        asset_id=asset,
        market="m",
        changes=tuple((side, px(p), sz(s)) for side, p, s in changes),
        ts_venue=ts,
        ts_local=ts + 1,
        best_bid=best_bid,
        best_ask=best_ask,
        seq=seq,
    )

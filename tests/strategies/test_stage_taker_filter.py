import pytest

from predtrade.model.units import ONE
from predtrade.strategies.stages import taker_filter

from ._helpers import prices, prop, q, sizes


@pytest.mark.parametrize(
    ("best_bid", "best_ask", "mode", "bids", "asks"),
    [
        pytest.param(4700, 5300, "move", [4800, 4700], [5200, 5300], id="inside-untouched"),
        pytest.param(4700, 4800, "move", [4700], [5200, 5300], id="bid-at-ask-moved-and-merged"),
        pytest.param(4700, 4800, "drop", [4700], [5200, 5300], id="bid-at-ask-dropped"),
        pytest.param(5200, 5500, "move", [4800, 4700], [5300], id="ask-at-bid-moved-and-merged"),
        pytest.param(5300, 5500, "move", [4800, 4700], [5400], id="both-asks-moved"),
        pytest.param(5300, 5500, "drop", [4800, 4700], [], id="both-asks-dropped"),
        pytest.param(0, ONE, "move", [4800, 4700], [5200, 5300], id="empty-book"),
        pytest.param(4700, 4750, "move", [4700], [5200, 5300], id="off-grid-ask"),
        pytest.param(0, 100, "move", [], [5200, 5300], id="no-room-below-the-ask"),
    ],
)
def test_taker_filter(best_bid, best_ask, mode, bids, asks):
    p = prop([q("0.48"), q("0.47")], [q("0.52"), q("0.53")])
    out = taker_filter(p, best_bid=best_bid, best_ask=best_ask, tick=100, mode=mode)
    assert prices(out.bids) == bids
    assert prices(out.asks) == asks
    assert all(b < best_ask for b in prices(out.bids))
    assert all(a > best_bid for a in prices(out.asks))


def test_merge_keeps_total_size_and_separates_expressions():
    p = prop([q("0.50", "10", sell=True), q("0.50", "7"), q("0.49", "5", sell=True)], [])
    out = taker_filter(p, best_bid=4000, best_ask=4900, tick=100)
    assert [(x.price, x.sell) for x in out.bids] == [(4800, True), (4800, False)]
    assert sum(sizes(out.bids)) == sum(sizes(p.bids))


def test_unknown_mode_refused():
    with pytest.raises(ValueError, match="mode"):
        taker_filter(prop(), best_bid=0, best_ask=ONE, tick=100, mode="take")  # type: ignore[arg-type]

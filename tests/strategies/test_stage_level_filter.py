import pytest

from predtrade.strategies.stages import level_filter

from ._helpers import prices, prop, q


@pytest.mark.parametrize(
    ("bids", "asks", "kw", "want_bids", "want_asks"),
    [
        pytest.param(
            ["0.48", "0.47"], ["0.52", "0.53"], {}, [4800, 4700], [5200, 5300], id="inside-band-unchanged"
        ),
        pytest.param(
            ["0.03", "0.02", "0.01"], ["0.97", "0.98", "0.99"], {}, [300, 200], [9700, 9800], id="band-edges"
        ),
        pytest.param(
            ["0.48", "0.47", "0.46"],
            ["0.52", "0.53", "0.54"],
            {"max_levels": 2},
            [4800, 4700],
            [5200, 5300],
            id="max-levels",
        ),
        pytest.param(["0.48", "0.48", "0.49", "0.47"], [], {}, [4800, 4700], [], id="non-monotonic-dropped"),
    ],
)
def test_level_filter(bids, asks, kw, want_bids, want_asks):
    p = prop([q(x) for x in bids], [q(x) for x in asks])
    out = level_filter(p, min_price=200, max_price=9800, **kw)
    assert prices(out.bids) == want_bids
    assert prices(out.asks) == want_asks


def test_zero_size_rungs_dropped_and_noted():
    p = prop([q("0.48", 0), q("0.47")], [])
    out = level_filter(p, min_price=100, max_price=9900)
    assert prices(out.bids) == [4700]
    assert out.notes == ("band-1",)


def test_unchanged_proposal_is_returned_as_is():
    p = prop([q("0.48")], [q("0.52")])
    assert level_filter(p, min_price=100, max_price=9900) is p

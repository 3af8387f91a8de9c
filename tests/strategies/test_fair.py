import math

import pytest

from predtrade.model.units import ONE
from predtrade.pricing.fair_value import prob_up
from predtrade.strategies.fair import (
    book_mid,
    combined_bbo,
    effective_sigma,
    fair_value,
    model_fair_value,
)
from predtrade.testkit.snapshots import STRIKE, book, make_snapshot, mirror, ref, updown_market


@pytest.mark.parametrize(
    ("yes", "no", "bbo"),
    [
        pytest.param(book(), None, (4800, 5200), id="mirrored-books-agree"),
        # a NO bid at 0.50 is a YES ask at 0.50: better than the YES book's 0.52
        pytest.param(
            book(), book(bids=[("0.50", "5")], asks=[("0.60", "5")]), (4800, 5000), id="no-bid-improves"
        ),
        # a NO ask at 0.49 is a YES bid at 0.51
        pytest.param(
            book(), book(bids=[("0.30", "5")], asks=[("0.49", "5")]), (5100, 5200), id="no-ask-improves"
        ),
        pytest.param(book(bids=[], asks=[]), book(bids=[], asks=[]), (0, ONE), id="empty"),
    ],
)
def test_combined_bbo(yes, no, bbo):
    s = make_snapshot(yes_book=yes, no_book=no or mirror(yes))
    assert combined_bbo(s) == bbo


def test_net_books_are_what_counts():
    venue = book(bids=[("0.50", "10")], asks=[("0.51", "10")])  # our own quotes at the touch
    net = book(bids=[("0.45", "10")], asks=[("0.55", "10")])
    s = make_snapshot(yes_book=venue, net_books=(net, mirror(net)))
    assert combined_bbo(s) == (4500, 5500)
    assert combined_bbo(s, net=False) == (5000, 5100)
    assert book_mid(s) == 0.5


def test_mid_none_when_one_sided_or_crossed():
    assert book_mid(make_snapshot(yes_book=book(asks=[]), no_book=book(bids=[], asks=[]))) is None
    crossed = book(bids=[("0.55", "1")], asks=[("0.50", "1")])
    assert book_mid(make_snapshot(yes_book=crossed)) is None


def test_model_fair_value_matches_the_formula():
    s = make_snapshot(ref_price=ref("100050"), seconds_left=120, sigma=1e-4)
    want = prob_up(100050.0, 100000.0, 1e-4, 120.0)
    assert model_fair_value(s, 8e-5) == pytest.approx(want, rel=1e-12)
    assert 0.5 < want < 1.0


def test_round_open_falls_back_to_market_strike():
    s = make_snapshot(round_open=None, ref_price=ref("99900"))
    assert model_fair_value(s, 8e-5) < 0.5


@pytest.mark.parametrize(
    ("sigma", "mult", "want"),
    [
        pytest.param(2e-4, 1.5, 2e-4, id="snapshot-sigma-used-as-is"),
        pytest.param(None, 1.5, 1.2e-4, id="default-scaled"),
        pytest.param(0.0, 2.0, 1.6e-4, id="zero-sigma-falls-back"),
        pytest.param(math.nan, 1.0, 8e-5, id="nan-sigma-falls-back"),
        pytest.param(None, math.nan, 8e-5, id="bad-multiplier-ignored"),
    ],
)
def test_effective_sigma(sigma, mult, want):
    assert effective_sigma(make_snapshot(sigma=sigma, sigma_multiplier=mult), 8e-5) == pytest.approx(want)


@pytest.mark.parametrize(
    ("kw", "source", "fallback", "fv", "src"),
    [
        pytest.param({}, "model", True, 0.5, "model", id="model"),
        pytest.param({"ref_price": None}, "model", True, 0.5, "mid", id="no-ref-mid"),
        pytest.param(
            {"ref_price": None}, "model", False, None, "no reference/round", id="no-ref-no-fallback"
        ),
        pytest.param(
            {"round_open": None, "market": updown_market(strike=None)},
            "model",
            True,
            0.5,
            "mid",
            id="no-strike-mid",
        ),
        pytest.param({"market": updown_market(end_ts=None)}, "model", True, 0.5, "mid", id="no-end-mid"),
        pytest.param({"ref_price": ref("101000")}, "mid", True, 0.5, "mid", id="mid-source-ignores-ref"),
    ],
)
def test_fair_value_sources(kw, source, fallback, fv, src):
    s = make_snapshot(**kw)
    got, where = fair_value(s, source=source, fallback_to_mid=fallback, default_sigma=8e-5)
    assert where == src
    assert got == (pytest.approx(fv) if fv is not None else None)


def test_expired_round_is_decided():
    assert model_fair_value(make_snapshot(seconds_left=-1, ref_price=STRIKE + 1), 8e-5) == 1.0
    assert model_fair_value(make_snapshot(seconds_left=-1, ref_price=STRIKE - 1), 8e-5) == 0.0

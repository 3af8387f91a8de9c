"""The packaged volatility profile: shape, normalization, time indexing, interval averages,
validation; and the estimator on synthetic windows with hand-computed multipliers."""

import json
import math
import random
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from predtrade.errors import DataError
from predtrade.pricing.vol_profile import DAY_NS, HOUR_NS, WEEK_NS, VolProfile, hour_of, weekday_of
from predtrade.pricing.vol_profile_estimate import estimate_profile

MONDAY = 1_773_619_200 * 1_000_000_000  # 2026-03-16 00:00 UTC


@pytest.fixture(scope="module")
def profile() -> VolProfile:
    return VolProfile.load()


def test_packaged_profile_shape_and_provenance(profile: VolProfile) -> None:
    meta = profile.meta
    assert meta["version"] == 1
    assert len(profile.hour_multiplier) == 24 and len(meta["hour_count"]) == 24
    assert len(profile.weekday_multiplier) == 7 and len(meta["weekday_count"]) == 7
    assert sum(meta["hour_count"]) == meta["rows"] == sum(meta["weekday_count"])
    assert meta["rows"] == 20_928  # every row of the source file (README section 2)
    assert meta["interval_s"] == 300
    # base sigma is the overall RMS 5-minute return spread per second
    assert profile.base_sigma == pytest.approx(meta["rms_return"] / math.sqrt(300), rel=1e-5)
    assert 1e-5 < profile.base_sigma < 1e-3  # BTC: roughly 20%..500% a year


@pytest.mark.parametrize(
    ("mults", "counts"), [("hour_multiplier", "hour_count"), ("weekday_multiplier", "weekday_count")]
)
def test_multipliers_are_variance_normalized(profile: VolProfile, mults: str, counts: str) -> None:
    """m_b = sqrt(MS_b / MS) and sum_b n_b MS_b = N MS, so sum_b n_b m_b^2 / N == 1 exactly; the
    only error is the stored rounding |delta| <= 0.5 * 10^-decimals per multiplier, which moves
    m^2 by at most 2 m |delta| + delta^2."""
    m = getattr(profile, mults)
    n = profile.meta[counts]
    total = sum(n)
    delta = 0.5 * 10.0 ** -profile.meta["multiplier_decimals"]
    tol = 2.0 * max(m) * delta + delta * delta + 1e-15
    mean_sq = math.fsum(c * x * x for c, x in zip(n, m, strict=True)) / total
    assert mean_sq == pytest.approx(1.0, abs=tol)
    # and so (Jensen) the count-weighted mean multiplier is at most 1
    assert math.fsum(c * x for c, x in zip(n, m, strict=True)) / total <= 1.0 + tol


def test_us_open_is_busier_than_asian_midday(profile: VolProfile) -> None:
    """Not a number check: the direction seed 000 reports (and any BTC data shows)."""
    h = profile.hour_multiplier
    assert min(h[14], h[15]) > 1.2 > 0.9 > max(h[10], h[11], h[12])
    assert profile.weekday_multiplier[5] < min(profile.weekday_multiplier[:5])  # Saturday quietest


@given(ts=st.integers(-(10**18), 4 * 10**18))
def test_hour_and_weekday_match_datetime(ts: int) -> None:
    d = datetime.fromtimestamp(ts // 1_000_000_000, UTC)
    assert hour_of(ts) == d.hour
    assert weekday_of(ts) == d.weekday()


def test_multiplier_by_mode(profile: VolProfile) -> None:
    t = MONDAY + 15 * HOUR_NS + 30 * 60 * 1_000_000_000  # Monday 15:30
    sat = t + 5 * DAY_NS
    assert profile.multiplier(t) == profile.hour_multiplier[15]
    assert profile.multiplier(sat) == profile.hour_multiplier[15]  # hour mode ignores weekday
    both = VolProfile.load(mode="hour_weekday")
    assert both.multiplier(t) == pytest.approx(profile.hour_multiplier[15] * profile.weekday_multiplier[0])
    assert both.multiplier(sat) == pytest.approx(profile.hour_multiplier[15] * profile.weekday_multiplier[5])
    flat = VolProfile.load(mode="flat")
    assert {flat.multiplier(MONDAY + k * HOUR_NS) for k in range(168)} == {1.0}


def test_clamp_bounds_every_multiplier() -> None:
    hours = tuple([0.1, 5.0] + [1.0] * 22)
    p = VolProfile(hours, (3.0,) * 7, 8e-5, mode="hour_weekday", clamp=(0.5, 2.0))
    assert p.multiplier(MONDAY) == 0.5  # 0.1 * 3.0 = 0.3 -> 0.5
    assert p.multiplier(MONDAY + HOUR_NS) == 2.0  # 15 -> 2
    assert p.multiplier(MONDAY + 2 * HOUR_NS) == 2.0  # 3 -> 2
    tight = VolProfile(hours, (1.0,) * 7, 8e-5, clamp=(0.9, 1.1))
    assert set(tight.table) == {0.9, 1.1, 1.0}


def test_variance_multiplier_over_intervals(profile: VolProfile) -> None:
    m = profile.multiplier
    t15 = MONDAY + 15 * HOUR_NS
    assert profile.variance_multiplier(t15, t15) == m(t15) ** 2
    five_min = 300 * 1_000_000_000
    assert profile.variance_multiplier(t15, t15 + five_min) == pytest.approx(m(t15) ** 2, rel=1e-12)
    # 14:55 -> 15:05: half in hour 14, half in hour 15
    a = t15 - five_min
    expected = (m(a) ** 2 + m(t15) ** 2) / 2
    assert profile.variance_multiplier(a, t15 + five_min) == pytest.approx(expected, rel=1e-12)
    assert profile.sigma_multiplier(a, t15 + five_min) == pytest.approx(math.sqrt(expected), rel=1e-12)
    assert profile.sigma_over(a, t15 + five_min) == pytest.approx(profile.base_sigma * math.sqrt(expected))
    # a whole week (from any phase) averages the table
    week_mean = math.fsum(x * x for x in profile.table) / 168
    for start in (MONDAY, MONDAY + 7 * HOUR_NS + 123_456_789):
        assert profile.variance_multiplier(start, start + WEEK_NS) == pytest.approx(week_mean, rel=1e-12)


@given(start=st.integers(0, 4 * 10**18), length=st.integers(1, 30 * DAY_NS))
def test_variance_multiplier_is_a_mean_of_the_table(start: int, length: int) -> None:
    p = VolProfile.load(mode="hour_weekday")
    sq = [x * x for x in p.table]
    v = p.variance_multiplier(start, start + length)
    assert min(sq) * (1 - 1e-9) <= v <= max(sq) * (1 + 1e-9)


@given(start=st.integers(0, 4 * 10**18), length=st.integers(1, 3 * DAY_NS))
def test_variance_multiplier_matches_brute_force_sum(start: int, length: int) -> None:
    p = VolProfile.load(mode="hour_weekday")
    end = start + length
    total, t = 0.0, start  # integrate hour by hour the slow way
    while t < end:
        nxt = min(end, (t // HOUR_NS + 1) * HOUR_NS)
        total += p.multiplier(t) ** 2 * (nxt - t)
        t = nxt
    assert p.variance_multiplier(start, end) == pytest.approx(total / length, rel=1e-9)


def _closed_form(p: VolProfile, start_ns: int, end_ns: int) -> float:
    """variance_multiplier written out without its memo (the formula it must reproduce bit for
    bit: same terms, same float operations in the same order)."""
    shift = 3 * DAY_NS
    hs = (start_ns + shift) // HOUR_NS
    ms = p.table[hs % 168]
    if end_ns <= start_ns:
        return ms * ms
    he = (end_ns + shift) // HOUR_NS
    if he == hs:
        return ms * ms
    me = p.table[he % 168]
    first_ns = (hs + 1) * HOUR_NS - shift - start_ns
    last_ns = end_ns + shift - he * HOUR_NS
    sq = [0.0]
    for x in p.table:
        sq.append(sq[-1] + x * x)
    wa, ia = divmod(hs + 1, 168)
    wb, ib = divmod(he, 168)
    whole = (wb - wa) * sq[168] + (sq[ib] - sq[ia])
    return (ms * ms * first_ns + me * me * last_ns + whole * HOUR_NS) / (end_ns - start_ns)


@given(
    end=st.integers(10**17, 4 * 10**18),
    ends=st.lists(st.integers(-3 * HOUR_NS, 3 * HOUR_NS), min_size=1, max_size=3),
    starts=st.lists(st.integers(0, 3 * DAY_NS), min_size=1, max_size=12),
)
def test_variance_multiplier_memo_is_bit_identical(end: int, ends: list[int], starts: list[int]) -> None:
    # one profile asked over and over, as a market asks on every evaluation: remembered terms
    # give exactly the formula's float, also for starts after the end and ends that interleave
    p = VolProfile.load(mode="hour_weekday")
    for e in (end + d for d in ends):
        for back in sorted(starts, reverse=True):
            for start in (e - back, e - back + 1):
                assert p.variance_multiplier(start, e) == _closed_form(p, start, e)


def _valid() -> dict:
    return {
        "version": 1,
        "hour_multiplier": [1.0] * 24,
        "weekday_multiplier": [1.0] * 7,
        "sigma_per_sqrt_s": 8e-5,
    }


@pytest.mark.parametrize(
    "patch",
    [
        pytest.param({"version": 2}, id="version"),
        pytest.param({"hour_multiplier": [1.0] * 23}, id="23-hours"),
        pytest.param({"weekday_multiplier": [1.0] * 8}, id="8-weekdays"),
        pytest.param({"hour_multiplier": [-1.0] + [1.0] * 23}, id="negative-multiplier"),
        pytest.param({"hour_multiplier": [float("nan")] + [1.0] * 23}, id="nan-multiplier"),
        pytest.param({"hour_multiplier": ["x"] + [1.0] * 23}, id="text-multiplier"),
        pytest.param({"sigma_per_sqrt_s": 0.0}, id="zero-sigma"),
        pytest.param({"sigma_per_sqrt_s": None}, id="null-sigma"),
        pytest.param({"weekday_multiplier": None}, id="null-weekdays"),
    ],
)
def test_from_dict_rejects(patch: dict) -> None:
    with pytest.raises(DataError):
        VolProfile.from_dict({**_valid(), **patch})


def test_from_dict_rejects_missing_key() -> None:
    d = _valid()
    del d["sigma_per_sqrt_s"]
    with pytest.raises(DataError, match="sigma_per_sqrt_s"):
        VolProfile.from_dict(d)


def test_loaders_report_the_file(tmp_path) -> None:
    with pytest.raises(DataError, match=r"missing\.json"):
        VolProfile.from_file(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(DataError, match=r"bad\.json"):
        VolProfile.from_file(bad)
    good = tmp_path / "good.json"
    good.write_text(json.dumps(_valid()), encoding="utf-8")
    assert VolProfile.from_file(good).base_sigma == 8e-5


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({"clamp": (0.0, 2.0)}, id="clamp-zero"),
        pytest.param({"clamp": (1.5, 2.0)}, id="clamp-excludes-one"),
        pytest.param({"mode": "weekday"}, id="bad-mode"),
    ],
)
def test_constructor_rejects(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        VolProfile((1.0,) * 24, (1.0,) * 7, 8e-5, **kwargs)


# ---- the estimator -------------------------------------------------------------------------

WEEK_START_S = MONDAY // 1_000_000_000


def _synthetic(a: float = 1e-3) -> list[tuple[int, float, float]]:
    """One 5-minute window per hour of one week; |return| = a, except 3a in hour 15, and the
    sign alternates. Per hour: MS_15 = 9a^2, others a^2; overall MS = a^2 (23 + 9) / 24."""
    out = []
    for k in range(168):
        r = (3 * a if k % 24 == 15 else a) * (1 if k % 2 else -1)
        out.append((WEEK_START_S + k * 3600, 100.0, 100.0 * math.exp(r)))
    return out


def test_estimate_profile_hand_computed() -> None:
    a = 1e-3
    prof = estimate_profile(_synthetic(a), interval_s=300, decimals=9)
    ms = a * a * 32 / 24
    assert prof["rows"] == 168 and prof["skipped"] == 0
    assert prof["hour_count"] == [7] * 24 and prof["weekday_count"] == [24] * 7
    assert prof["hour_multiplier"][15] == pytest.approx(math.sqrt(9 * 24 / 32), abs=1e-8)  # 2.598
    others = [m for h, m in enumerate(prof["hour_multiplier"]) if h != 15]
    assert others == pytest.approx([math.sqrt(24 / 32)] * 23, abs=1e-8)  # 0.866
    assert prof["weekday_multiplier"] == pytest.approx([1.0] * 7, abs=1e-8)
    assert prof["sigma_per_sqrt_s"] == pytest.approx(math.sqrt(ms / 300), rel=1e-6)
    assert prof["date_range"] == ["2026-03-16T00:00:00Z", "2026-03-22T23:05:00Z"]
    VolProfile.from_dict(prof)  # loadable


def test_estimate_profile_ignores_row_order_and_skips_bad_rows() -> None:
    rows = _synthetic()
    shuffled = rows[:]
    random.Random(5).shuffle(shuffled)
    assert estimate_profile(shuffled, interval_s=300) == estimate_profile(rows, interval_s=300)
    dirty = [*rows, (WEEK_START_S, 100.0, 200.0), (WEEK_START_S + 7 * 86_400, 0.0, 100.0)]
    dirty.append((WEEK_START_S + 8 * 86_400, 100.0, float("nan")))
    got = estimate_profile(dirty, interval_s=300)
    assert got["skipped"] == 3  # one duplicate start, two bad prices
    assert got["hour_multiplier"] == estimate_profile(rows, interval_s=300)["hour_multiplier"]


def test_estimate_profile_empty_bucket_is_neutral() -> None:
    rows = [w for w in _synthetic() if (w[0] // 3600) % 24 != 3]
    prof = estimate_profile(rows, interval_s=300)
    assert prof["hour_count"][3] == 0 and prof["hour_multiplier"][3] == 1.0


@pytest.mark.parametrize(
    "rows",
    [
        pytest.param([], id="empty"),
        pytest.param([(0, 100.0, 100.0), (300, 100.0, 100.0)], id="all-zero-returns"),
        pytest.param([(0, -1.0, 100.0)], id="only-bad"),
    ],
)
def test_estimate_profile_rejects(rows: list) -> None:
    with pytest.raises(ValueError):
        estimate_profile(rows, interval_s=300)

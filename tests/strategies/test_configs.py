import json
from decimal import Decimal

import pytest

from predtrade.errors import ConfigError
from predtrade.strategies import (
    EXAMPLES_DIR,
    STRATEGIES,
    STRATEGY_API_VERSION,
    AmmConfig,
    AmmStrategy,
    BandsConfig,
    MomentumConfig,
    Strategy,
    build_strategy,
    config_from_dict,
    load_config,
)


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_example_config_loads_and_equals_the_defaults(name):
    cls, cfg_cls = STRATEGIES[name]
    cfg = load_config(cfg_cls, EXAMPLES_DIR / f"{name}.toml")
    assert cfg == cfg_cls()
    strat = build_strategy(name, EXAMPLES_DIR / f"{name}.toml")
    assert isinstance(strat, cls) and isinstance(strat, Strategy)
    assert strat.name == name and strat.version >= 1
    assert strat.api_version == STRATEGY_API_VERSION


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_build_with_defaults(name):
    assert build_strategy(name).config == STRATEGIES[name][1]()


def test_unknown_strategy_is_a_config_error():
    with pytest.raises(ConfigError, match=r"unknown strategy 'amn'.*amm, bands, momentum"):
        build_strategy("amn")


@pytest.mark.parametrize(
    ("name", "text", "key"),
    [
        pytest.param("amm", "spread = 0.02\nspred = 0.03\n", "spred", id="amm"),
        pytest.param("bands", "bnad = 0.03\n", "bnad", id="bands"),
        pytest.param("momentum", "min_signal_scor = 0.1\n", "min_signal_scor", id="momentum"),
    ],
)
def test_misspelt_key_is_refused_by_name(tmp_path, name, text, key):
    path = tmp_path / f"{name}.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=key) as err:
        build_strategy(name, path)
    assert str(path) in str(err.value)


def test_json_config(tmp_path):
    path = tmp_path / "amm.json"
    path.write_text(json.dumps({"levels": 5, "order_size": "7.5", "max_collateral": 250}))
    strat = build_strategy("amm", path)
    assert isinstance(strat, AmmStrategy)
    assert strat.config.levels == 5
    assert strat.config.order_size == Decimal("7.5") and strat.config.max_collateral == Decimal("250")


@pytest.mark.parametrize(
    ("cls", "data", "match"),
    [
        pytest.param(AmmConfig, {"spread": 0.0}, "spread", id="zero-spread"),
        pytest.param(AmmConfig, {"spread": 0.7}, "spread", id="spread-too-wide"),
        pytest.param(AmmConfig, {"min_spread": 0.05, "max_spread": 0.02}, "min_spread", id="clamps-inverted"),
        pytest.param(AmmConfig, {"levels": 0}, "levels", id="no-levels"),
        pytest.param(AmmConfig, {"order_size": "0"}, "order_size", id="zero-size"),
        pytest.param(AmmConfig, {"order_size": "-5"}, "order_size", id="negative-size"),
        pytest.param(AmmConfig, {"order_size": "1.0000001"}, "order_size", id="too-precise"),
        pytest.param(AmmConfig, {"order_size": "10.005"}, "size_step", id="off-size-step"),
        pytest.param(
            AmmConfig, {"min_quote_price": 0.6, "max_quote_price": 0.4}, "min_quote_price", id="band-inverted"
        ),
        pytest.param(AmmConfig, {"no_buy_above": 1.5}, "no_buy_above", id="no-buy-above-1"),
        pytest.param(AmmConfig, {"max_collateral": "-1"}, "max_collateral", id="negative-collateral"),
        pytest.param(AmmConfig, {"default_sigma": -1e-5}, "default_sigma", id="negative-sigma"),
        pytest.param(AmmConfig, {"default_sigma": float("nan")}, "default_sigma", id="nan-sigma"),
        pytest.param(AmmConfig, {"taker_mode": "take"}, "taker_mode", id="bad-mode"),
        pytest.param(AmmConfig, {"levels": "three"}, "levels", id="wrong-type"),
        pytest.param(BandsConfig, {"band": 0.0}, "band", id="bands-zero-band"),
        pytest.param(BandsConfig, {"refresh_tolerance": -0.01}, "refresh_tolerance", id="bands-tolerance"),
        pytest.param(BandsConfig, {"target": "vwap"}, "target", id="bands-target"),
        pytest.param(MomentumConfig, {"lookback_s": 0}, "lookback_s", id="mom-lookback"),
        pytest.param(MomentumConfig, {"stop_loss_pct": 1.5}, "stop_loss_pct", id="mom-stop-loss"),
        pytest.param(MomentumConfig, {"slippage_ticks": -1}, "slippage_ticks", id="mom-slippage"),
        pytest.param(MomentumConfig, {"stake": "0"}, "stake", id="mom-stake"),
        pytest.param(MomentumConfig, {"sizing": "martingale"}, "sizing", id="mom-sizing"),
    ],
)
def test_impossible_values_are_config_errors(cls, data, match):
    with pytest.raises(ConfigError, match=match):
        config_from_dict(cls, data)


def test_configs_are_frozen_and_hashable_by_content():
    a, b = AmmConfig(), AmmConfig(levels=4)
    with pytest.raises(AttributeError):
        a.levels = 2  # type: ignore[misc]
    assert a.config_hash() == AmmConfig().config_hash() != b.config_hash()


def test_python_construction_normalises_decimal_fields():
    assert AmmConfig(order_size="10", max_collateral=100) == AmmConfig()
    with pytest.raises(ValueError, match="order_size"):
        AmmConfig(order_size="ten")

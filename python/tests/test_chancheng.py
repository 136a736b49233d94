"""The Python package against the command line: same scenario and seed, same bytes.

Run by ``scripts/python-tests.sh`` (builds the wheel, installs it into a fresh virtual environment)
with the release binary at ``CHANCHENG_BIN`` or ``target/release/chancheng``.
"""

from __future__ import annotations

import math
import os
import subprocess
from pathlib import Path

import pandas
import pytest

import chancheng

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("CHANCHENG_BIN", ROOT / "target" / "release" / "chancheng"))
R4 = ROOT / "scenarios" / "r4-industry-city.toml"


def cli(*args: str) -> subprocess.CompletedProcess:
    assert BIN.exists(), f"build the command line first: {BIN} is missing"
    return subprocess.run([str(BIN), *args], capture_output=True, text=True, cwd=ROOT)


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cli") / "run"
    done = cli(
        "run", str(R4), "--seed", "3", "--quiet", "--out", str(out),
        "--set", "time.months=30", "--set", "policy.public_rental_eligibility=zone_workers",
    )
    assert done.returncode == 0, done.stderr
    return out


def test_run_gives_the_command_lines_bytes(cli_run, tmp_path):
    scenario = chancheng.load(R4, set={"policy.public_rental_eligibility": "zone_workers"})
    result = chancheng.run(scenario, seed=3, months=30)
    expected = (cli_run / "timeseries.csv").read_bytes()
    assert result.timeseries_csv() == expected
    result.write(tmp_path)
    assert (tmp_path / "timeseries.csv").read_bytes() == expected
    assert (tmp_path / "firms.csv").read_bytes() == (cli_run / "firms.csv").read_bytes()
    # The data frame holds the same numbers, to the last bit.
    frame = result.timeseries
    written = pandas.read_csv(cli_run / "timeseries.csv", dtype=str)
    assert list(frame.columns) == list(written.columns)
    assert len(frame) == len(written)
    for column in ["scenario", "month", "district", "indicator"]:
        assert frame[column].tolist() == written[column].astype(str).tolist()
    assert frame["value"].tolist() == [float(v) for v in written["value"]]
    assert result.summary["provenance"]["seed"] == 3
    assert isinstance(result.warnings, list)


def test_a_bad_setting_raises_the_command_lines_message():
    with pytest.raises(ValueError, match=r"labour\.quit_rate.*did you mean `labour\.quit_rate_per_month`"):
        chancheng.load(set={"labour.quit_rate": 0.02})
    with pytest.raises(ValueError) as raised:
        chancheng.load(set={"labour.quit_rate_per_month": 7})
    message = str(raised.value)
    assert "labour.quit_rate_per_month" in message and "[0, 1]" in message
    done = cli("run", "--quiet", "--set", "labour.quit_rate_per_month=7", "--out", "/nonexistent/never")
    assert done.returncode == 2
    assert message in done.stderr
    with pytest.raises(ValueError, match="a switch is true or false"):
        chancheng.load(set={"policy.environmental_red_line": 2})
    with pytest.raises(ValueError, match="zone_workers"):
        chancheng.load(set={"policy.public_rental_eligibility": "everyone"})


def test_a_bad_file_names_file_line_and_key(tmp_path):
    lines = (ROOT / "scenarios" / "baseline.toml").read_text().splitlines()
    line = next(i for i, text in enumerate(lines) if text.startswith("quit_rate_per_month"))
    lines[line] = "quit_rate_per_month = -1"
    bad = tmp_path / "bad.toml"
    bad.write_text("\n".join(lines) + "\n")
    with pytest.raises(ValueError) as raised:
        chancheng.load(bad)
    message = str(raised.value)
    assert f"bad.toml:{line + 1}:" in message and "quit_rate_per_month" in message


def test_compare_matches_compare_csv(tmp_path):
    out = tmp_path / "compare"
    done = cli(
        "compare", "baseline", str(R4), "--runs", "3", "--years", "2017,final",
        "--set", "time.months=36", "--quiet", "--out", str(out),
    )
    assert done.returncode == 0, done.stderr
    expected = pandas.read_csv(out / "compare.csv", dtype=str, keep_default_na=False)
    scenarios = [chancheng.load("baseline", set={"time.months": 36}), chancheng.load(R4, set={"time.months": 36})]
    table = chancheng.compare(scenarios, runs=3, years=[2017, "final"])
    assert list(table.columns) == list(expected.columns)
    assert len(table) == len(expected) > 0
    for column in expected.columns:
        mine, theirs = table[column].tolist(), expected[column].tolist()
        for a, b in zip(mine, theirs):
            if b == "":
                assert a is None or (isinstance(a, float) and math.isnan(a)), column
            elif isinstance(a, str):
                assert a == b, (column, a, b)
            else:
                assert float(a) == float(b), (column, a, b)


def test_compare_refuses_a_year_outside_the_run():
    with pytest.raises(ValueError, match="years: `2040`"):
        chancheng.compare(["baseline", R4], runs=2, years=[2040])


def test_run_many_equals_runs_alone():
    scenario = chancheng.load(set={"time.months": 12})
    together = chancheng.run_many([(scenario, 1), (scenario, 2), (R4, 1)], months=12)
    alone = [chancheng.run(scenario, seed=2, months=12), chancheng.run(R4, seed=1, months=12)]
    assert together[1].timeseries_csv() == alone[0].timeseries_csv()
    assert together[2].timeseries_csv() == alone[1].timeseries_csv()
    assert together[0].timeseries_csv() != together[1].timeseries_csv()


def test_polars_backend_gives_the_same_table():
    polars = pytest.importorskip("polars")
    result = chancheng.run(seed=1, months=6, backend="polars")
    frame = result.timeseries
    assert isinstance(frame, polars.DataFrame)
    assert frame.shape == chancheng.run(seed=1, months=6).timeseries.shape


def test_catalogues():
    levers = chancheng.levers()
    assert len(levers) == 46
    assert {"R1.1, R4.2"} <= set(levers["report_ids"])
    assert set(levers["kind"]) == {"number", "switch", "choice"}
    indicators = chancheng.indicators()
    assert "pendulum_index" in set(indicators["id"])
    table = chancheng.uncertainty()
    triangular = table[table["dist"] == "triangular"]
    assert len(triangular) > 0 and triangular["mode"].notna().all()
    assert ((table["low"] <= table["high"])).all()


def test_ema_model_runs_eight_experiments():
    ema = pytest.importorskip("ema_workbench")
    from chancheng.ema import key_of, model

    uncertain = ["macro.tfp_growth_per_year", "macro.external_demand_growth_per_year"]
    m = model(
        "baseline",
        outcomes=["gdp", "pendulum_index"],
        uncertainties=uncertain,
        levers=["promotion"],
        months=12,
    )
    assert [key_of(u.name) for u in m.uncertainties] == uncertain
    assert [lever.name for lever in m.levers] == ["policy__promotion_cny_per_year"]
    experiments, outcomes = ema.perform_experiments(m, scenarios=8, policies=1)
    assert len(experiments) == 8
    assert set(outcomes) == {"gdp", "pendulum_index"}
    assert len(outcomes["gdp"]) == 8
    assert all(0.0 <= p <= 1.0 for p in outcomes["pendulum_index"])
    # The experiments differ, so the outcomes do.
    assert len(set(outcomes["gdp"])) > 1


def test_the_example_runs(tmp_path):
    """examples/python/explore.py, shrunk: SALib's Sobol design, the Workbench, one figure."""
    pytest.importorskip("SALib")
    pytest.importorskip("matplotlib")
    env = dict(os.environ, CHANCHENG_EXAMPLE_MONTHS="24", CHANCHENG_EXAMPLE_N="4",
               CHANCHENG_EXAMPLE_OUT=str(tmp_path), MPLBACKEND="Agg")
    done = subprocess.run(
        [os.sys.executable, str(ROOT / "examples" / "python" / "explore.py")],
        capture_output=True, text=True, env=env, cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "S1 =" in done.stdout and "policy__promotion_cny_per_year" in done.stdout
    assert (tmp_path / "pendulum.png").stat().st_size > 10_000


def test_ema_model_travels_to_worker_processes():
    pytest.importorskip("ema_workbench")
    import pickle

    from chancheng.ema import model

    m = model(str(R4), outcomes=["gdp"], uncertainties=[], levers=["promotion"], months=6)
    again = pickle.loads(pickle.dumps(m))
    values = {"policy__promotion_cny_per_year": 2e8}
    assert again.function(**values) == m.function(**values)
    from_object = model(chancheng.load(R4), outcomes=["gdp"], uncertainties=[], levers=[], months=6)
    with pytest.raises(TypeError, match="path or name"):
        pickle.dumps(from_object)

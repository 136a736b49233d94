"""chancheng (产城): how an industrial cluster zone and the city around it grow together or apart.

The simulator's engine for notebooks. Every run is the command line's run: the same scenario and
seed give the same numbers, byte for byte, and a bad value raises ``ValueError`` with the command
line's message.

>>> import chancheng
>>> scenario = chancheng.load(set={"policy.talent_subsidy_cny": 20000})
>>> result = chancheng.run(scenario, seed=1)
>>> result.timeseries.query("indicator == 'gdp' and district == 'region'").tail()

Functions
---------
load         a validated scenario from a file, TOML text or a built-in name
run          one run: ``.timeseries``, ``.firms``, ``.summary``, ``.warnings``
run_many     several runs on the engine's thread pool
compare      the paired comparison table of ``chancheng compare``
levers       the lever catalogue (the report's remedies R1.1 … R4.4)
indicators   the indicator catalogue
uncertainty  a scenario's ``[uncertainty]`` table

The EMA Workbench adapter is :func:`chancheng.ema.model` (``pip install ema_workbench``).
"""

from __future__ import annotations

import io
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence, Union

from . import _core
from ._core import Scenario

if TYPE_CHECKING:  # pragma: no cover
    import pandas

__all__ = [
    "Scenario",
    "Result",
    "load",
    "run",
    "run_many",
    "compare",
    "levers",
    "indicators",
    "uncertainty",
    "__version__",
]

__version__: str = _core.engine_version()

PathLike = Union[str, "os.PathLike[str]"]
SettingValue = Union[float, int, bool, str]

_BACKENDS = ("pandas", "polars")


def _setting_text(key: str, value: SettingValue) -> str:
    if isinstance(value, bool):
        return f"{key}={'true' if value else 'false'}"
    return f"{key}={value}"


def load(
    source: PathLike | Scenario | None = None,
    set: Mapping[str, SettingValue] | None = None,  # noqa: A002 - the command line's word
) -> Scenario:
    """Load and validate a scenario.

    Parameters
    ----------
    source
        A scenario file's path; TOML text (anything containing a newline or ``=``); the name of a
        built-in scenario (``"baseline"``, ``"r1-leading-industry"``, … ``"all-recommendations"``);
        a :class:`Scenario` (to apply ``set`` to it); or ``None`` for the built-in baseline.
    set
        Values to set over the scenario, as ``chancheng run --set KEY=VALUE`` does: dotted keys
        to numbers, ``True``/``False`` for switches, text for keys that hold text
        (``{"policy.public_rental_eligibility": "zone_workers"}``).

    Returns
    -------
    Scenario
        The validated scenario.

    Raises
    ------
    ValueError
        The file cannot be read, or a value is out of range or of the wrong kind; the message is
        the command line's (file, line, key and what is allowed).
    """
    if isinstance(source, Scenario):
        scenario = source
    elif source is None:
        scenario = _core.load_builtin("baseline")
    else:
        text = os.fspath(source)
        if "\n" in text or "=" in text:
            scenario = _core.load_str(text, "<python string>", os.getcwd())
        elif Path(text).exists() or text.endswith(".toml"):
            scenario = _core.load_file(text)
        else:
            scenario = _core.load_builtin(text)
    if set:
        scenario = scenario.with_settings([_setting_text(k, v) for k, v in set.items()])
    return scenario


def _frame(columns: Mapping[str, Any], backend: str):
    if backend not in _BACKENDS:
        raise ValueError(f"backend={backend!r}: one of {', '.join(_BACKENDS)}")
    if backend == "polars":
        import polars

        return polars.DataFrame(dict(columns))
    import pandas

    return pandas.DataFrame(dict(columns))


def _csv_frame(data: bytes, backend: str):
    if backend not in _BACKENDS:
        raise ValueError(f"backend={backend!r}: one of {', '.join(_BACKENDS)}")
    if backend == "polars":
        import polars

        return polars.read_csv(io.BytesIO(data))
    import pandas

    return pandas.read_csv(io.BytesIO(data))


@dataclass(frozen=True)
class Result:
    """One run of a scenario with one seed.

    Attributes
    ----------
    scenario
        The scenario that ran.
    seed
        Its seed.
    backend
        ``"pandas"`` or ``"polars"``: the kind of the data frames below.
    """

    scenario: Scenario
    seed: int
    backend: str
    _run: Any = field(repr=False)

    @property
    def timeseries(self):
        """Indicators by month in the tidy layout of ``timeseries.csv``.

        Columns ``scenario, run, seed, month, district, indicator, value``; ``district`` is
        ``region`` for whole-region rows. Values are exactly the command line's.
        """
        month, district, indicator, value = self._run.timeseries_columns()
        n = len(value)
        return _frame(
            {
                "scenario": [self.scenario.name] * n,
                "run": [0] * n,
                "seed": [self.seed] * n,
                "month": month,
                "district": district,
                "indicator": indicator,
                "value": value,
            },
            self.backend,
        )

    @property
    def firms(self):
        """The firms operating at the end of the run (``firms.csv``)."""
        return _csv_frame(self._run.firms_csv(), self.backend)

    @property
    def summary(self) -> dict:
        """``summary.json``: provenance, final-year indicators, wall time."""
        return json.loads(self._run.summary_json())

    @property
    def warnings(self) -> list[str]:
        """Implementation warnings a planner must read beside the results (English)."""
        return list(self._run.warnings("en"))

    def warnings_in(self, lang: str = "zh") -> list[str]:
        """The implementation warnings in ``"zh"`` or ``"en"``."""
        return list(self._run.warnings(lang))

    def series(self, indicator: str, district: str = "region"):
        """One indicator's monthly values as a ``pandas.Series`` indexed by month."""
        month, districts, indicators_, value = self._run.timeseries_columns()
        import pandas

        rows = [
            (m, v)
            for m, d, i, v in zip(month, districts, indicators_, value)
            if d == district and i == indicator
        ]
        if not rows:
            raise KeyError(f"no indicator {indicator!r} for {district!r} in this run")
        months, values = zip(*rows)
        return pandas.Series(values, index=pandas.Index(months, name="month"), name=indicator)

    def timeseries_csv(self) -> bytes:
        """``timeseries.csv`` exactly as ``chancheng run`` writes it."""
        return self._run.timeseries_csv()

    def write(self, folder: PathLike) -> Path:
        """Write ``timeseries.csv``, ``firms.csv`` and ``summary.json`` into ``folder``."""
        path = Path(os.fspath(folder))
        self._run.write(str(path))
        return path

    def __repr__(self) -> str:
        return f"<chancheng.Result {self.scenario.name!r} seed={self.seed}>"


def _prepared(scenario: Scenario | PathLike | None, months: int | None, allow_large: bool) -> Scenario:
    scenario = load(scenario)
    if months is not None:
        scenario = scenario.with_settings([f"time.months={int(months)}"])
    refusal = scenario.too_large()
    if refusal and not allow_large:
        raise ValueError(refusal + " (pass allow_large=True to run it anyway)")
    return scenario


def run(
    scenario: Scenario | PathLike | None = None,
    seed: int = 1,
    months: int | None = None,
    *,
    backend: str = "pandas",
    allow_large: bool = False,
) -> Result:
    """Run a scenario once.

    Parameters
    ----------
    scenario
        A :class:`Scenario`, anything :func:`load` takes, or ``None`` for the built-in baseline.
    seed
        Seed of the random number generator (``chancheng run --seed``).
    months
        Months to run; ``None`` keeps the scenario's horizon (``time.months``).
    backend
        ``"pandas"`` (default) or ``"polars"`` for the data frames of the result.
    allow_large
        Run a scenario larger than the start-up agent budget (``--allow-large``).

    Returns
    -------
    Result
        ``.timeseries``, ``.firms``, ``.summary``, ``.warnings``.

    Notes
    -----
    The run releases the GIL: other Python threads go on while it runs.
    """
    return run_many([(scenario, seed)], months=months, backend=backend, allow_large=allow_large)[0]


def run_many(
    runs: Iterable[tuple[Scenario | PathLike | None, int]],
    months: int | None = None,
    *,
    backend: str = "pandas",
    allow_large: bool = False,
) -> list[Result]:
    """Run several (scenario, seed) pairs on the engine's thread pool.

    The runs proceed in parallel without the GIL; the results come back in the order given and
    are identical to running each alone (``RAYON_NUM_THREADS`` bounds the threads).
    """
    if backend not in _BACKENDS:
        raise ValueError(f"backend={backend!r}: one of {', '.join(_BACKENDS)}")
    pairs = [(_prepared(s, months, allow_large), int(seed)) for s, seed in runs]
    done = _core.run_many(pairs)
    return [Result(s, seed, backend, r) for (s, seed), r in zip(pairs, done)]


def compare(
    scenarios: Sequence[Scenario | PathLike],
    runs: int = 20,
    years: Sequence[int | str] = (2030, 2035),
    *,
    seed: int = 1,
    indicators: Sequence[str] | None = None,
    final_months: int = 12,
    district: str | None = None,
    backend: str = "pandas",
    allow_large: bool = False,
):
    """Compare scenarios on common random numbers, as ``chancheng compare`` does.

    Replication ``r`` of every scenario runs with the same seed, so the differences to the first
    scenario (the reference) are paired.

    Parameters
    ----------
    scenarios
        The scenarios; the first is the reference (``"baseline"`` is the built-in baseline).
    runs
        Replications per scenario (at least 2).
    years
        Calendar years (each the mean of its 12 months) or ``"final"`` (the last
        ``final_months`` months).
    seed
        Master seed of the replications' seeds.
    indicators
        Indicator ids (:func:`indicators` lists them); ``None`` for the command line's default.
    district
        A district's values instead of the region's.

    Returns
    -------
    DataFrame
        One row per (year, indicator, scenario): ``scenario, indicator, district, year, runs,
        mean, ci95_low, ci95_high, diff_vs_reference, diff_ci95_low, diff_ci95_high`` — the
        rows of ``compare.csv``; the reference's difference columns are empty.
    """
    prepared = [_prepared(s, None, allow_large) for s in scenarios]
    rows, _csv = _core.compare(
        prepared,
        int(runs),
        int(seed),
        None if indicators is None else [str(i) for i in indicators],
        [str(y) for y in years],
        int(final_months),
        district,
    )
    names = [
        "scenario",
        "indicator",
        "district",
        "year",
        "runs",
        "mean",
        "ci95_low",
        "ci95_high",
        "diff_vs_reference",
        "diff_ci95_low",
        "diff_ci95_high",
    ]
    columns = {name: [row[k] for row in rows] for k, name in enumerate(names)}
    return _frame(columns, backend)


def levers(scenario: Scenario | PathLike | None = None, *, backend: str = "pandas"):
    """The lever catalogue: the report's remedies as scenario keys.

    Columns ``id, name_zh, name_en, unit, kind`` (``number``, ``switch`` or ``choice``), ``key``
    (``policy.<field>``, or ``policy.investment.<district>.<field>`` for a value per district),
    ``min, max``, ``value`` (in ``scenario``, the baseline by default), ``report_ids``,
    ``mechanism``.
    """
    rows = _core.levers(None if scenario is None else load(scenario))
    names = ["id", "name_zh", "name_en", "unit", "kind", "key", "min", "max", "value", "report_ids", "mechanism"]
    return _frame({name: [r[k] for r in rows] for k, name in enumerate(names)}, backend)


def indicators(*, backend: str = "pandas"):
    """The indicator catalogue: ``id, name_zh, name_en, unit, scope, scope_zh``."""
    rows = _core.indicators()
    names = ["id", "name_zh", "name_en", "unit", "scope", "scope_zh"]
    return _frame({name: [r[k] for r in rows] for k, name in enumerate(names)}, backend)


def uncertainty(scenario: Scenario | PathLike | None = None, *, backend: str = "pandas"):
    """A scenario's ``[uncertainty]`` table: ``key, dist, low, mode, high, integer, group``.

    ``dist`` is ``uniform`` or ``triangular``; ``mode`` is set for triangular ones; ``integer``
    marks parameters that take whole numbers; ``group`` is the Sobol group, if any.
    """
    rows = _core.uncertainty(load(scenario))
    names = ["key", "dist", "low", "mode", "high", "integer", "group"]
    return _frame({name: [r[k] for r in rows] for k, name in enumerate(names)}, backend)

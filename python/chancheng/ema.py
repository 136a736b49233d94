"""chancheng as an EMA Workbench model (``pip install ema_workbench``).

>>> from ema_workbench import perform_experiments
>>> from chancheng.ema import model
>>> m = model("baseline", outcomes=["gdp", "pendulum_index"])
>>> experiments, outcomes = perform_experiments(m, scenarios=64, policies=4)

The model's uncertainties are the scenario's ``[uncertainty]`` table (uniform and triangular
distributions, whole numbers where the table says ``integer``), its levers the lever catalogue
(``chancheng.levers()``): numbers on their catalogue range, switches as booleans, the
public-rental eligibility rule as a category, and investment levers once per district that plans
them. Each experiment is one run with one seed; its outcomes are region indicators averaged over
a year. Wrap it in the Workbench's ``ReplicatorModel`` for replications.

Parameter names are the scenario keys with ``.`` written as ``__`` (the Workbench passes them as
Python keyword arguments); :func:`key_of` gives the scenario key back.
"""

from __future__ import annotations

from typing import Iterable, Sequence

import os

from . import Scenario, _core, load, run_many

__all__ = ["model", "key_of", "name_of", "outcome_values"]

#: What a scenario may hold for ``policy.public_rental_eligibility``.
ELIGIBILITY_RULES = ("talents_only", "as_allocated", "zone_migrants", "zone_workers")

#: Outcomes reported when none are named.
DEFAULT_OUTCOMES = (
    "gdp",
    "employment",
    "pendulum_index",
    "coupling_coordination",
    "debt_incl_ppp",
)


def name_of(key: str) -> str:
    """The Workbench parameter name of a scenario key (``.`` → ``__``)."""
    return key.replace(".", "__")


def key_of(name: str) -> str:
    """The scenario key of a Workbench parameter name (``__`` → ``.``)."""
    return name.replace("__", ".")


def _uncertainties(scenario: Scenario, keys: Iterable[str] | None):
    from ema_workbench import IntegerParameter, RealParameter
    from scipy import stats

    table = {row[0]: row for row in _core.uncertainty(scenario)}
    wanted = list(table) if keys is None else list(keys)
    params = []
    for key in wanted:
        if key not in table:
            raise ValueError(
                f"uncertainties: `{key}` is not in the [uncertainty] table of scenario "
                f"`{scenario.name}` (it has {', '.join(table) or 'none'})"
            )
        _, dist, low, mode, high, integer, _group = table[key]
        name = name_of(key)
        if integer:
            params.append(IntegerParameter(name, int(round(low)), int(round(high))))
        elif dist == "triangular":
            c = (mode - low) / (high - low) if high > low else 0.5
            params.append(RealParameter.from_dist(name, stats.triang(c, loc=low, scale=high - low)))
        else:
            params.append(RealParameter(name, low, high))
    return params


def _levers(scenario: Scenario, ids: Iterable[str] | None):
    from ema_workbench import BooleanParameter, CategoricalParameter, RealParameter

    catalogue = {row[0]: row for row in _core.levers(scenario)}
    wanted = list(catalogue) if ids is None else list(ids)
    params = []
    for lever_id in wanted:
        if lever_id not in catalogue:
            raise ValueError(
                f"levers: `{lever_id}` is not a lever (chancheng.levers() lists them: "
                f"{', '.join(catalogue)})"
            )
        _, _zh, _en, _unit, kind, key, low, high, _value, _report, _mech = catalogue[lever_id]
        if "<district>" in key:
            keys = [key.replace("<district>", d) for d in scenario.districts]
        else:
            keys = [key]
        keys = [k for k in keys if scenario.settable(k) is not None]
        if not keys and ids is not None:
            raise ValueError(
                f"levers: `{lever_id}` cannot be set in scenario `{scenario.name}` "
                f"({key} is absent or timed)"
            )
        for k in keys:
            name = name_of(k)
            if kind == "switch":
                params.append(BooleanParameter(name))
            elif kind == "choice":
                params.append(CategoricalParameter(name, list(ELIGIBILITY_RULES)))
            else:
                params.append(RealParameter(name, float(low), float(high)))
    return params


def outcome_values(result, outcomes: Sequence[str], year: int | str = "final") -> dict:
    """Region indicators of one run averaged over ``year`` (a calendar year, or ``"final"``: the
    last 12 months), as the paired tables average them."""
    month, district, indicator, value = result._run.timeseries_columns()
    wanted = set(outcomes)
    series: dict = {o: [] for o in outcomes}
    for m, d, i, v in zip(month, district, indicator, value):
        if d == "region" and i in wanted:
            series[i].append((m, v))
    values = {}
    for o in outcomes:
        rows = series[o]
        if not rows:
            raise ValueError(f"outcomes: `{o}` is not a region indicator (chancheng.indicators() lists them)")
        if year == "final":
            chosen = [v for _, v in rows[-12:]]
        else:
            chosen = [v for m, v in rows if m.startswith(f"{int(year)}-")]
            if len(chosen) != 12:
                raise ValueError(f"year={year}: the run does not cover that year in full")
        values[o] = sum(chosen) / len(chosen)
    return values


class _Experiment:
    """One experiment of the Workbench: the scenario with the experiment's values set, run once.

    Picklable (for the Workbench's ``MultiprocessingEvaluator``) when the scenario was given as a
    path, a built-in name or TOML text: the worker process loads it again from there.
    """

    def __init__(self, source, scenario: Scenario, outcomes, year, seed, months):
        self.source = None if isinstance(source, Scenario) else (None if source is None else os.fspath(source))
        self.picklable = not isinstance(source, Scenario)
        self.scenario = scenario
        self.outcomes, self.year, self.seed, self.months = list(outcomes), year, seed, months

    def __call__(self, **parameters):
        settings = {key_of(k): v for k, v in parameters.items()}
        result = run_many([(load(self.scenario, set=settings), self.seed)], months=self.months)[0]
        return outcome_values(result, self.outcomes, self.year)

    def __getstate__(self):
        if not self.picklable:
            raise TypeError(
                "this chancheng model was made from a Scenario object, which cannot travel to "
                "worker processes; give model() the scenario's path or name instead"
            )
        state = dict(self.__dict__)
        del state["scenario"]
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.scenario = load(self.source)


def model(
    scenario: Scenario | str | None = None,
    outcomes: Sequence[str] = DEFAULT_OUTCOMES,
    *,
    uncertainties: Iterable[str] | None = None,
    levers: Iterable[str] | None = None,
    year: int | str = "final",
    seed: int = 1,
    months: int | None = None,
    name: str = "chancheng",
):
    """An EMA Workbench ``Model`` that runs ``scenario``.

    Parameters
    ----------
    scenario
        Anything :func:`chancheng.load` takes; ``None`` for the built-in baseline.
    outcomes
        Region indicator ids, each a ``ScalarOutcome``: its mean over ``year``.
    uncertainties
        Keys of the scenario's ``[uncertainty]`` table to vary; ``None`` for all of them.
    levers
        Lever ids of the catalogue to vary; ``None`` for all of them.
    year
        A calendar year the run covers in full, or ``"final"`` (the last 12 months).
    seed
        Seed of every run (common random numbers across experiments).
    months
        Months to run; ``None`` keeps the scenario's horizon.

    Returns
    -------
    ema_workbench.Model
        Ready for ``perform_experiments``; ``feature_scoring`` and PRIM work on its results.
    """
    try:
        from ema_workbench import Model, ScalarOutcome
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError(
            "chancheng.ema needs the EMA Workbench: pip install ema_workbench"
        ) from e

    base = load(scenario)
    outcomes = list(outcomes)
    known = {row[0] for row in _core.indicators()}
    for o in outcomes:
        if o not in known:
            raise ValueError(f"outcomes: `{o}` is not an indicator (chancheng.indicators() lists them)")
    function = _Experiment(scenario, base, outcomes, year, seed, months)
    m = Model(name, function=function)
    m.uncertainties = _uncertainties(base, uncertainties)
    m.levers = _levers(base, levers)
    m.outcomes = [ScalarOutcome(o) for o in outcomes]
    return m

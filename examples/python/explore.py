# %% [markdown]
# # chancheng from Python: a Sobol study with SALib, an exploration with the EMA Workbench
#
# Run as a script (`python examples/python/explore.py`) or cell by cell in a notebook (VS Code,
# Jupyter with jupytext). Needs the wheel (`pip install chancheng-*.whl`), SALib, matplotlib
# and, for the second part, the EMA Workbench:
#
#     pip install SALib matplotlib ema_workbench
#
# Environment variables make it smaller for a quick check: CHANCHENG_EXAMPLE_MONTHS (default
# 120, i.e. 2016–2025) and CHANCHENG_EXAMPLE_N (SALib's base sample, default 16).
# Figures go to CHANCHENG_EXAMPLE_OUT (default output/python-example).

# %%
import os
from pathlib import Path

import matplotlib

matplotlib.use(os.environ.get("MPLBACKEND", "Agg"))
import matplotlib.pyplot as plt
import numpy as np
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import sobol as sobol_sample

import chancheng

MONTHS = int(os.environ.get("CHANCHENG_EXAMPLE_MONTHS", "120"))
N = int(os.environ.get("CHANCHENG_EXAMPLE_N", "16"))
OUT = Path(os.environ.get("CHANCHENG_EXAMPLE_OUT", "output/python-example"))
OUT.mkdir(parents=True, exist_ok=True)

baseline = chancheng.load("baseline")
print(baseline)

# %% [markdown]
# ## 1. Which uncertain parameter drives the pendulum (钟摆指数)?
#
# Three parameters of the baseline's `[uncertainty]` table, sampled by SALib's Sobol design
# (N · (2D + 2) runs), each run on the engine's thread pool; the output is the share of zone
# workers living outside the zone, averaged over the last year of the run.

# %%
table = chancheng.uncertainty(baseline)
chosen = table[table["key"].isin([
    "macro.tfp_growth_per_year",
    "macro.outside_wage_growth_per_year",
    "labour.quit_rate_per_month",
])]
problem = {
    "num_vars": len(chosen),
    "names": chosen["key"].tolist(),
    "bounds": chosen[["low", "high"]].values.tolist(),
}
X = sobol_sample.sample(problem, N, calc_second_order=False, seed=1)
runs = [
    (chancheng.load(baseline, set=dict(zip(problem["names"], map(float, row)))), 1)
    for row in X
]
results = chancheng.run_many(runs, months=MONTHS)


def last_year(result, indicator):
    series = result.series(indicator)
    return float(series.iloc[-12:].mean())


Y = np.array([last_year(r, "pendulum_index") for r in results])
indices = sobol_analyze.analyze(problem, Y, calc_second_order=False, seed=1)
for name, s1, st in zip(problem["names"], indices["S1"], indices["ST"]):
    print(f"{name:40s} S1 = {s1:6.3f}   ST = {st:6.3f}")

# %% [markdown]
# ## 2. The same engine in the EMA Workbench
#
# Two uncertainties and two levers (investment-promotion spending and the public-rental rent
# discount); 16 scenarios × 2 policies, then feature scoring.

# %%
try:
    from ema_workbench import perform_experiments
    from ema_workbench.analysis import feature_scoring
except ImportError:
    perform_experiments = None
    print("EMA Workbench not installed: pip install ema_workbench")

if perform_experiments is not None:
    from chancheng.ema import model

    m = model(
        baseline,
        outcomes=["gdp", "pendulum_index"],
        uncertainties=["macro.tfp_growth_per_year", "macro.outside_wage_growth_per_year"],
        levers=["promotion", "public_rental_discount"],
        months=MONTHS,
    )
    experiments, outcomes = perform_experiments(m, scenarios=16, policies=2)
    scores = feature_scoring.get_feature_scores_all(
        experiments.drop(columns=["scenario", "policy", "model"]), outcomes
    )
    print(scores.round(3))

# %% [markdown]
# ## 3. One picture: the pendulum under the status quo and the industry–city package

# %%
r4 = chancheng.load("r4-industry-city")
status_quo, package = chancheng.run_many([(baseline, 1), (r4, 1)], months=MONTHS)
fig, ax = plt.subplots(figsize=(8, 4.5), dpi=120)
for result, label in [(status_quo, "status quo (2015 policies)"), (package, "R4: industry–city integration")]:
    series = result.series("pendulum_index")
    ax.plot(range(len(series)), 100 * series.values, label=label)
ticks = list(range(0, len(series), 12))
ax.set_xticks(ticks, [series.index[t][:4] for t in ticks])
ax.set_ylabel("zone workers living outside the zone (%)")
ax.set_title("Pendulum index, seed 1")
ax.legend()
fig.tight_layout()
fig.savefig(OUT / "pendulum.png")
print(f"wrote {OUT / 'pendulum.png'}")

"""5. Your own data: read a CSV with dates, regularise, detrend, analyse, test, and plot.

`data/monitoring_biomass.csv` stands in for a field record: weekly visits with some missed, one lost
sample, dates as text. The steps are the ones to take with any record:

1. read it (the date column is parsed; the empty value is dropped with ``missing="drop"``);
2. put it on an even weekly grid (rolling windows count points, so the spacing must be regular;
   interpolation fills the missed visits, which slightly inflates autocorrelation: keep gaps few);
3. detrend, compute rolling indicators and their trend, and test the trend against red-noise surrogates;
4. plot and save.

Run:  python examples/your_data.py      (about 5 s; writes your_data.png next to this file)
"""
from pathlib import Path

import ews

HERE = Path(__file__).resolve().parent

ts = ews.read_csv(HERE / "data" / "monitoring_biomass.csv", time="date", value="biomass_index",
                  missing="drop", name="biomass index", units="index")
print(ts)
weekly = ts.regularize("7D")
print(f"{ts.n} visits -> {weekly.n} weeks")

pipeline = ews.Pipeline(detrend="gaussian", bandwidth=0.15, window=0.5, indicators=["variance", "ar1"])
result = pipeline.run(weekly)
test = pipeline.test(weekly, null="ar1", n_surrogates=499, seed=1)
print(test.summary().to_string(index=False))

fig = result.plot()
fig.savefig(HERE / "your_data.png", dpi=110)
print("wrote", HERE / "your_data.png")

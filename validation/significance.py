"""Honesty checks of the surrogate test (run by hand; prints tables; summarised in docs/significance.md).

Run:  python validation/significance.py [--quick] [--skip-power] [--skip-likelihood]

1. Calibration. 400 stationary AR(1) series (phi = 0.5, n = 400, unit innovations), nothing to detect.
   Each gets the surrogate test (null ``ar1``, 199 surrogates, one-sided in the indicators' expected
   direction) and the textbook Kendall p-value (``PipelineResult.textbook_pvalues``, one-sided
   ``greater``, the same hypothesis). A valid test rejects about 5 % of them at alpha = 0.05 (the
   binomial 95 % range for 400 series is 3.0 %-7.3 %); the requirement is 2 %-8 % for variance and ar1.
   Other null models and the Boers-style indicator mode are shown for comparison.

2. Power. 200 ``fold`` simulations (May grazing model, c ramped through the fold; ``forced=True``) and
   200 null twins (``forced=False``: c held at its starting value), each forced series cut just before
   its transition (``before_transition``) and its twin cut to the same length. AUC (``ews.roc``,
   Mann-Whitney) of the Kendall tau of variance and of ar1 (forced vs twins), of the surrogate p-values
   (as 1 - p), and of the likelihood-ratio deviance -2 (l_OU - l_LSN) of ``ews.likelihood.fit`` (OU vs
   linearised saddle-node, Boettiger & Hastings 2012) on a thinned copy of each series.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
import warnings

import numpy as np

import ews
from ews.significance import surrogate_test

ALPHA = 0.05


def _ar1_rows(n_rows, n, phi, seed):
    rng = np.random.default_rng(seed)
    e = rng.standard_normal((n_rows, n))
    x = np.empty((n_rows, n))
    x[:, 0] = e[:, 0] / np.sqrt(1 - phi * phi)  # stationary start
    for t in range(1, n):
        x[:, t] = phi * x[:, t - 1] + e[:, t]
    return x


def _binomial_range(n, p=ALPHA):
    from scipy import stats

    lo, hi = stats.binom.ppf([0.025, 0.975], n, p) / n
    return lo, hi


def calibration(n_series=400, n=400, phi=0.5, B=199, seed=20261125):
    X = _ar1_rows(n_series, n, phi, seed)
    lo, hi = _binomial_range(n_series)
    print(f"\n1. CALIBRATION: {n_series} stationary AR(1) series, phi = {phi}, n = {n}; {B} surrogates each; "
          f"alpha = {ALPHA}")
    print(f"   (a valid test rejects ~{ALPHA:.0%}; binomial 95% range for {n_series} series: {lo:.1%}-{hi:.1%}; "
          "required 2%-8%)\n")
    header = f"   {'pipeline':<34s} {'test':<34s} {'variance':>9s} {'ar1':>9s} {'time':>7s}"
    print(header)
    print("   " + "-" * (len(header) - 3))
    rows = []
    configs = [
        ("gaussian bw 0.1, window 0.5", dict(detrend="gaussian", bandwidth=0.1, window=0.5)),
        ("no detrending, window 0.5", dict(detrend="none", window=0.5)),
        ("gaussian bw 0.1, window 0.25", dict(detrend="gaussian", bandwidth=0.1, window=0.25)),
    ]
    tests = [
        ("surrogates, null ar1 (residuals)", dict(null="ar1")),
        ("surrogates, null ar1 (state)", dict(null="ar1", fit_to="state")),
        ("surrogates, null phase", dict(null="phase")),
        ("surrogates, null block_bootstrap", dict(null="block_bootstrap")),
        ("surrogates, null shuffle", dict(null="shuffle")),
        ("indicator mode (Boers), phase, ols", dict(null="phase", mode="indicator", statistic="ols")),
    ]
    for ci, (cname, cfg) in enumerate(configs):
        pipe = ews.Pipeline(indicators=["variance", "ar1"], trend="kendall", **cfg)
        res = None
        for ti, (tname, kw) in enumerate(tests):
            if ci > 0 and ti > 0:
                continue  # the other nulls only for the first pipeline
            t0 = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ews.EWSWarning)
                res = surrogate_test(pipe, X, n_surrogates=B, seed=seed + ti, **kw)
            dt = time.perf_counter() - t0
            rej = (res.p_value.values <= ALPHA).mean(axis=1)
            rows.append((cname, tname, rej[0], rej[1]))
            print(f"   {cname:<34s} {tname:<34s} {rej[0]:9.1%} {rej[1]:9.1%} {dt:6.1f}s")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tb = ews.Pipeline(indicators=["variance", "ar1"], trend="kendall", **cfg).run(X) \
                .textbook_pvalues(alternative="greater").values
        rej = (tb <= ALPHA).mean(axis=1)
        rows.append((cname, "textbook Kendall p (one-sided)", rej[0], rej[1]))
        print(f"   {cname:<34s} {'textbook Kendall p (one-sided)':<34s} {rej[0]:9.1%} {rej[1]:9.1%}")
    ok = all(0.02 <= r[2] <= 0.08 and 0.02 <= r[3] <= 0.08 for r in rows
             if r[1] == "surrogates, null ar1 (residuals)")
    print(f"\n   requirement (null ar1, residuals: variance and ar1 within 2%-8%): {'MET' if ok else 'NOT MET'}")
    return rows


def _auc(null, test):
    from ews.roc import roc

    null = np.asarray(null, float)
    test = np.asarray(test, float)
    ok_n, ok_t = np.isfinite(null), np.isfinite(test)
    return roc(null[ok_n], test[ok_t]).auc


def power(n_rep=200, B=199, seed=7, likelihood=True, thin=10):
    print(f"\n2. POWER: {n_rep} fold simulations (forced) vs {n_rep} null twins (c held at its start), "
          "each cut before the transition")
    t0 = time.perf_counter()
    forced = ews.simulate("fold", replicates=n_rep, seed=seed, forced=True)
    twins = ews.simulate("fold", replicates=n_rep, seed=seed + 1, forced=False)
    cut = forced.before_transition()
    L = cut.lengths
    twins_cut = twins.with_lengths(L)
    print(f"   simulated in {time.perf_counter() - t0:.1f} s; pre-transition lengths {int(L.min())}-{int(L.max())} "
          f"points (median {int(np.median(L))})")
    pipe = ews.Pipeline(detrend="gaussian", bandwidth=0.1, window=0.5, indicators=["variance", "ar1"])
    res_f = surrogate_test(pipe, cut, null="ar1", n_surrogates=B, seed=seed)
    res_n = surrogate_test(pipe, twins_cut, null="ar1", n_surrogates=B, seed=seed + 1)
    print(f"\n   pipeline: gaussian detrending (bandwidth 0.1), window 0.5, Kendall tau; surrogate null ar1, B = {B}")
    print(f"   {'statistic':<48s} {'AUC':>6s} {'reject (forced)':>16s} {'reject (twins)':>15s}")
    out = {}
    for lab in ("variance", "ar1"):
        tf = res_f.statistic.sel(indicator=lab).values
        tn = res_n.statistic.sel(indicator=lab).values
        pf = res_f.p_value.sel(indicator=lab).values
        pn = res_n.p_value.sel(indicator=lab).values
        a_tau = _auc(tn, tf)
        a_p = _auc(1 - pn, 1 - pf)
        out[lab] = (a_tau, a_p)
        print(f"   {'Kendall tau of ' + lab:<48s} {a_tau:6.3f} {'':>16s} {'':>15s}")
        print(f"   {'surrogate p-value of ' + lab + ' (1 - p)':<48s} {a_p:6.3f} {np.mean(pf <= ALPHA):16.1%} "
              f"{np.mean(pn <= ALPHA):15.1%}")
    if not likelihood:
        print("\n   likelihood-ratio deviance: skipped (--skip-likelihood)")
        return out
    try:
        from ews import likelihood as lik  # noqa: F401
        fit = lik.fit
    except (ImportError, AttributeError):
        print("\n   likelihood-ratio deviance: PENDING (ews.likelihood is not available yet)")
        return out
    t0 = time.perf_counter()
    dev = {}
    for name, ts in (("forced", cut), ("twins", twins_cut)):
        X = ts.values
        t = ts.t
        d = np.full(X.shape[0], np.nan)
        for i in range(X.shape[0]):
            Li = int(ts.lengths[i])
            idx = np.arange(0, Li, thin)
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    ou = fit(t[idx], X[i, idx], model="ou")
                    lsn = fit(t[idx], X[i, idx], model="lsn")
                d[i] = -2.0 * (ou.loglik - lsn.loglik)
            except Exception as exc:  # noqa: BLE001 - report and go on
                print(f"      fit failed on {name} {i}: {exc}")
        dev[name] = d
    a_dev = _auc(dev["twins"], dev["forced"])
    out["deviance"] = a_dev
    print(f"   {'LR deviance -2(l_OU - l_LSN), every ' + str(thin) + 'th point':<48s} {a_dev:6.3f}"
          f"   ({time.perf_counter() - t0:.0f} s for {2 * n_rep} x 2 fits)")
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="fewer series and surrogates (a smoke run)")
    ap.add_argument("--skip-power", action="store_true")
    ap.add_argument("--skip-likelihood", action="store_true")
    args = ap.parse_args(argv)
    print(f"ews {ews.__version__}; {os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f}")
    if args.quick:
        calibration(n_series=100, B=49)
        if not args.skip_power:
            power(n_rep=40, B=49, likelihood=not args.skip_likelihood)
    else:
        calibration()
        if not args.skip_power:
            power(likelihood=not args.skip_likelihood)
    return 0


if __name__ == "__main__":
    sys.exit(main())

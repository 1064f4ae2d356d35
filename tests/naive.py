"""Deliberately simple reference implementations (two-pass, one window at a time).

Each fast path in ews is tested against the function of the same name here. Nothing clever: numpy on
each window, textbook formulas, O(n w) or worse.
"""
import numpy as np


def windows(x, w):
    """List of (end index, window array) for right-aligned windows of w points."""
    return [(j, np.asarray(x[j - w + 1 : j + 1], dtype=float)) for j in range(w - 1, len(x))]


def rolling(x, w, f):
    out = np.full(len(x), np.nan)
    for j, win in windows(x, w):
        out[j] = f(win)
    return out


def _is_const(v):
    return np.all(v == v[0])


def _center(v):
    """Corrected two-pass centering: z = v - mean(v), then z - mean(z).

    The second pass removes the rounding error of the first mean (which, for data at 1e6 + 1e-3 noise,
    is not negligible against the spread)."""
    z = v - np.mean(v)
    return z - np.mean(z)


def mean(v):
    m = np.mean(v)
    return m + np.mean(v - m)


def variance(v):
    z = _center(v)
    return np.sum(z**2) / (len(v) - 1)


def std(v):
    return np.sqrt(variance(v))


def skewness(v, adjusted=False):
    if _is_const(v):
        return np.nan
    z = _center(v)
    w = len(v)
    m2 = np.mean(z**2)
    m3 = np.mean(z**3)
    g1 = m3 / m2**1.5
    return g1 * np.sqrt(w * (w - 1)) / (w - 2) if adjusted else g1


def kurtosis(v, excess=True, adjusted=False):
    if _is_const(v):
        return np.nan
    z = _center(v)
    w = len(v)
    m2 = np.mean(z**2)
    m4 = np.mean(z**4)
    b2 = m4 / m2**2
    if adjusted:
        return ((w + 1) * (b2 - 3) + 6) * (w - 1) / ((w - 2) * (w - 3))
    return b2 - 3 if excess else b2


def ar1(v):
    """OLS AR(1) through the origin on the demeaned window (R's ar.ols(demean=TRUE, intercept=FALSE))."""
    if _is_const(v):
        return np.nan
    z = _center(v)
    return np.sum(z[1:] * z[:-1]) / np.sum(z[:-1] ** 2)


def autocorrelation(v, lag=1):
    """Pearson correlation of the pairs (x_t, x_{t+lag}) in the window (pandas Series.autocorr)."""
    a, b = v[:-lag], v[lag:]
    if _is_const(v) or _is_const(a) or _is_const(b):
        return np.nan
    a = _center(a)
    b = _center(b)
    return np.sum(a * b) / np.sqrt(np.sum(a * a) * np.sum(b * b))


def acf(v, lag=1):
    """Biased sample autocorrelation (R's acf): sum z_t z_{t+k} / sum z_t^2."""
    if _is_const(v):
        return np.nan
    z = _center(v)
    return np.sum(z[lag:] * z[:-lag]) / np.sum(z * z)


def density_ratio_ar1(v, low, high):
    """Ratio of the fitted AR(1) (Yule-Walker, r = acf1) spectrum at frequencies low and high."""
    r = acf(v, 1)
    s = lambda f: 1.0 / (1.0 - 2.0 * r * np.cos(2 * np.pi * f) + r * r)  # noqa: E731
    return s(low) / s(high)


def kendall_tau_b(y):
    """Kendall tau-b of y against its index (no ties in the index), by counting all pairs."""
    y = np.asarray(y, dtype=float)
    y = y[np.isfinite(y)]
    n = len(y)
    conc = disc = ties_y = 0
    for i in range(n):
        for j in range(i + 1, n):
            if y[j] > y[i]:
                conc += 1
            elif y[j] < y[i]:
                disc += 1
            else:
                ties_y += 1
    n0 = n * (n - 1) / 2
    den = np.sqrt(n0 * (n0 - ties_y))
    if n < 2:
        return np.nan
    return (conc - disc) / den if den > 0 else 0.0  # all tied: a flat series has no trend


def spearman_rho(y):
    from scipy.stats import rankdata

    y = np.asarray(y, dtype=float)
    y = y[np.isfinite(y)]
    ry = rankdata(y)
    rx = np.arange(1, len(y) + 1, dtype=float)
    ry = ry - ry.mean()
    rx = rx - rx.mean()
    if len(y) < 2:
        return np.nan
    if not np.any(ry):
        return 0.0  # all tied: a flat series has no trend
    return np.sum(rx * ry) / np.sqrt(np.sum(rx * rx) * np.sum(ry * ry))


def ols_slope(t, y):
    t = np.asarray(t, dtype=float)
    y = np.asarray(y, dtype=float)
    ok = np.isfinite(y)
    t, y = t[ok], y[ok]
    tc = t - t.mean()
    return np.sum(tc * (y - y.mean())) / np.sum(tc * tc)


def gaussian_nw(t, x, sigma, truncate=4.0):
    """Nadaraya-Watson with a Gaussian kernel of sd sigma (time units), weights cut at |dt| > truncate*sigma,
    renormalised at the edges: trend_i = sum_j K(t_j - t_i) x_j / sum_j K(t_j - t_i)."""
    t = np.asarray(t, float)
    x = np.asarray(x, float)
    out = np.empty_like(x)
    for i in range(len(x)):
        d = t - t[i]
        k = np.exp(-0.5 * (d / sigma) ** 2)
        k[np.abs(d) > truncate * sigma * (1 + 1e-12)] = 0.0
        out[i] = np.sum(k * x) / np.sum(k)
    return out


def bimodality(v, adjusted=True):
    """Sarle's bimodality coefficient from scipy's skewness and kurtosis (two-pass)."""
    from scipy import stats

    if _is_const(v):
        return np.nan
    n = len(v)
    z = _center(v)
    g1 = stats.skew(z, bias=not adjusted)
    g2 = stats.kurtosis(z, bias=not adjusted)  # excess
    if adjusted:
        return (g1**2 + 1) / (g2 + 3 * (n - 1) ** 2 / ((n - 2) * (n - 3)))
    return (g1**2 + 1) / (g2 + 3)


def wells(v, grid_size=100, threshold=0.1, bw_adjust=1.0):
    """Number of potential wells of a window by scipy: gaussian_kde on the padded grid, then
    scipy.signal.peak_prominences against threshold * max density (the rule of ews.potential)."""
    from scipy import signal, stats

    v = np.asarray(v, dtype=float)
    if _is_const(v):
        return np.nan
    sd = np.std(v, ddof=1)
    q75, q25 = np.percentile(v, [75, 25])
    s = min(sd, (q75 - q25) / 1.34) if q75 > q25 else sd
    h = bw_adjust * 1.06 * s * len(v) ** -0.2
    grid = np.linspace(v.min() - h, v.max() + h, grid_size)
    p = stats.gaussian_kde(v, bw_method=h / sd)(grid)
    peaks, _ = signal.find_peaks(p)  # interior maxima; the grid ends lie a bandwidth beyond the data
    prom = signal.peak_prominences(p, peaks)[0]
    return float(np.sum(prom >= threshold * p.max()))


def permutation_entropy(v, order=3, delay=1):
    """Normalised permutation entropy by counting stable-argsort patterns (Bandt & Pompe 2002)."""
    import math

    v = np.asarray(v, dtype=float)
    n = len(v) - (order - 1) * delay
    pats = {}
    for t in range(n):
        key = tuple(np.argsort(v[t: t + (order - 1) * delay + 1: delay], kind="stable"))
        pats[key] = pats.get(key, 0) + 1
    p = np.array(list(pats.values()), dtype=float) / n
    return float(-np.sum(p * np.log(p)) / math.log(math.factorial(order)))

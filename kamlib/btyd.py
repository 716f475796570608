"""Lifetime value, probabilistic model: BG/NBD purchases and Gamma-Gamma spend.

For accounts that buy when they like (no contract says when they leave), the BG/NBD model
(Fader, Hardie and Lee 2005, "Counting your customers the easy way") estimates how many
purchases each will make and the probability it is still "alive"; Gamma-Gamma (Fader,
Hardie and Lee 2005, "RFM and CLV") estimates its spend per purchase. Both take the usual
per-account summary: ``frequency`` (repeat purchase periods), ``recency`` (first to last
purchase), ``T`` (first purchase to the end of the calibration period), all in one time
unit, and ``monetary_value`` (mean spend of the repeat purchases).

The fitting is done by a maintained library behind a small adapter (:data:`BACKENDS`), not by
likelihoods written here: today the ``lifetimes`` package (``pip install 'kamkit[clv]'``),
whose maximum-likelihood fit reproduces the published CDNOW figures in a tenth of a second.

What the model cannot judge, it does not pretend to. An account without a repeat purchase is
"alive" by the model's assumption (it can only drop out after a purchase), so its
probability alive says nothing, however long it has been silent: ``p_alive`` is left empty
and ``judged`` is False. A fit that does not converge (accounts that buy like clockwork
break the model's assumptions) is a one-line ``ValueError``, never the optimiser's dump.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from kamlib._frames import DateLike, _examples, require_columns, require_numeric
from kamlib.data.needs import Notice
from kamlib.profiles import peer_summary_from_cube

__all__ = ["BtydFit", "model_summary", "fit_bgnbd", "predict_purchases", "fit_gamma_gamma",
           "expected_spend", "gamma_gamma_spend", "probabilistic_clv", "not_installed",
           "BACKENDS"]

Z95 = 1.959963984540054  # two-sided 95% normal quantile: parameter intervals


@dataclass(frozen=True)
class BtydFit:
    """A fitted model: the parameter table and the backend's own model object."""

    model: str  # "bgnbd" or "gamma_gamma"
    backend: str
    parameters: pd.DataFrame  # parameter, estimate, se, lower_95, upper_95
    n_accounts: int
    fitted: Any = field(repr=False, compare=False)

    def _repr_html_(self) -> str:
        return (f"<p>{self.model} fit on {self.n_accounts:,} accounts ({self.backend})</p>"
                + self.parameters.to_html(index=False, float_format="{:.4f}".format))


class _Lifetimes:
    """Adapter for ``lifetimes`` (MLE with standard errors from the Hessian)."""

    name = "lifetimes"

    def _lib(self, where: str):
        try:
            with warnings.catch_warnings():
                # lifetimes sets pandas' chained_assignment option on import, deprecated
                # (and without effect) since pandas 3: not the user's concern
                warnings.simplefilter("ignore", FutureWarning)
                warnings.simplefilter("ignore", DeprecationWarning)
                return importlib.import_module("lifetimes")
        except ImportError:
            raise ImportError(f"{where}: the probabilistic lifetime-value model needs the "
                              "'lifetimes' package: pip install 'kamkit[clv]' (or "
                              "pip install lifetimes)") from None

    def _table(self, fitter) -> pd.DataFrame:
        est = fitter.params_.astype("float64")
        se = fitter.standard_errors_.reindex(est.index).astype("float64")
        return pd.DataFrame({"parameter": est.index, "estimate": est.to_numpy(),
                             "se": se.to_numpy(), "lower_95": (est - Z95 * se).to_numpy(),
                             "upper_95": (est + Z95 * se).to_numpy()})

    def fit_bgnbd(self, x, t_x, T, penalizer: float):
        lib = self._lib("fit_bgnbd")
        fitter = lib.BetaGeoFitter(penalizer_coef=penalizer)
        _quiet_fit(fitter, "fit_bgnbd", len(x), x, t_x, T)
        return fitter, self._table(fitter)

    def predict(self, fitter, t: float, x, t_x, T):
        purchases = fitter.conditional_expected_number_of_purchases_up_to_time(t, x, t_x, T)
        alive = fitter.conditional_probability_alive(x, t_x, T)
        return np.asarray(purchases, dtype="float64"), np.asarray(alive, dtype="float64")

    def fit_gamma_gamma(self, x, m, penalizer: float):
        fitter = self._lib("fit_gamma_gamma").GammaGammaFitter(penalizer_coef=penalizer)
        _quiet_fit(fitter, "fit_gamma_gamma", len(x), x, m)
        return fitter, self._table(fitter)

    def expected_spend(self, fitter, x, m):
        return np.asarray(fitter.conditional_expected_average_profit(x, m), dtype="float64")

    def clv(self, spend_fitter, bgnbd_fitter, x, t_x, T, m, months: int, monthly_rate: float,
            freq: str):
        value = spend_fitter.customer_lifetime_value(
            bgnbd_fitter, x, t_x, T, m, time=months, discount_rate=monthly_rate, freq=freq)
        return np.asarray(value, dtype="float64")


def _quiet_fit(fitter, where: str, n: int, *data) -> None:
    """``fitter.fit(*data)`` with the library's printing kept off the page; a fit that does
    not converge (or gives no finite parameters) is one ValueError line."""
    shown = io.StringIO()
    try:
        with contextlib.redirect_stdout(shown), contextlib.redirect_stderr(shown), \
                warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            fitter.fit(*data)
    except Exception as err:  # noqa: BLE001 - the library's ConvergenceError and numpy's
        raise ValueError(f"{where}: the model did not converge on these {n:,} accounts "
                         "(accounts that buy at the same rhythm, or too few repeat purchases, "
                         f"break its assumptions; {type(err).__name__})") from None
    params = getattr(fitter, "params_", None)
    if params is None or not np.isfinite(np.asarray(params, dtype="float64")).all():
        raise ValueError(f"{where}: the model did not converge on these {n:,} accounts "
                         "(no finite parameters)")


BACKENDS: dict[str, Any] = {"lifetimes": _Lifetimes()}


def not_installed(what: str, backend: str = "lifetimes") -> Notice | None:
    """None when the backend can be imported; else a :class:`~kamlib.data.needs.Notice`
    saying that ``what`` is not shown and which extra to install.

    A report shows the notice in place of the model's figures (and the index lists it).

    Examples
    --------
    >>> n = not_installed("Expected purchases", backend="no_such_backend")
    >>> print(n)
    Expected purchases is not shown: the probabilistic model needs the 'no_such_backend' package (pip install 'kamkit[clv]').
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            warnings.simplefilter("ignore", DeprecationWarning)
            importlib.import_module(backend)
    except ImportError:
        return Notice(what, (), f"the probabilistic model needs the {backend!r} package "
                                "(pip install 'kamkit[clv]').")
    return None


def _backend(name: str, where: str):
    if name not in BACKENDS:
        raise ValueError(f"{where}: backend must be one of {sorted(BACKENDS)}, got {name!r}")
    return BACKENDS[name]


def _summary(summary: pd.DataFrame, cols: list[str], account: str | None,
             where: str) -> pd.DataFrame:
    require_columns(summary, cols + ([account] if account else []), where)
    for c in cols:
        require_numeric(summary, c, where)
    ids = summary[account] if account else pd.Series(summary.index, index=summary.index)
    bad = summary[cols].isna().any(axis=1)
    if bad.any():
        raise ValueError(f"{where}: {int(bad.sum())} account(s) have a missing value in "
                         f"{cols}: {_examples(ids[bad])}")
    if len(summary) == 0:
        raise ValueError(f"{where}: the summary has no accounts")
    return summary


def model_summary(account_timing: pd.DataFrame, *, observation_end: DateLike,
                  account: str = "account_id") -> pd.DataFrame:
    """The summary every report fits BG/NBD and Gamma-Gamma on, from the cube.

    A purchase is a day with positive net revenue (a credit note on a day of its own is
    not one); ``recency`` and ``T`` are in weeks of 7 days, counted from days (days / 7), as
    Fader, Hardie and Lee summarise CDNOW: on it this path gives their published r 0.243,
    alpha 4.414, a 0.793, b 2.426 (whole weeks would give r 0.283, alpha 6.591). So a
    ``horizon`` of :func:`predict_purchases` is in weeks, and ``unit="W"`` in
    :func:`probabilistic_clv`.

    Examples
    --------
    >>> import ibis
    >>> from kamlib.data.cube import build_cube
    >>> lines = pd.DataFrame({"account_id": ["a", "a", "b"], "revenue": [100.0, 50.0, 30.0],
    ...     "date": pd.to_datetime(["2024-01-10", "2024-01-20", "2024-02-01"]),
    ...     "product": "p", "cost": 1.0, "invoice_id": ["1", "2", "3"], "quantity": 1.0})
    >>> s = model_summary(build_cube(ibis.memtable(lines)).account_timing,
    ...                   observation_end="2024-02-07")
    >>> s.round(4).values.tolist()  # a: 10 days / 7, T 28 days / 7; b: T 6 days / 7
    [[1.0, 1.4286, 4.0, 50.0], [0.0, 0.0, 0.8571, 0.0]]
    """
    return peer_summary_from_cube(account_timing, observation_end=observation_end, freq="D",
                                  unit="W", purchases_only=True, account=account)


def _check_rfm(summary, frequency, recency, T, account, where) -> None:
    _summary(summary, [frequency, recency, T], account, where)
    ids = summary[account] if account else pd.Series(summary.index, index=summary.index)
    x, t_x, t = summary[frequency], summary[recency], summary[T]
    rules = [(x < 0, f"{frequency} below 0"),
             (x != np.floor(x), f"{frequency} not a whole number of repeat purchases"),
             (t_x < 0, f"{recency} below 0"), (t_x > t, f"{recency} after {T}"),
             ((x == 0) & (t_x != 0), f"{recency} not 0 while {frequency} is 0")]
    for mask, rule in rules:
        if mask.any():
            raise ValueError(f"{where}: {int(mask.sum())} account(s) have {rule}: "
                             f"{_examples(ids[mask])}; build the summary as in "
                             "lifetimes.utils.summary_data_from_transaction_data")


def fit_bgnbd(summary: pd.DataFrame, *, frequency: str = "frequency",
              recency: str = "recency", T: str = "T", account: str | None = None,
              penalizer: float = 0.0, backend: str = "lifetimes") -> BtydFit:
    """Fit the BG/NBD model of repeat purchases to a per-account summary.

    Returns
    -------
    BtydFit
        ``parameters``: r, alpha, a, b with standard errors and 95% intervals (estimate
        +- 1.96 se, from the backend's Hessian); pass the fit to :func:`predict_purchases`.
    """
    where = "fit_bgnbd"
    _check_rfm(summary, frequency, recency, T, account, where)
    fitted, table = _backend(backend, where).fit_bgnbd(
        summary[frequency], summary[recency], summary[T], penalizer)
    return BtydFit("bgnbd", backend, table, len(summary), fitted)


def predict_purchases(fit: BtydFit, summary: pd.DataFrame, *, horizon: float,
                      frequency: str = "frequency", recency: str = "recency", T: str = "T",
                      account: str | None = None) -> pd.DataFrame:
    """Expected purchases in the next ``horizon`` time units and the probability alive.

    Returns
    -------
    DataFrame
        ``account`` (or the summary's index), ``expected_purchases``, ``p_alive`` and
        ``judged``, in the summary's order. ``judged`` is False (and ``p_alive`` empty) for
        an account without a repeat purchase: the model takes it as alive by assumption.
        The backend gives no interval for these per-account figures.
    """
    where = "predict_purchases"
    if fit.model != "bgnbd":
        raise ValueError(f"{where}: needs a fit_bgnbd result, got a {fit.model} fit")
    _check_rfm(summary, frequency, recency, T, account, where)
    purchases, alive = _backend(fit.backend, where).predict(
        fit.fitted, horizon, summary[frequency], summary[recency], summary[T])
    judged = (summary[frequency] > 0).to_numpy()
    out = pd.DataFrame({"expected_purchases": purchases,
                        "p_alive": np.where(judged, alive, np.nan), "judged": judged},
                       index=summary.index)
    return _with_ids(out, summary, account)


def _with_ids(out: pd.DataFrame, summary: pd.DataFrame, account: str | None) -> pd.DataFrame:
    if account:
        out.insert(0, account, summary[account].to_numpy())
        return out.reset_index(drop=True)
    return out


def _repeat_buyers(summary, frequency, monetary_value, account, where):
    _summary(summary, [frequency, monetary_value], account, where)
    keep = (summary[frequency] > 0) & (summary[monetary_value] > 0)
    return summary[keep], int((~keep).sum())


def fit_gamma_gamma(summary: pd.DataFrame, *, frequency: str = "frequency",
                    monetary_value: str = "monetary_value", account: str | None = None,
                    penalizer: float = 0.0, backend: str = "lifetimes") -> BtydFit:
    """Fit the Gamma-Gamma model of spend per purchase to the repeat buyers.

    Only accounts with ``frequency`` > 0 and ``monetary_value`` > 0 are fitted (the model
    needs a repeat purchase of positive value; accounts with only credit notes have none);
    ``n_accounts`` says how many were. Parameters p, q, v with standard errors and 95%
    intervals.
    """
    where = "fit_gamma_gamma"
    rows, _ = _repeat_buyers(summary, frequency, monetary_value, account, where)
    if rows.empty:
        raise ValueError(f"{where}: no account has a repeat purchase of positive value")
    fitted, table = _backend(backend, where).fit_gamma_gamma(
        rows[frequency], rows[monetary_value], penalizer)
    return BtydFit("gamma_gamma", backend, table, len(rows), fitted)


def expected_spend(fit: BtydFit, summary: pd.DataFrame, *, frequency: str = "frequency",
                   monetary_value: str = "monetary_value",
                   account: str | None = None) -> pd.DataFrame:
    """Expected spend per purchase of each account (``expected_spend``), shrunk towards the
    population mean the fewer purchases it has; an account without a repeat purchase gets
    the population mean."""
    where = "expected_spend"
    if fit.model != "gamma_gamma":
        raise ValueError(f"{where}: needs a fit_gamma_gamma result, got a {fit.model} fit")
    _summary(summary, [frequency, monetary_value], account, where)
    x = summary[frequency].where(summary[monetary_value] > 0, 0)
    m = summary[monetary_value].clip(lower=0)
    spend = _backend(fit.backend, where).expected_spend(fit.fitted, x, m)
    return _with_ids(pd.DataFrame({"expected_spend": spend}, index=summary.index), summary,
                     account)


def gamma_gamma_spend(summary: pd.DataFrame, *, p: float, q: float, v: float,
                      frequency: str = "frequency",
                      monetary_value: str = "monetary_value") -> pd.Series:
    """Expected spend per purchase under Gamma-Gamma parameters ``p``, ``q``, ``v``, written
    out: (p (v + x m)) / (p x + q - 1), with x the repeat purchases and m their mean spend.

    The population mean p v / (q - 1) weighed against the account's own mean m by its x
    repeat purchases: the formula :func:`expected_spend` evaluates through the backend. As
    there, an account whose mean repeat spend is 0 or below counts as without repeat
    purchases (x = 0): it gets the population mean. Needs q > 1.

    >>> s = pd.DataFrame({"frequency": [0, 4], "monetary_value": [0.0, 50.0]})
    >>> gamma_gamma_spend(s, p=2.0, q=3.0, v=20.0).tolist()  # mean 20; (2 x 220) / 10
    [20.0, 44.0]
    """
    if not q > 1:
        raise ValueError(f"gamma_gamma_spend: q must be above 1 (the mean spend is finite), "
                         f"got {q!r}")
    x = summary[frequency].where(summary[monetary_value] > 0, 0).astype("float64")
    m = summary[monetary_value].clip(lower=0).astype("float64")
    return (p * (v + x * m) / (p * x + q - 1)).rename("expected_spend")


def probabilistic_clv(bgnbd: BtydFit, gamma_gamma: BtydFit, summary: pd.DataFrame, *,
                      months: int = 12, yearly_discount_rate: float = 0.1, margin: float = 1.0,
                      unit: str = "W", frequency: str = "frequency", recency: str = "recency",
                      T: str = "T", monetary_value: str = "monetary_value",
                      account: str | None = None) -> pd.DataFrame:
    """Discounted value of each account's expected purchases over the next ``months``.

    Expected purchases (BG/NBD) x expected spend (Gamma-Gamma) month by month, discounted
    monthly at the rate equivalent to ``yearly_discount_rate``, times ``margin`` (the
    share of revenue that is profit; 1 gives revenue). ``unit`` is the summary's time unit:
    "D" days, "W" weeks, "M" months.

    Returns
    -------
    DataFrame
        ``account`` (or the index), ``clv``, plus ``months``, ``yearly_discount_rate`` and
        ``margin`` so the assumptions travel with the result.
    """
    where = "probabilistic_clv"
    if (bgnbd.model, gamma_gamma.model) != ("bgnbd", "gamma_gamma"):
        raise ValueError(f"{where}: pass a fit_bgnbd and a fit_gamma_gamma result")
    if unit not in ("D", "W", "M"):
        raise ValueError(f"{where}: unit must be 'D', 'W' or 'M', got {unit!r}")
    _check_rfm(summary, frequency, recency, T, account, where)
    _summary(summary, [monetary_value], account, where)
    monthly = (1 + yearly_discount_rate) ** (1 / 12) - 1
    # a mean repeat spend of 0 or below (credit notes) tells nothing about spend: it is
    # shrunk fully to the population mean, like an account without repeat purchases
    value = _backend(bgnbd.backend, where).clv(
        gamma_gamma.fitted, bgnbd.fitted, summary[frequency], summary[recency], summary[T],
        summary[monetary_value].clip(lower=0), int(months), monthly, unit)
    out = pd.DataFrame({"clv": value * margin, "months": int(months),
                        "yearly_discount_rate": float(yearly_discount_rate),
                        "margin": float(margin)}, index=summary.index)
    return _with_ids(out, summary, account)

"""The sample's relationship events, in step with the generator's account stories.

Larger accounts recommend us, work with us on the solution, plan jointly and sign multi-year
contracts more often; customisation follows size and service appetite; accounts that are
lost complain and escalate in the months before they go quiet, as do declining ones. Events
draw from a random stream of their own (``[seed, 22]``), so adding them leaves every other
table of the sample as it was.

Examples
--------
>>> from kamlib.data.sample import generate_sample
>>> events = generate_sample(n_accounts=200, years=2, seed=3)["events"]
>>> list(events.columns)
['account_id', 'date', 'type', 'note']
>>> bool(events["type"].isin(["referral", "complaint"]).any())
True
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["sample_events", "EVENT_RATES"]

# Expected events per account and year, as (at the median size, more per tenfold size):
# a tenfold larger account (log10 of its size over 20,000 one higher) has `per_size` more.
EVENT_RATES: dict[str, tuple[float, float]] = {
    "referral": (0.05, 0.25),
    "co-development": (0.0, 0.08),
    "joint planning": (0.0, 0.09),
    "marketing decision": (0.0, 0.03),
    "customisation": (0.02, 0.15),
    "multi-year contract": (0.0, 0.08),
    "joint investment": (0.0, 0.03),
    "complaint": (0.15, 0.1),
    "escalation": (0.02, 0.02),
}
# Upper-stage events come later in a relationship: their dates lean to its last year.
LATE = ("co-development", "joint planning", "marketing decision", "joint investment")
NOTES = {
    "referral": "Recommended us to a peer company",
    "co-development": "Pilot of an improved solution with their IT team",
    "joint planning": "Joint planning session for next year's projects",
    "marketing decision": "Took part in our product and pricing council",
    "customisation": "Customised service package and reporting",
    "multi-year contract": "Signed a three-year framework contract",
    "joint investment": "Shared investment in a dedicated network site",
    "complaint": "Complaint about service quality, handled with their team",
    "escalation": "Escalated an outage to our management",
}


def sample_events(rng: np.random.Generator, acc: pd.DataFrame, months: pd.DatetimeIndex,
                  end: pd.Timestamp) -> pd.DataFrame:
    """Events (account_id, date, type, note) of the generator's accounts ``acc`` (with its
    generation state ``_base``, ``_first``, ``_last``, ``_growth``, ``_appetite``)."""
    n, m = len(acc), len(months)
    size = np.clip(np.log10(acc["_base"].to_numpy() / 20_000), -1, None)
    first, last = acc["_first"].to_numpy(), acc["_last"].to_numpy()
    years = (last - first + 1) / 12
    lost = last < m - 1
    declining = acc["_growth"].to_numpy() < -0.12
    rows: list[tuple[int, int, str]] = []  # (account, month, type)
    for kind, (base, per_size) in EVENT_RATES.items():
        rate = np.clip(base + per_size * size, 0, None)
        if kind == "customisation":
            rate = rate * acc["_appetite"].to_numpy()
        if kind in ("complaint", "escalation"):
            rate = rate * np.where(declining, 3.0, 1.0)
        counts = rng.poisson(rate * years)
        for i in np.flatnonzero(counts):
            span = last[i] - first[i] + 1
            for _ in range(counts[i]):
                u = rng.random() ** (0.5 if kind in LATE else 1.0)  # late events lean late
                rows.append((i, first[i] + int(u * span), kind))
    # the stories of lost accounts: complaints, and often an escalation, before the silence
    for i in np.flatnonzero(lost):
        if rng.random() < 0.6:
            for _ in range(1 + rng.poisson(0.8)):
                rows.append((i, max(first[i], last[i] - int(rng.integers(0, 6))), "complaint"))
        if rng.random() < 0.3:
            rows.append((i, max(first[i], last[i] - int(rng.integers(0, 4))), "escalation"))
    acc_i = np.array([r[0] for r in rows], dtype=int)
    month = np.clip(np.array([r[1] for r in rows], dtype=int), 0, m - 1)
    day = pd.to_timedelta(rng.integers(0, 28, len(rows)), unit="D")
    kinds = np.array([r[2] for r in rows], dtype=object)
    out = pd.DataFrame({"account_id": acc["account_id"].to_numpy()[acc_i],
                        "date": np.minimum((months[month] + day).values, end.to_datetime64()),
                        "type": kinds, "note": [NOTES[k] for k in kinds]})
    out = out.drop_duplicates()  # one event of a kind per account and day
    return out.sort_values(["date", "account_id", "type"], kind="mergesort", ignore_index=True)

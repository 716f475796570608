"""The plans' portfolio as ``kam build`` hands it over: computed on a worker and saved there.

:func:`portfolio_for` computes the portfolio frames of a data set (what every plan reads);
:func:`save_for_plans` writes them and keeps in memory only the few the plans run reads
itself (:data:`READ_HERE`), so neither the build process nor the worker holds the rest (the
relationship history of every account: hundreds of MB on a large log).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kamlib.data.config import Config

__all__ = ["READ_HERE", "SavedPortfolio", "portfolio_for", "save_for_plans",
           "given_portfolio", "save_relationships_of"]

# the portfolio frames the plans run reads itself once they are saved (the index's figures,
# the calendars, the template); each plan reads its own rows of the others from the Parquet
READ_HERE = ("info", "matrix", "wallet", "pnl", "clv", "schedule")


def portfolio_for(ds, cfg: Config) -> dict:
    """The portfolio frames of ``ds`` with ``cfg``'s ``[plans]`` settings (what every plan
    reads); ``kam build`` computes them while its report notebooks run."""
    from kamlib._memory import give_back
    from kamlib.planning.portfolio import portfolio_frames

    # the account_notes table, once the data contract has it (another branch)
    frames = portfolio_frames(ds, **cfg.plans.portfolio_settings(),
                              notes=getattr(ds, "account_notes", None))
    give_back()  # what computing them freed (the relationship history: hundreds of MB)
    return frames


@dataclass
class SavedPortfolio:
    """Portfolio frames already saved in ``folder``; ``frames`` keeps only :data:`READ_HERE`."""

    folder: Path
    frames: dict


def save_for_plans(ds, cfg: Config, folder: Path) -> SavedPortfolio:
    """:func:`portfolio_for` saved into ``folder``, with only the frames the plans run reads
    itself kept in memory (``kam build`` runs this on a worker while the reports run)."""
    from kamlib.planning.portfolio import save_portfolio

    frames = portfolio_for(ds, cfg)
    save_portfolio(frames, folder)
    _keep_only(frames, READ_HERE)
    return SavedPortfolio(Path(folder), frames)


def given_portfolio(frames, ds, cfg: Config):
    """The portfolio frames given (a dict, or a Future of a :class:`SavedPortfolio`), or
    computed here when none were given or the worker computing them died (out of memory,
    killed: the build's pool is then renewed, and the plans still written)."""
    from concurrent.futures.process import BrokenProcessPool

    if hasattr(frames, "result"):
        try:
            return frames.result()
        except BrokenProcessPool:
            return portfolio_for(ds, cfg)
    return frames if frames is not None else portfolio_for(ds, cfg)


def save_relationships_of(ds, prepared: Path) -> None:
    """Compute ``ds``'s relationship frames and save them with its prepared data (``kam
    build``, on a worker: module 15 and the portfolio then read them there); ``ds`` keeps
    them as saved, read back frame by frame when asked for. Data too short or thin for
    them saves nothing (module 15 and the portfolio then say why, as without a build)."""
    from kamlib._memory import give_back
    from kamlib.relationships import dataset_relationships
    from kamlib.relationships.saved import FOLDER, SavedRelationships, save_relationships

    if getattr(ds, "relationships", None) is not None:
        return
    try:
        frames = dataset_relationships(ds)
    except ValueError:
        return
    save_relationships(frames, Path(prepared) / FOLDER)
    ds.relationships = SavedRelationships(Path(prepared) / FOLDER)
    del frames
    give_back()


def _keep_only(frames: dict, names: Iterable[str]) -> None:
    """Drop every frame but ``names`` from ``frames`` (in place: the build's Future holds
    the same dict) and give the freed memory back to the system.

    >>> frames = {"info": 1, "notes": 2}
    >>> _keep_only(frames, ["info"]); frames
    {'info': 1}
    """
    from kamlib._memory import give_back

    for name in [n for n in frames if n not in names]:
        del frames[name]
    give_back()

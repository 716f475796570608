"""Retention (module 16): losses over time, the win-back list, loyalty tiers, dealer scoring.

Pure functions, DataFrame in, DataFrame out: :mod:`~kamlib.retention.losses` (every lost
spell, losses per period, comebacks), :mod:`~kamlib.retention.winback` (the ranked list with
offers), :mod:`~kamlib.retention.loyalty` (tiers, their what-if, points and paid membership),
:mod:`~kamlib.retention.dealers` (the dealer score, co-investment ceilings, the bonus merge).
:func:`dataset_winback` builds the win-back list of a loaded data set, as pages and plans use it.
"""

from kamlib.retention.dealers import DEFAULT_CRITERIA, bonus_merge, dealer_scores
from kamlib.retention.frames import dataset_spells, dataset_winback
from kamlib.retention.losses import (comebacks, lost_at, lost_rules_side_by_side, lost_spells,
                                     loss_trend, losses_by_period, service_cost_by_month)
from kamlib.retention.loyalty import (assign_tiers, paid_membership, points_programme,
                                      programme_comparison, tier_moves, tier_what_if)
from kamlib.retention.winback import (OFFERS, WinbackRules, offer_summary, return_chance,
                                      winback_candidates, winback_list)

__all__ = ["lost_spells", "lost_at", "losses_by_period", "loss_trend", "comebacks",
           "service_cost_by_month", "lost_rules_side_by_side", "WinbackRules", "OFFERS",
           "return_chance", "winback_candidates", "winback_list", "offer_summary",
           "assign_tiers", "tier_moves", "tier_what_if", "points_programme", "paid_membership", "programme_comparison",
           "DEFAULT_CRITERIA", "dealer_scores", "bonus_merge", "dataset_spells",
           "dataset_winback"]

"""Account planning (IDIC): the figures of one plan per key account.

Identify (:mod:`~kamlib.planning.dossier`, :mod:`~kamlib.planning.contacts`), Differentiate
(:mod:`~kamlib.planning.differentiate`), Interact (:mod:`~kamlib.planning.schedule`),
Customize (:mod:`~kamlib.planning.customize`) and the account manager's written inputs
(:mod:`~kamlib.planning.notes`). Every function computes the whole portfolio in one call and
returns a frame with an ``account_id`` column: a plan selects its account's rows, so
hundreds of plans cost one computation.
"""

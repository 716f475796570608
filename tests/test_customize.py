"""Customize: cross-sell proposals with their evidence and bundles, against hand-computed lifts."""

from __future__ import annotations

import pandas as pd
import pytest

from kamlib.planning.customize import bundles, cross_sell, win_chances

# Banks (a-e) buy Security far more often than the portfolio; a does not buy it yet.
# Retail (f-j) rarely does. Spend of the banks on Security: 100, 200, 300 (median 200).
LINES = [("a", "Cloud", 500.0), ("b", "Cloud", 50.0), ("b", "Security", 100.0),
         ("c", "Security", 200.0), ("c", "Cloud", 80.0), ("d", "Security", 300.0),
         ("e", "IoT", 40.0), ("e", "Cloud", 10.0),
         ("f", "Cloud", 20.0), ("g", "Cloud", 30.0), ("h", "IoT", 60.0), ("i", "Security", 5.0),
         ("j", "IoT", 7.0), ("j", "Security", -9.0)]   # a credit note is not a purchase
AP = pd.DataFrame(LINES, columns=["account_id", "product", "revenue"])
PEERS = pd.DataFrame({"account_id": list("abcdefghij"),
                      "industry": ["Bank"] * 5 + ["Retail"] * 5,
                      "size_band": ["large"] * 10})


def test_cross_sell_evidence_by_hand():
    out = cross_sell(AP, PEERS, years=2)
    a = out[out.account_id == "a"].set_index("product")
    # a's peers: b, c, d, e (4); 3 of them buy Security; 4 of 10 accounts buy it overall
    sec = a.loc["Security"]
    assert (sec.group_size, sec.peers_buying) == (4, 3)
    assert sec.peer_rate == 0.75 and sec.base_rate == 0.4
    assert sec.lift == pytest.approx(1.875)
    # the banks' median spend on Security over the two years is 200: 100 a year; without
    # an opportunities table the chance of winning is the stated default, 25%
    assert sec.peer_yearly_value == 100.0 and sec.win_chance == 0.25
    assert sec.win_chance_source == "assumed 25% (no opportunities table)"
    assert sec.expected_yearly_value == 25.0
    assert sec.peer_group == "Bank | large" and sec.proposal_rank == 1
    assert "median_spend" not in out and "expected_value" not in out  # the old meanings
    # IoT: 1 bank peer only (below min_peers=2): not proposed
    assert "IoT" not in a.index and "Cloud" not in a.index  # a already buys Cloud


def test_cross_sell_ranking_and_filters():
    out = cross_sell(AP, PEERS, years=1, min_peers=1, min_lift=0)
    e = out[out.account_id == "e"]
    # e lacks only Security among what its group buys: 3 of 4 peers
    assert e["product"].tolist() == ["Security"]
    j = out[out.account_id == "j"].set_index("product")
    # j's credit note on Security does not count as buying it: Security is proposed to j
    assert "Security" in j.index and j.loc["Security", "peers_buying"] == 1
    assert (out.groupby("account_id")["proposal_rank"].min() == 1).all()
    # lift above 1 only (the default): for h, Cloud is 2/4 = 0.5 of its peers against 6/10 overall
    assert cross_sell(AP, PEERS, years=1, min_peers=1).query("account_id == 'h'").empty


def test_cross_sell_accounts_without_a_group_get_none_and_are_counted():
    peers = PEERS.assign(size_band=["large"] * 9 + [None])
    out = cross_sell(AP, peers, years=1, min_peers=1, min_lift=0)
    assert "j" not in set(out.account_id)
    assert "1 account(s) have no industry / size_band" in out.attrs["notes"][0]
    with pytest.raises(ValueError, match=r"column\(s\) \['segment'\] not found"):
        cross_sell(AP, PEERS, years=1, by=("segment",))


# Security: 3 won, 1 lost, 2 open; Cloud: 1 won, 1 lost; IoT: none decided
OPPS = pd.DataFrame({"account_id": list("abcdefghi"),
                     "stage": ["won", "won", "won", "lost", "proposal", "prospect", "won",
                               "lost", "negotiation"],
                     "product": ["Security"] * 6 + ["Cloud", "Cloud", "IoT"]})


def test_win_chances_by_product_then_overall_then_assumed():
    w = win_chances(OPPS, ["Security", "Cloud", "IoT"], min_decided=4).set_index("product")
    assert w.loc["Security", "win_chance"] == 0.75  # 3 of 4 decided; open ones not counted
    assert w.loc["Security", "win_chance_source"] == \
        "3 won of 4 decided opportunities for Security"
    # Cloud (2 decided) and IoT (0) fall back on all products: 4 won of 6 decided
    assert w.loc[["Cloud", "IoT"], "win_chance"].tolist() == [4 / 6, 4 / 6]
    assert w.loc["IoT", "win_chance_source"] == "4 won of 6 decided opportunities, all products"
    # fewer than min_decided overall: the default, said with the count
    few = win_chances(OPPS, ["Cloud"], min_decided=7, default=0.3)
    assert few["win_chance"].tolist() == [0.3]
    assert few["win_chance_source"].tolist() == [
        "assumed 30% (fewer than 7 won or lost opportunities: 6)"]
    # no product column: all products only
    assert win_chances(OPPS.drop(columns="product"), ["IoT"], min_decided=4)[
        "win_chance"].tolist() == [4 / 6]
    with pytest.raises(ValueError, match=r"default must be a chance in \(0, 1\]"):
        win_chances(None, ["x"], default=25)


def test_cross_sell_weighs_the_yearly_value_by_the_chance_of_winning():
    out = cross_sell(AP, PEERS, years=2, opportunities=OPPS, min_decided=4, min_peers=1,
                     min_lift=0)
    sec = out[(out.account_id == "a") & (out["product"] == "Security")].iloc[0]
    assert sec.peer_yearly_value == 100.0 and sec.win_chance == 0.75
    assert sec.expected_yearly_value == 75.0
    # e: Security (peers' median 200 / 2 years x 0.75 = 75) only; h (retail, buys IoT):
    # Cloud (f 20, g 30: 25 / 2 = 12.5 x 4/6) and Security (i 5: 2.5 x 0.75)
    h = out[out.account_id == "h"].set_index("product")
    assert h.loc["Cloud", "expected_yearly_value"] == pytest.approx(12.5 * 4 / 6)
    assert h.loc["Security", "expected_yearly_value"] == pytest.approx(2.5 * 0.75)
    assert h.loc["Cloud", "proposal_rank"] == 1 and h.loc["Security", "proposal_rank"] == 2
    assert "won / (won + lost)" in out.attrs["rules"]["win_chance"]
    assert "divided by its 2 years" in out.attrs["rules"]["peer_yearly_value"]
    for bad in (0, -1, None, True):
        with pytest.raises(ValueError, match="years must be the length of the window"):
            cross_sell(AP, PEERS, years=bad)


def test_bundles_support_and_lift_by_hand():
    pairs = bundles(AP, PEERS, min_accounts=1)
    bank = pairs[pairs.peer_group == "Bank | large"].set_index(["product_a", "product_b"])
    # banks: Cloud a b c e (4), Security b c d (3); both: b c -> support 2/5
    cs = bank.loc[("Cloud", "Security")]
    assert cs.accounts_both == 2 and cs.support == 0.4
    assert cs.lift == pytest.approx(0.4 / (0.8 * 0.6))
    assert cs.confidence_ab == 0.5 and cs.confidence_ba == pytest.approx(2 / 3)
    over_all = bundles(AP)
    assert "peer_group" not in over_all
    assert over_all[["product_a", "product_b"]].values.tolist() == [["Cloud", "Security"]]

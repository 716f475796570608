"""Self-check questions: three per notebook, about the ideas rather than the code.

Each question has lettered choices; ``self_check("11.q1", "c")`` answers it. A right answer
says why it is right; a wrong one says what that choice gets wrong, in a sentence of its
own (so a second try is not a guess among the same words). Results go to the progress file
like the exercises'.

Examples
--------
>>> print(self_check("11.q1", "d"))  # doctest: +ELLIPSIS
Correct. CX accounts buy little but steadily: ...
>>> print(self_check("11.q1", "a"))  # doctest: +ELLIPSIS
Not yet: AX accounts are steady too, but they are your largest: ...
>>> print(self_check("11.q1", "x"))
Not yet: Answer with one letter: "a", "b", "c" or "d".
"""

from __future__ import annotations

from dataclasses import dataclass

from kamlib.exercises import tracking as _progress
from kamlib.exercises.feedback import NOT_ANSWERED, Feedback

__all__ = ["Question", "QUESTIONS", "question", "questions", "self_check"]


@dataclass(frozen=True)
class Question:
    """One self-check question: ``choices`` letter -> text; ``why`` letter -> the reply."""

    id: str
    text: str
    choices: dict[str, str]
    answer: str
    why: dict[str, str]

    @property
    def module(self) -> str:
        return self.id.split(".")[0]

    def markdown(self) -> str:
        lines = [f"**Self-check {self.id}.** {self.text}", ""]
        lines += [f"- **{k}**: {v}" for k, v in self.choices.items()]
        return "\n".join(lines)


def _q(id_: str, text: str, answer: str, *choices: tuple[str, str]) -> Question:
    letters = "abcd"[:len(choices)]
    return Question(id_, text, dict(zip(letters, (c for c, _ in choices))), answer,
                    dict(zip(letters, (w for _, w in choices))))


QUESTIONS = [
    _q("02.q1", 'What does accounts["industry"] == "Banking" give on its own?', "b",
       ("the Banking accounts", "Not yet the rows: it is one True or False per row. Put it "
        "inside accounts[...] to keep the rows where it is True."),
       ("one True or False per row", "It marks each row; accounts[...] then keeps the rows "
        "marked True."),
       ("the number of Banking accounts", "A count would need .sum() on the True/False "
        "values: the comparison itself gives one value per row."),
       ("the industry column, sorted", "Nothing is sorted: == compares each row with "
        '"Banking".')),
    _q("02.q2", 'After sales.groupby("account_id")["revenue"].sum(), where is account_id?', "c",
       ("a column of the result", "Not yet: groupby puts the groups in the index; "
        ".reset_index() makes it a column again."),
       ("it is dropped", "It is kept, as the index (the row labels): .reset_index() makes it "
        "a column."),
       ("in the index (the row labels)", "That is why the exercises add .reset_index(): "
        "the checks expect account_id as a column."),
       ("in a second value column", "The result has one value column, revenue; the account "
        "is the index.")),
    _q("02.q3", "You merge the revenue per account with accounts on account_id, with the "
       "default merge. An account with sales is missing from accounts. What happens to it?",
       "b",
       ("it is kept with an empty name", "That is how='left' from the totals. The default "
        "merge keeps only accounts found in both tables."),
       ("it is dropped", "The default (inner) merge keeps the accounts found in both tables: "
        "count the rows before and after a merge."),
       ("pandas stops with an error", "A merge never fails for a missing key: the row is "
        "silently dropped (inner) or kept with empty values (left)."),
       ("it appears twice", "Rows repeat when a key appears twice in one table, not when it "
        "is missing.")),
    _q("10.q1", "Which accounts are the vital few?", "a",
       ("the largest accounts that together make 80% of revenue, including the one that "
        "crosses 80%", "Right: without the account that crosses the line the 80% is not "
        "reached."),
       ("the top 20% of the accounts", "That is the rule of thumb. The vital few are counted "
        "from the data: in the reference case 14.3% of the accounts made 80%."),
       ("the accounts with revenue above the average", "The average is pulled up by the "
        "largest accounts; the vital few are defined by the cumulative share."),
       ("the accounts that grew the most", "Growth is a different question; the vital few "
        "are about the share of revenue.")),
    _q("10.q2", "The Gini coefficient of your accounts rose from 0.55 to 0.65 in two years. "
       "What does that say?", "b",
       ("revenue grew", "Gini measures how unequal the accounts are, not how much they buy: "
        "it is the same if every account doubles."),
       ("more of the revenue depends on fewer accounts", "Right: more reason for key account "
        "management, and more risk if one of them leaves."),
       ("the accounts became more equal", "The other way round: 0 is all equal, near 1 is "
        "one account making everything."),
       ("10% of the accounts were lost", "Gini does not count accounts; it compares their "
        "shares.")),
    _q("10.q3", "The HHI of revenue is 0.25. Your revenue is as concentrated as if it came "
       "from how many equal accounts?", "c",
       ("25", "25 equal accounts have 0.04 each: an HHI of 25 x 0.04 squared = 0.04."),
       ("0.25", "HHI is a sum of squared shares, not a number of accounts: take 1 / HHI."),
       ("4", "Right: four equal accounts with a quarter each give 4 x 0.25 squared = 0.25."),
       ("2.5", "1 / 0.25 is 4, the effective number of accounts.")),
    _q("11.q1", "Which cell of the ABC-XYZ matrix is served best with automated reordering "
       "or vendor-managed inventory, at low cost?", "d",
       ("AX", "AX accounts are steady too, but they are your largest: they get a dedicated "
        "key account manager and a joint plan, with automation only for the routine volume."),
       ("CZ", "CZ orders are small and irregular: there is no steady demand to automate."),
       ("AZ", "AZ accounts are large and irregular: each deal is won by selling, not "
        "replenished automatically."),
       ("CX", "CX accounts buy little but steadily: automate the replenishment and serve them "
        "at low cost.")),
    _q("11.q2", "An account's monthly revenue has a coefficient of variation (cv) of 1.4. "
       "Which XYZ class is it?", "c",
       ("X", "X is for cv up to 0.5: steady demand."),
       ("Y", "Y is for cv above 0.5 and up to 1.0."),
       ("Z", "Right: above 1.0 the demand is irregular, hard to forecast.")),
    _q("11.q3", "Why do months without a purchase count as 0 when computing the cv?", "b",
       ("so that the cv comes out larger", "The aim is not a larger number but the true "
        "picture of how the account buys."),
       ("skipped months are what makes an account irregular", "Right: left out, an account "
        "that buys twice a year at the same amount would look perfectly steady."),
       ("pandas cannot compute a standard deviation with gaps", "pandas computes it on "
        "whatever rows are there; that is exactly why missing months must be added as 0.")),
    _q("12.q1", "Account A last bought 5 days ago, account B 200 days ago. Which gets the "
       "higher R score?", "a",
       ("A", "Right: recent buyers score high on R, so a small recency (in days) is a high "
        "score."),
       ("B", "R rewards recent buyers: a large recency in days is a low score."),
       ("the same score", "The scores follow the ranking of recency: 5 and 200 days are far "
        "apart.")),
    _q("12.q2", "Two accounts have exactly the same frequency. Which F scores do they get?",
       "a",
       ("the same score: equal values share their average rank", "Right: a score never "
        "depends on the order of the rows or on account ids."),
       ("different scores, so that the five classes are of equal size", "Splitting ties "
        "makes the score depend on the order of the rows: the kit gives equal values one "
        "score, even if a class then holds more accounts."),
       ("whichever account has the smaller id scores higher", "An id says nothing about "
        "the account: equal values get one score.")),
    _q("12.q3", "An account scores M = 5. What do you know about it?", "b",
       ("it is profitable", "M is revenue, not profit: a large account can cost more to "
        "serve than it brings (module 13)."),
       ("it bought more than four fifths of the accounts in the period", "Right: scores are "
        "relative, a fifth of the accounts in each class."),
       ("it will buy again soon", "M says nothing about timing: that is R (and F).")),
    _q("13.q1", "The whale curve peaks at 150%. What does that mean?", "b",
       ("profit grew by 50%", "The curve is about one period: accounts ranked by profit."),
       ("the profitable accounts earn 150% of the total profit; the loss-making ones take "
        "the extra 50% away", "Right: the curve ends at 100% after the loss-makers."),
       ("150% of the accounts are profitable", "A share of accounts cannot exceed 100%; the "
        "curve's height is a share of profit.")),
    _q("13.q2", "What is cost to serve?", "b",
       ("the cost of the goods sold to the account", "That comes off revenue first, giving "
        "the gross margin; cost to serve comes off after."),
       ("the cost of the activities an account uses: visits, support, deliveries, ...",
        "Right: quantity x unit cost of each activity, added up per account."),
       ("the discount the account gets", "A discount lowers revenue; cost to serve is what "
        "serving the account costs you.")),
    _q("13.q3", "Why is next years' profit discounted in a lifetime value?", "a",
       ("money later is worth less than money today", "Right: divided by (1 + rate) ** t, "
        "the money of year t in today's terms."),
       ("the account may leave", "That is what retention is for, a separate factor."),
       ("for taxes", "Taxes are not part of the course's lifetime value.")),
    _q("14.q1", "An account's share of wallet is 30%. What does that mean?", "a",
       ("you have 30% of what the account spends on what you sell", "Right: the other 70% "
        "goes to competitors, the room to grow."),
       ("the account makes 30% of your revenue", "That is its share of your revenue "
        "(module 10), not of its wallet."),
       ("30% of your accounts buy from it", "Share of wallet is about one account's "
        "spending.")),
    _q("14.q2", "An account is among the vital few (high value) but has a need below 5. "
       "Which quadrant?", "b",
       ("key account", "A key account needs both high value and high need."),
       ("maintain", "Right: keep it, at a lower cost of service than a key account."),
       ("develop", "Develop is low value with high need: room to grow."),
       ("serve", "Serve is low value and low need.")),
    _q("14.q3", "Circle 3 of an account has one contact, last reached 120 days ago (90 days "
       "counts as recent). Is circle 3 covered?", "b",
       ("yes, there is a contact", "A contact nobody has talked to for 120 days does not "
        "cover the circle: the relationship has lapsed."),
       ("no: it is a gap, nobody reached recently", "Right: a gap is a circle with nobody "
        "reached in the last 90 days."),
       ("only circle 1 matters", "All three circles matter: the third (others who matter for "
        "future business) is the one most often left uncovered.")),
    _q("15.q1", "An account has bought from you for twelve years. What does that long tenure "
       "say about its loyalty?", "b",
       ("it is loyal: it would have left long ago otherwise", "Not necessarily: switching "
        "costs and inertia can keep an account that is quietly unhappy, and dissatisfaction "
        "can take years to show."),
       ("little on its own: switching costs and inertia can hold an unhappy account", "Right: "
        "watch its financial signals (trend, breadth, share of wallet, rhythm, contacts, "
        "complaints) rather than its tenure."),
       ("it stands at the top of the ladder, a partner", "The ladder stage comes from what the "
        "account does (repeat buying, referrals, joint planning), not from how long it buys."),
       ("it can no longer be lost", "Any account can be lost: a long-standing one that falls "
        "back on the ladder or loses points on the health score may be talking to a "
        "competitor.")),
    _q("15.q2", "Which bond is the easiest for a competitor to copy?", "a",
       ("financial (discounts, bundles, points)", "Right: a competitor can match a discount "
        "tomorrow, so a key account held by it alone needs a second bond."),
       ("social (personal ties with the people who decide)", "Personal ties take years: a "
        "competitor has to win the people, not only match a price."),
       ("customisation (what we built for the account)", "What we built and learned for the "
        "account is hard to rebuild elsewhere: that is what makes this bond strong."),
       ("structural (joint investment, shared processes, multi-year contracts)", "This is the "
        "strongest bond: leaving means undoing shared investments and contracts.")),
    _q("15.q3", "The health score's backtest shows a lift of 3. What does that say?", "c",
       ("3% of the flagged accounts were lost", "The lift is not a share: it is the flagged "
        "accounts' loss rate divided by the base rate."),
       ("the score flags three times as many accounts as are lost", "The lift compares two "
        "loss rates, not the number of flags with the number of losses."),
       ("flagged accounts were lost 3 times as often as the average account not lost then",
        "Right: the flagged accounts' loss rate over the base rate; at 1 the flag would tell "
        "you nothing."),
       ("three flagged accounts were lost", "That count is the 'flagged and lost' column; the "
        "lift divides the flagged accounts' loss rate by the base rate.")),
    _q("16.q1", "A key account is lost (no purchase for more than 180 days, the kit's default "
       "rule). Why does that cost more than its yearly revenue?", "b",
       ("it does not: the loss is its yearly revenue", "The loss goes beyond one year: the "
        "profit of the years ahead (its lifetime value), the cost sunk in winning it, its "
        "references and joint work."),
       ("the profit of the years ahead, the cost sunk in winning it and its references go "
        "too, and winning a similar account costs several times keeping it", "Right: that is "
        "why keeping and winning back key accounts comes first."),
       ("the account has to be paid a penalty for leaving", "No penalty is involved: the cost "
        "is what the account would have brought in the years ahead, the cost sunk in winning "
        "it and its references.")),
    _q("16.q2", "13 of 30 loyalty programmes stop working within a year. What is the lesson?",
       "c",
       ("offer bigger rewards", "Bigger rewards only cost more: the first reason programmes "
        "stop is rules too complex to explain."),
       ("loyalty programmes do not work in B2B", "Most of them (17 of 30) keep working: the ones "
        "that stop have rules too complex, rewards nobody values or costs nobody counted."),
       ("keep the rules simple, to one sentence, and cost a change before announcing it",
        "Right: rules too complex to explain are the first reason programmes stop; the "
        "what-if shows who moves down and what the benefits cost."),
       ("change the tier thresholds every year", "A threshold change moves accounts down, and "
        "those feel punished: change one only with its what-if, and announce it early.")),
    _q("16.q3", "In the dealer co-investment scheme, who pays at least half (50%) of the joint "
       "marketing budget?", "b",
       ("the manufacturer", "The manufacturer pays up to the dealer's ceiling (set by its "
        "score); the dealer matches it, so the dealer pays at least half."),
       ("the dealer", "Right: the dealer matches the co-investment, so it pays at least half "
        "of the joint budget and spends only where it expects a return."),
       ("the end customers", "Customers pay for products, not for the dealer's marketing: the "
        "joint budget is shared by the manufacturer and the dealer."),
       ("the merged plan bonus", "The merged bonus is a separate scheme, paid only when the "
        "dealer meets its plan; the co-investment is matched by the dealer.")),
]


def questions(module: str | None = None) -> list[Question]:
    """The self-check questions of the course (or of one module), in course order."""
    return [q for q in QUESTIONS if module is None or q.module == module]


def question(question_id: object) -> Question | None:
    """The question with this id ("11.q1"; "11.Q1" and "11q1" too), or None."""
    text = str(question_id).strip().lower().replace("q", ".q").replace("..", ".")
    return next((q for q in QUESTIONS if q.id == text), None)


def self_check(question_id: str, answer: object) -> Feedback:
    """Check the answer (a letter) to one self-check question and record it."""
    q = question(question_id)
    if q is None:
        known = ", ".join(q.id for q in QUESTIONS)
        return Feedback.hint(f"There is no self-check {str(question_id)!r}; the course has "
                             f"{known}.")
    if answer is None:
        return Feedback(False, NOT_ANSWERED)
    letters = list(q.choices)
    said = str(answer).strip().lower().strip("()").strip()
    if said not in letters:
        quoted = ", ".join(f'"{k}"' for k in letters[:-1]) + f' or "{letters[-1]}"'
        return Feedback.hint(f"Answer with one letter: {quoted}.")
    ok = said == q.answer
    _progress.record(q.id, ok)
    return Feedback(ok, q.why[said])

"""Who is elected: ranking by votes per post, with the law's threshold and ties at the last seat.

Posts are ranked 主任 > 副主任 > 委员; a person elected to a higher post drops out of the count
for a lower one. When the last seat would go to one of several people with equal votes, none
of them is elected: the law asks for a fresh vote among them (domain.md §6.1).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from huanjie.steps.checks.facts import as_bool, as_int, as_text, entries, mapping, nth
from huanjie.steps.checks.people import Person, as_person, find
from huanjie.steps.checks.registry import CheckContext, FactProblem, Issue, label

POSTS = ("主任", "副主任", "委员")


def post_rank(post: str) -> int:
    return POSTS.index(post) if post in POSTS else len(POSTS)


@dataclass(frozen=True)
class Result:
    person: Person
    post: str
    votes: int
    elected: bool     # as declared by the count
    gave_way: bool    # withdrew under 任职回避 after being elected

    @property
    def name(self) -> str:
        return self.person.name


@dataclass(frozen=True)
class Outcome:
    winners: list[Result]
    tied: list[Result]   # equal votes at the last seat: none of them is elected


def results(ctx: CheckContext, name: str, *, default_post: str | None = None) -> list[Result]:
    rows = []
    for index, row in enumerate(entries(ctx, name)):
        post = row.get("post", default_post)
        rows.append(Result(as_person(row, name, nth(index)), as_text(post, name, nth(index, "post")),
                           as_int(row.get("votes"), name, nth(index, "votes")),
                           as_bool(row.get("elected", False), name, nth(index, "elected")),
                           as_bool(row.get("gave_way", False), name, nth(index, "gave_way"))))
    return rows


def seats_by_post(ctx: CheckContext, name: str = "seats_by_post") -> dict[str, int]:
    raw = mapping(ctx, name)
    return {str(post): as_int(n, name, f"的 {post}") for post, n in raw.items()}


def decide(pool: list[Result], seats: int, qualifies: Callable[[int], bool]) -> Outcome:
    ranked = sorted((r for r in pool if qualifies(r.votes)), key=lambda r: -r.votes)
    if seats <= 0:
        return Outcome([], [])
    if len(ranked) <= seats or ranked[seats].votes < ranked[seats - 1].votes:
        return Outcome(ranked[:seats], [])
    cutoff = ranked[seats - 1].votes
    return Outcome([r for r in ranked if r.votes > cutoff], [r for r in ranked if r.votes == cutoff])


def decide_by_post(rows: list[Result], seats: dict[str, int],
                   qualifies: Callable[[int], bool]) -> dict[str, Outcome]:
    taken: list[Person] = []
    outcomes: dict[str, Outcome] = {}
    for post in sorted(seats, key=post_rank):
        pool = [r for r in rows if r.post == post and find(r.person, taken) is None]
        outcomes[post] = decide(pool, seats[post], qualifies)
        taken.extend(w.person for w in outcomes[post].winners)
    return outcomes


def compare(field: str, rows: list[Result], outcomes: dict[str, Outcome],
            below: Callable[[Result], str], cite: str) -> Iterator[Issue]:
    """Declared winners against the count; ``below`` words why someone missed the threshold."""
    for row in rows:
        outcome = outcomes.get(row.post)
        if outcome is None:
            if row.elected:
                yield field, f"{row.name} 当选的职务“{row.post}”不在应选职务之中"
            continue
        won = any(w is row for w in outcome.winners)
        if row.elected and not won:
            yield field, f"{row.name} 宣布当选{row.post}，但{_why_not(row, rows, outcome, below)}（{cite}）"
        elif won and not row.elected:
            yield field, f"{row.name} 得票 {row.votes}，应当选{row.post}，但未宣布当选（{cite}）"


def _why_not(row: Result, rows: list[Result], outcome: Outcome, below: Callable[[Result], str]) -> str:
    if any(t is row for t in outcome.tied):
        others = "、".join(t.name for t in outcome.tied if t is not row)
        return f"与 {others} 得票相同（{row.votes} 票）争最后名额，须就票数相等者再次投票"
    higher = [r for r in rows if r.person.same(row.person) and post_rank(r.post) < post_rank(row.post)]
    if any(r.elected for r in higher):
        return "已当选较高职务"
    reason = below(row)
    return reason or f"得票 {row.votes}，名次在应选名额之外"


def members(ctx: CheckContext) -> list[Result]:
    """The villager committee as elected: first round (minus those who gave way) and 另行选举."""
    first = [r for r in results(ctx, "vc_results") if r.elected and not r.gave_way]
    second = [r for r in results(ctx, "revote_results") if r.elected] if ctx.lookup("revote_results", None) else []
    return first + second


def unknown_posts(ctx: CheckContext, seats: dict[str, int], field: str = "seats_by_post") -> None:
    strange = [p for p in seats if p not in POSTS]
    if strange:
        raise FactProblem(field, f"“{label(field)}”（{field}）中的职务“{'、'.join(strange)}”"
                                 f"不是村民委员会的职务（{'、'.join(POSTS)}）")

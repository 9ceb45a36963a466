"""A balanced proposal for the partnerships that have no animator.

The rule, in order:
1. Only active animators with room (libraries < capacity) are proposed; nobody goes over
   capacity.
2. An animator who works in the library's voivodeship is preferred; among them the one with the
   lowest load relative to capacity (then the fewest libraries, then by name).
3. Only when nobody in that voivodeship has room does the library go to the least loaded animator
   with room elsewhere (the proposal says so).
4. Libraries of voivodeships with the least room are placed first, so that a scarce local animator
   is not used up by a library that had other choices.
A library for which nobody has room stays without a proposal.

Before all that, a partnership built on one of the previous round (`Partnership.previous`)
gets the animator who supported the library then (`previous_animator_id`, annotated by
`next_round.with_previous_animator`), when that animator is active and has room, wherever they
work: the libraries know them. These choices are made first, so that no other library uses up
that animator's room.

The reassignment form offers the animators of one library in the same order (`ranked`): first
those in its voivodeship with room, then those with room elsewhere, then those without room.
"""

from dataclasses import dataclass


@dataclass
class Candidate:
    animator: object
    voivodeships: frozenset
    load: int
    capacity: int

    @property
    def room(self):
        return self.capacity - self.load

    def sort_key(self):
        return (self.load / self.capacity, self.load, str(self.animator))


class Fit:
    """How well an animator fits one library, best first (the groups of the reassignment form)."""

    LOCAL = 0  # works in the library's voivodeship and has room
    ELSEWHERE = 1  # has room, works in other voivodeships
    FULL = 2  # no room: choosing them goes over their capacity


def fit(candidate: Candidate, code) -> int:
    if candidate.room <= 0:
        return Fit.FULL
    return Fit.LOCAL if code in candidate.voivodeships else Fit.ELSEWHERE


def ranked(code, candidates: list[Candidate], previous_id=None) -> list[tuple[Candidate, int]]:
    """The candidates for a library of voivodeship `code` with their `Fit`, in the order the
    proposal considers them: the first one is the one it would choose — the animator who
    supported the library in the previous round (`previous_id`) when they have room, as
    `propose` does, then by fit."""

    def key(pair):
        candidate, candidate_fit = pair
        returning = previous_id is not None and candidate.animator.pk == previous_id
        return (not (returning and candidate.room > 0), candidate_fit, candidate.sort_key())

    return sorted(((c, fit(c, code)) for c in candidates), key=key)


@dataclass
class Proposal:
    partnership: object
    animator: object | None
    local: bool  # the animator works in the library's voivodeship
    previous: bool = False  # the animator supported the library in the previous round


def propose(partnerships, candidates: list[Candidate]) -> list[Proposal]:
    """`partnerships` need `.library.voivodeship_id` (and may carry `previous_animator_id`);
    `candidates` carry the current load. The proposals come in the order the libraries are
    considered."""

    def local_room(code):
        return sum(c.room for c in candidates if code in c.voivodeships and c.room > 0)

    ordered = sorted(
        partnerships,
        key=lambda p: (local_room(p.library.voivodeship_id), p.library.name, p.pk),
    )
    by_pk = {getattr(c.animator, "pk", None): c for c in candidates}
    chosen_for = {}
    for partnership in ordered:
        previous_id = getattr(partnership, "previous_animator_id", None)
        previous = by_pk.get(previous_id) if previous_id is not None else None
        if previous is not None and previous.room > 0:
            previous.load += 1
            code = partnership.library.voivodeship_id
            chosen_for[partnership.pk] = Proposal(
                partnership, previous.animator, code in previous.voivodeships, previous=True
            )
    proposals = []
    for partnership in ordered:
        if partnership.pk in chosen_for:
            proposals.append(chosen_for[partnership.pk])
            continue
        best = ranked(partnership.library.voivodeship_id, candidates)[:1]
        if not best or best[0][1] == Fit.FULL:
            proposals.append(Proposal(partnership, None, False))
            continue
        chosen, chosen_fit = best[0]
        chosen.load += 1
        proposals.append(Proposal(partnership, chosen.animator, chosen_fit == Fit.LOCAL))
    return proposals

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


@dataclass
class Proposal:
    partnership: object
    animator: object | None
    local: bool  # the animator works in the library's voivodeship


def propose(partnerships, candidates: list[Candidate]) -> list[Proposal]:
    """`partnerships` need `.library.voivodeship_id`; `candidates` carry the current load."""

    def local_room(code):
        return sum(c.room for c in candidates if code in c.voivodeships and c.room > 0)

    ordered = sorted(
        partnerships,
        key=lambda p: (local_room(p.library.voivodeship_id), p.library.name, p.pk),
    )
    proposals = []
    for partnership in ordered:
        code = partnership.library.voivodeship_id
        with_room = [c for c in candidates if c.room > 0]
        local = [c for c in with_room if code in c.voivodeships]
        pool = local or with_room
        if not pool:
            proposals.append(Proposal(partnership, None, False))
            continue
        chosen = min(pool, key=Candidate.sort_key)
        chosen.load += 1
        proposals.append(Proposal(partnership, chosen.animator, bool(local)))
    return proposals

"""The nights `zwgk demo` replays (zwgk_demonet/story.py): dates, repairs and the failing page."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

from zwgk_demonet import build_network, night_dates, variants


def test_nights_reach_into_the_previous_month():
    assert night_dates(date(2026, 12, 7)) == [
        date(2026, 11, 16),
        date(2026, 11, 23),
        date(2026, 11, 30),
        date(2026, 12, 7),
    ]
    late = night_dates(date(2026, 12, 30))  # 12-09 and 12-02 are still December: six nights
    assert late[0] == date(2026, 11, 25) and len(late) == 6
    assert night_dates(date(2026, 12, 7), 1) == [date(2026, 12, 7)]


def test_repairs_accumulate_and_a_failing_page_is_repaired_before_the_last_night():
    first = build_network(date(2026, 11, 16))
    truth = first.ground_truth()
    for count in (2, 3, 4):
        states = variants(truth, first.portals, count)
        assert len(states) == count and states[0].fix == [] and states[0].break_units == []
        for a, b in pairwise(states):
            assert set(a.fix) <= set(b.fix)  # a repaired column stays repaired
        assert states[-1].break_units == []  # the last night never ends on a failing page
        broken = [s.break_units for s in states if s.break_units]
        assert broken == ([] if count == 2 else [states[1].break_units])
    four = variants(truth, first.portals, 4)
    assert len(four[1].fix) == 3 and len(four[2].fix) == 6
    assert len({p for p, _, _ in four[2].fix}) >= 2  # repairs spread over portals

#!/usr/bin/env python
"""Working-day calendar benchmark: 1 000 000 ``add_workdays`` calls, goal ≤ 2 s.

    .venv/bin/python bench/workdays_bench.py [--calls 1000000] [--seed 1]

Random starts in 2024–2027 (package years, a year known to nobody and whatever the local
holiday table holds) and 0–30 working days, after a warm-up. Measured in the same run next
to a baseline loop of as many ``date.fromordinal(o + 1)`` calls, so the machine's speed can
be told apart from the calendar's. Uses a fresh temporary SQLite database (migrated here), so
it runs on a fresh checkout. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
GOAL_SECONDS = 2.0


def setup_django(tmp: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'workdays_bench.sqlite3'}"
    os.environ["ONETRIP_VAR_DIR"] = str(tmp)
    os.environ["DJANGO_SETTINGS_MODULE"] = "onetrip.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="onetrip-workdays-") as tmp:
        setup_django(Path(tmp))
        from onetrip.workcalendar import workdays

        rng = random.Random(args.seed)
        first, last = date(2024, 1, 1).toordinal(), date(2027, 12, 31).toordinal()
        ordinals = [rng.randint(first, last) for _ in range(args.calls)]
        starts = [date.fromordinal(o) for o in ordinals]
        counts = [rng.randint(0, 30) for _ in range(args.calls)]
        pairs = list(zip(starts, counts, strict=True))

        add = workdays.add_workdays
        for start, n in pairs[:10_000]:  # warm-up: builds the cache
            add(start, n)

        fromordinal = date.fromordinal
        t0 = time.perf_counter()
        for o in ordinals:
            fromordinal(o + 1)
        baseline = time.perf_counter() - t0

        t0 = time.perf_counter()
        for start, n in pairs:
            add(start, n)
        elapsed = time.perf_counter() - t0

        print(f"calendar years: {workdays.coverage(range(2024, 2028))}")
        print(f"baseline  {args.calls:>9,} date.fromordinal(o + 1): {baseline:6.3f} s  "
              f"{args.calls / baseline:>12,.0f} calls/s")
        print(f"workdays  {args.calls:>9,} add_workdays(start, n):   {elapsed:6.3f} s  "
              f"{args.calls / elapsed:>12,.0f} calls/s  ({elapsed / baseline:.1f}× baseline)")
        goal = GOAL_SECONDS * args.calls / 1_000_000
        met = elapsed <= goal
        print(f"goal ≤ {goal:.1f} s for {args.calls:,} calls: {'met' if met else 'NOT met'}")
        return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python
"""Search benchmark: recall@3 of the query set and latency on 10 000 items, in one run.

    .venv/bin/python bench/search_bench.py [--items 10000] [--repeat 20] [--show-misses]

1. Loads the demo district into a throwaway SQLite database in bench/out/ and pads its
   catalogue to N published items with generated ones (the builder of catalog_bench.py; kept
   for the next run).
2. Reads bench/search_queries.tsv (a query people would type, the item or bundle codes of
   which one must be in the top 3, what it tests) and reports recall@3 on the demo catalogue
   alone and on the padded one (the generated items compete for the top 3).
3. Reports the latency of a search (``engine.search``, and the catalogue page's
   ``find_items``) p50/p95 over the query set, with the index warm and the stamp read on every
   call, as a request does; the cost of that stamp read; the time to rebuild the index; and
   the process's memory with the index built. Goals: recall@3 ≥ 90 %, p95 ≤ 30 ms.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
QUERIES = ROOT / "bench" / "search_queries.tsv"
CATALOGUE = ("item", "bundle")  # what the catalogue search looks in (the index also holds the knowledge base)
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def read_queries() -> list[tuple[str, set[str], str]]:
    rows = []
    for line in QUERIES.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        query, expected, why = (line.split("\t") + ["", ""])[:3]
        rows.append((query, set(expected.split("|")), why))
    return rows


def code_of(doc) -> str:  # noqa: ANN001 - a Document
    return doc.key.split(":", 1)[1]


def recall(queries, *, exclude_prefix: str | None = None, show: bool = False) -> float:  # noqa: ANN001
    from onetrip.catalog import engine

    found = 0
    for query, expected, why in queries:
        hits = engine.search(query, kinds=CATALOGUE).hits
        if exclude_prefix:
            hits = [h for h in hits if not code_of(h.doc).startswith(exclude_prefix)]
        top = [code_of(h.doc) for h in hits[:3]]
        if expected & set(top):
            found += 1
        elif show:
            print(f"  MISS {query} ({why}): expected {'|'.join(sorted(expected))}; top 3: "
                  + "; ".join(h.doc.title for h in hits[:3]))
    return found / len(queries)


def rss_mb() -> int:
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) // 1024 for line in fh if line.startswith("VmRSS:"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    db_path = OUT / f"search-{args.items}.sqlite3"
    import catalog_bench

    catalog_bench.setup_django(db_path)
    print(f"Building the demo and {args.items} generated items in {db_path} (kept for the next run)…", flush=True)
    catalog_bench.build(args.items)

    from onetrip.catalog import engine, selectors
    from onetrip.catalog.models import ServiceItem

    queries = read_queries()
    total = ServiceItem.objects.filter(current__isnull=False).count()
    rss_before = rss_mb()
    t0 = time.perf_counter()
    engine.index()  # the first search of a process: jieba's and pypinyin's dictionaries, then the index
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    idx = engine.build(engine.current_stamp())
    rebuild = time.perf_counter() - t0

    demo_recall = recall(queries, exclude_prefix="BENCH-", show=args.show_misses)
    padded_recall = recall(queries, show=args.show_misses)

    stamp_times = []
    for _ in range(200):
        t0 = time.perf_counter()
        engine.current_stamp()
        stamp_times.append(time.perf_counter() - t0)
    engine_times, page_times = [], []
    for _ in range(args.repeat):
        for query, _e, _w in queries:
            t0 = time.perf_counter()
            engine.search(query, kinds=CATALOGUE)
            engine_times.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            selectors.find_items(selectors.Filters(q=query), page=1, per_page=20)
            page_times.append(time.perf_counter() - t0)
    rss_after = rss_mb()

    print()
    print(f"query set: {len(queries)} queries ({QUERIES.relative_to(ROOT)}); catalogue: {total} published items, "
          f"{len(idx.docs)} documents indexed (items, bundles and knowledge-base articles); "
          f"dictionary: {len(idx.dictionary.synonyms)} people's words, {len(idx.dictionary.intents)} intent words")
    print(f"recall@3, demo catalogue           {demo_recall * 100:6.1f} %   (goal ≥ 90 %)")
    print(f"recall@3, padded to {total:>6} items  {padded_recall * 100:6.1f} %")
    pct = catalog_bench.pct
    print(f"search (engine.search)          p50 {pct(engine_times, 50):5.1f} ms  p95 {pct(engine_times, 95):5.1f} ms  "
          f"({len(engine_times)} searches; goal p95 ≤ 30 ms)")
    print(f"catalogue page query (find_items) p50 {pct(page_times, 50):5.1f} ms  p95 {pct(page_times, 95):5.1f} ms  "
          f"(search + loading the page's 20 items)")
    print(f"stamp read per search           p50 {pct(stamp_times, 50):5.2f} ms  p95 {pct(stamp_times, 95):5.2f} ms")
    print(f"index rebuild after a change    {rebuild * 1000:7.0f} ms   (first search of a process, "
          f"dictionaries loaded too: {first * 1000:.0f} ms)")
    print(f"process memory                  {rss_before} MB before the first search, {rss_after} MB after "
          "(jieba's and pypinyin's dictionaries, the index, the analysis caches)")


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onetrip.settings")
    main()

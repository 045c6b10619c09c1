#!/usr/bin/env python
"""Catalogue benchmark: 10 000 generated items, measured side by side in one run.

    .venv/bin/python bench/catalog_bench.py [--items 10000] [--requests 2000] [--concurrency 4]

1. Builds a fresh SQLite database in bench/out/ with N published items (through the same
   services as the application) unless it already holds them.
2. Starts gunicorn on a free loopback port and measures, against that one server:
   - throughput of an item guide page vs /healthz (ratio; goal ≥ 50 %),
   - search latency p50/p95 over the API and in-process (goal p95 ≤ 30 ms),
   - queries per guide page for items with 2 and 60 materials (must be equal).
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))

WORDS = ["营业执照", "食品", "经营", "许可", "登记", "变更", "注销", "不动产", "抵押", "转移", "社会保障卡", "结婚",
         "医疗机构", "执业", "道路", "运输", "建筑工程", "施工", "排水", "户口", "迁移", "最低生活保障", "残疾人",
         "宅基地", "出租汽车", "公共场所", "卫生", "药品", "零售", "税务", "发票", "医保", "参保", "生育", "高龄津贴"]
MATERIALS = ["申请书", "居民身份证", "营业执照", "户口簿", "不动产权证书", "租赁合同", "委托书", "结婚证", "平面图",
             "检验报告", "健康证明", "安全管理制度", "法定代表人身份证明", "章程", "承诺书"]
QUERIES = ["营业执照", "yyzz", "食品经营许可", "不动产 抵押", "jhdj", "社会保障卡", "户口迁移", "施工许可",
           "医疗机构执业登记", "bdc", "残疾人", "税务 发票", "怎么办理结婚登记", "高龄津贴", "cz"]


def setup_django(db_path: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ["ONETRIP_VAR_DIR"] = str(OUT)
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onetrip.settings")
    import django

    django.setup()


def build(n: int) -> None:
    from django.core.management import call_command
    from django.db import transaction

    from onetrip.accounts.models import Department, Division, User
    from onetrip.catalog import services
    from onetrip.catalog.models import ServiceItem
    from onetrip.demo.services import load

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    load()
    have = ServiceItem.objects.filter(code__startswith="BENCH-").count()
    if have >= n:
        return
    admin = User.objects.get(username="admin")
    departments = list(Department.objects.all())
    assert Division.objects.exists()
    rng = random.Random(42)
    started = time.perf_counter()
    for start in range(have, n, 500):
        with transaction.atomic():
            drafts = []
            for i in range(start, min(n, start + 500)):
                name = "".join(rng.sample(WORDS, 3))
                legal = rng.choice([5, 10, 15, 20, 30])
                materials = [{"name": m, "form": rng.choice(["original", "copy"])} for m in rng.sample(MATERIALS, 5)]
                guide = {"name": name, "kind": rng.choice(["licensing", "confirmation", "public_service"]),
                         "department": rng.choice(departments), "legal_basis": "《中华人民共和国行政许可法》",
                         "acceptance_conditions": "符合法定条件的申请人", "legal_limit_days": legal,
                         "promised_limit_days": rng.randint(0, legal), "max_visits": rng.randint(0, 2)}
                drafts.append(services.create_item(actor=admin, code=f"BENCH-{i:05d}", guide=guide, materials=materials,
                                                   steps=[{"name": "受理"}, {"name": "审查"}, {"name": "决定"}]))
            services.publish_for_seeding(actor=admin, versions=drafts, name=f"bench {start}")
        print(f"  built {min(n, start + 500)}/{n} items ({time.perf_counter() - started:.0f}s)", flush=True)
    # Two items that differ only in the length of their checklist, for the query-count check.
    for code, count in (("BENCH-Q-SMALL", 2), ("BENCH-Q-LARGE", 60)):
        if not ServiceItem.objects.filter(code=code).exists():
            v = services.create_item(actor=admin, code=code, guide={
                "name": f"查询计数{count}", "kind": "licensing", "department": departments[0], "legal_basis": "x",
                "acceptance_conditions": "x", "legal_limit_days": 5, "promised_limit_days": 1, "max_visits": 1},
                materials=[{"name": f"材料{i}"} for i in range(count)])
            services.publish_for_seeding(actor=admin, versions=[v], name="bench query count")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(port: int) -> None:
    for _ in range(100):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("server did not start")


def hammer(port: int, paths: list[str], total: int, concurrency: int) -> tuple[float, list[float]]:
    """Send ``total`` GETs over ``concurrency`` keep-alive connections; return (req/s, latencies)."""
    latencies: list[float] = []
    lock = threading.Lock()
    per_thread = total // concurrency

    def worker(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine = []
        for i in range(per_thread):
            path = paths[(k * per_thread + i) % len(paths)]
            t0 = time.perf_counter()
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise SystemExit(f"{path}: HTTP {response.status}")
            mine.append(time.perf_counter() - t0)
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(concurrency)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    return per_thread * concurrency / elapsed, latencies


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    db_path = OUT / f"catalog-{args.items}.sqlite3"
    setup_django(db_path)
    print(f"Building {args.items} items in {db_path} (kept for the next run)…", flush=True)
    build(args.items)

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from onetrip.catalog import selectors
    from onetrip.catalog.models import ServiceItem

    total_items = ServiceItem.objects.filter(current__isnull=False).count()
    codes = list(ServiceItem.objects.filter(code__startswith="BENCH-0").values_list("code", flat=True)[:500])

    client = Client()
    counts = {}
    for code in ("BENCH-Q-SMALL", "BENCH-Q-LARGE"):
        # A query string bypasses the visitors' page cache: this counts the page as rendered.
        client.get(f"/items/{code}/", {"fresh": "1"})
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/items/{code}/", {"fresh": "1"}).status_code == 200
        counts[code] = len(ctx.captured_queries)

    in_process = []
    for _ in range(10):
        for q in QUERIES:
            t0 = time.perf_counter()
            selectors.find_items(selectors.Filters(q=q), page=1, per_page=20)
            in_process.append(time.perf_counter() - t0)

    port = free_port()
    env = {**os.environ, "ALLOWED_HOSTS": "127.0.0.1", "PORT": str(port)}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "onetrip.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(args.workers), "--log-level", "warning"], cwd=ROOT, env=env)
    try:
        wait_up(port)
        guide_paths = [f"/items/{c}/" for c in codes]
        search_paths = ["/api/v1/items?" + urllib.parse.urlencode({"q": q}) for q in QUERIES]
        hammer(port, ["/healthz"], 200, args.concurrency)  # warm up every worker
        hammer(port, search_paths, 100, args.concurrency)
        health_rps, _ = hammer(port, ["/healthz"], args.requests, args.concurrency)
        # First pass over 500 guides: each worker renders them (cold), then the same again warm.
        cold_rps, _ = hammer(port, guide_paths, len(guide_paths) * 2, args.concurrency)
        guide_rps, guide_lat = hammer(port, guide_paths, args.requests, args.concurrency)
        health_rps2, _ = hammer(port, ["/healthz"], args.requests, args.concurrency)
        _, search_lat = hammer(port, search_paths, len(QUERIES) * 20, 1)
    finally:
        server.terminate()
        server.wait(timeout=10)

    health = (health_rps + health_rps2) / 2
    print()
    print(f"catalogue: {total_items} published items; server: gunicorn, {args.workers} workers; "
          f"client: {args.concurrency} keep-alive connections; {args.requests} requests per run")
    print(f"/healthz                 {health:8.0f} req/s (before {health_rps:.0f}, after {health_rps2:.0f})")
    print(f"item guide page          {guide_rps:8.0f} req/s  p50 {pct(guide_lat, 50):.1f} ms  p95 {pct(guide_lat, 95):.1f} ms")
    print(f"guide / healthz          {guide_rps / health * 100:8.1f} %   (goal ≥ 50 %; visitors' page cache warm)")
    print(f"guide, first views       {cold_rps:8.0f} req/s  = {cold_rps / health * 100:.1f} % of /healthz "
          f"(rendered: each worker sees each of {len(guide_paths)} guides for the first time)")
    print(f"search over HTTP (API)   p50 {pct(search_lat, 50):.1f} ms  p95 {pct(search_lat, 95):.1f} ms  "
          f"({len(search_lat)} queries, one client; goal p95 ≤ 30 ms)")
    print(f"search in process        p50 {pct(in_process, 50):.1f} ms  p95 {pct(in_process, 95):.1f} ms")
    print(f"queries per guide page   {counts['BENCH-Q-SMALL']} with 2 materials, {counts['BENCH-Q-LARGE']} with 60 materials"
          f" ({'constant' if len(set(counts.values())) == 1 else 'NOT constant'})")


if __name__ == "__main__":
    main()

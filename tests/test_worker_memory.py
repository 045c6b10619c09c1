"""A web worker carries only what it serves: the search dictionaries (jieba, pypinyin), the Excel
library and the PDF/QR libraries are loaded by the first request that needs them, not by every
process at start-up (issue G: a worker's RSS at most 150 MB)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("jieba", "pypinyin", "openpyxl", "pypdf", "segno", "PIL")

PROBE = """
import sys
from onetrip.wsgi import application
from django.test import Client
client = Client(HTTP_HOST="127.0.0.1")
assert client.get("/healthz").status_code == 200
print(",".join(sorted(m for m in {heavy!r} if m in sys.modules)))
for line in open("/proc/self/status"):
    if line.startswith("VmRSS:"):
        print(int(line.split()[1]) // 1024)
"""


def test_a_web_process_loads_no_heavy_library_until_a_request_needs_it(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "onetrip.settings", "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3",
           "STATICFILES_BACKEND": "plain", "ONETRIP_VAR_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", PROBE.format(heavy=HEAVY)], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    loaded, rss = out.stdout.split("\n")[:2]
    assert loaded == "", f"loaded at start-up: {loaded}"
    assert int(rss) < 110, f"{rss} MB after start-up and one request"

"""Apps in floors (DESIGN.md): an import never runs up a floor. ``core`` imports no app; ``cases``
imports neither the hall, supervision nor any app above it; apps above cases plug in through the
action registry, the job registry and the outbox."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "onetrip"

FLOORS = {
    "core": 0,
    "accounts": 1,
    "workcalendar": 2,
    "catalog": 2,
    "cases": 3,
    "hall": 4, "registries": 4, "licenses": 4, "payments": 4, "delivery": 4, "supervision": 4, "ratings": 4,
    "hotline": 4, "agencies": 4, "knowledge": 4,
    "reports": 5, "api": 5, "demo": 5,
}


def imports_of(path: Path) -> set[str]:
    """Every onetrip app a module imports, at its top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "onetrip" and len(parts) > 1 and parts[1] in FLOORS:
                found.add(parts[1])
    return found


def upward_imports() -> list[str]:
    bad = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if len(rel.parts) < 2 or rel.parts[0] not in FLOORS or "migrations" in rel.parts:
            continue
        app = rel.parts[0]
        for other in imports_of(path):
            if FLOORS[other] > FLOORS[app]:
                bad.append(f"{rel} imports onetrip.{other}")
    return bad


def test_every_app_has_a_floor():
    apps = {p.name for p in ROOT.iterdir() if p.is_dir() and (p / "apps.py").exists()}
    assert apps - set(FLOORS) == set()


def test_no_import_runs_up_a_floor():
    assert upward_imports() == []


def test_the_check_sees_a_lazy_import_inside_a_function(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from onetrip.supervision import views\n", encoding="utf-8")
    assert imports_of(module) == {"supervision"}


def test_the_calendar_stands_beside_accounts_and_imports_only_core_and_accounts():
    found = {str(p.relative_to(ROOT)): imports_of(p) - {"workcalendar", "core", "accounts"}
             for p in (ROOT / "workcalendar").rglob("*.py") if "migrations" not in p.parts}
    assert {f: apps for f, apps in found.items() if apps} == {}

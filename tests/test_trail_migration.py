"""A database with a trail written by the old single chain (one ``TrailHead``) migrates and verifies."""

import datetime as dt
import hashlib
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from onetrip.core import trail


def _old_hash(fields: dict) -> str:
    """How the single-chain trail hashed an entry (``core/trail.py`` before chains were split)."""
    body = {k: fields[k] for k in ("seq", "actor_label", "actor_role", "action", "object_type", "object_id",
                                   "summary", "prev_hash")}
    body["at"] = fields["at"].isoformat()
    body["actor"] = None
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()


def _old_trail(n: int) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate([("core", "0006_ratecounter")])
    old = executor.loader.project_state([("core", "0006_ratecounter")]).apps
    entry, head = old.get_model("core", "TrailEntry"), old.get_model("core", "TrailHead")
    prev = ""
    for seq in range(1, n + 1):
        fields = {"seq": seq, "at": dt.datetime(2026, 3, 1, 9, 0, seq, 123456, tzinfo=dt.UTC),
                  "actor_label": "system", "actor_role": "system", "action": "case.submit",
                  "object_type": "cases.case", "object_id": str(seq % 3), "summary": {"n": seq, "名": "张三"},
                  "prev_hash": prev}
        prev = _old_hash(fields)
        entry.objects.create(hash=prev, **fields)
    head.objects.create(id=1, count=n, last_hash=prev)


def _migrate_forward() -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_the_old_single_chain_verifies_after_migrating_and_becomes_the_first_sealed_segment(tmp_path, capsys):
    from onetrip.core.models import TrailChain, TrailCheckpoint, TrailEntry

    _old_trail(7)
    _migrate_forward()
    assert TrailChain.objects.get(key="").count == 7
    assert set(TrailEntry.objects.values_list("chain", flat=True)) == {""}
    call_command("verify_trail")
    assert "7 entries verified (0 checkpoints, 7 entries not sealed yet)" in capsys.readouterr().out

    assert trail.seal() == 7
    assert TrailCheckpoint.objects.get().count == 7
    trail.record(actor=None, action="case.accept", object_type="cases.case", object_id="1")
    assert TrailEntry.objects.order_by("-id")[0].chain == "cases.case:1"
    published = tmp_path / "published.jsonl"
    published.write_text("".join(trail.published_lines()))
    key = tmp_path / "key.pem"
    key.write_text(trail.public_key_pem(trail.get_signer().public_key()))
    call_command("verify_trail", "--checkpoints", str(published), "--public-key", str(key))
    assert "8 entries verified (1 checkpoints, 1 entries not sealed yet)" in capsys.readouterr().out

    fourth = TrailEntry.objects.get(chain="", seq=4)
    TrailEntry.objects.filter(pk=fourth.pk).update(summary={"n": 4, "名": "李四"})
    with pytest.raises(CommandError, match=f"entry #{fourth.pk} \\(checkpoint 1\\): entry #{fourth.pk} was changed"):
        call_command("verify_trail", "--checkpoints", str(published), "--public-key", str(key))

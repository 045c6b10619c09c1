"""The trail: chains per object, signed checkpoints, and verification against published copies.

The attacker in these tests can write anything to the database (rows of every trail table) but
does not hold the private key, and cannot reach copies of the checkpoints published earlier."""

import hashlib
import json
import os
import stat

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.core.management.base import CommandError

from onetrip.core import jobs, trail
from onetrip.core.models import TrailChain, TrailCheckpoint, TrailEntry


def _write(n=4, objects=1):
    for i in range(n):
        trail.record(actor=None, action="test.step", object_type="test", object_id=str(i % objects),
                     summary={"i": i})


def _ids():
    return list(TrailEntry.objects.order_by("id").values_list("id", flat=True))


def _publish(tmp_path, name="published.jsonl"):
    """What an auditor downloaded from /trail/checkpoints.jsonl before the attack."""
    path = tmp_path / name
    path.write_text("".join(trail.published_lines()), encoding="utf-8")
    return str(path)


def _public_key(tmp_path):
    path = tmp_path / "public.pem"
    path.write_text(trail.public_key_pem(trail.get_signer().public_key()))
    return str(path)


def _verify(*args):
    call_command("verify_trail", *args)


def _rewrite(mutate, *, resign_with=None):
    """The attacker's full rewrite: change the entries (``mutate`` edits a list of dicts), then
    recompute every chain link and hash, every chain head, and every checkpoint in the database
    (root, chain, hash), keeping the old signature or signing with a key of their own."""
    rows = [dict(zip(trail.ENTRY_FIELDS, r, strict=True))
            for r in TrailEntry.objects.order_by("id").values_list(*trail.ENTRY_FIELDS)]
    rows = mutate(rows)
    TrailEntry.objects.all().delete()
    TrailChain.objects.all().delete()
    heads = {}
    for row in rows:
        seq, prev = heads.get(row["chain"], (0, ""))
        row["seq"], row["prev_hash"] = seq + 1, prev
        row["hash"] = trail.row_hash([row[f] for f in trail.ENTRY_FIELDS])
        heads[row["chain"]] = (row["seq"], row["hash"])
        TrailEntry.objects.create(**row)
    for key, (count, last) in heads.items():
        TrailChain.objects.create(key=key, count=count, last_hash=last)
    prev = ""
    for cp in TrailCheckpoint.objects.order_by("number"):
        sealed = list(TrailEntry.objects.filter(sealed_in=cp.number).order_by("id").values_list("id", "hash"))
        cp.root = trail.merkle_root([trail.leaf(i, h) for i, h in sealed])
        cp.count, cp.prev_hash = len(sealed), prev
        if resign_with is not None:
            cp.key_id = trail.key_id(resign_with.public_key().public_bytes_raw())
        body = trail._dumps(trail.checkpoint_body(cp))
        cp.hash = hashlib.sha256(body).hexdigest()
        if resign_with is not None:
            cp.signature = resign_with.sign(body).hex()
        cp.save()
        prev = cp.hash


# --- appending: a chain per object ------------------------------------------------------------


@pytest.mark.django_db
def test_an_untouched_trail_verifies(capsys):
    _write()
    call_command("verify_trail")
    assert "4 entries verified" in capsys.readouterr().out
    trail.seal()
    _write(2)
    call_command("verify_trail")
    assert "6 entries verified (1 checkpoints, 2 entries not sealed yet)" in capsys.readouterr().out


@pytest.mark.django_db
def test_each_object_has_its_own_chain():
    _write(6, objects=2)
    for object_id in ("0", "1"):
        entries = list(TrailEntry.objects.filter(object_id=object_id).order_by("id"))
        assert [e.chain for e in entries] == [f"test:{object_id}"] * 3
        assert [e.seq for e in entries] == [1, 2, 3]
        assert [e.prev_hash for e in entries] == ["", entries[0].hash, entries[1].hash]
    assert TrailChain.objects.get(key="test:1").count == 3


@pytest.mark.django_db
def test_entries_without_an_object_chain_per_actor():
    trail.record(actor=None, action="test.loose")
    assert TrailEntry.objects.get().chain == "~system"


# --- tampering the chains alone (no checkpoint needed) -----------------------------------------


@pytest.mark.django_db
def test_an_edited_entry_is_named():
    _write()
    second = _ids()[1]
    TrailEntry.objects.filter(id=second).update(summary={"i": 99})
    with pytest.raises(CommandError, match=f"entry #{second} was changed"):
        _verify()


@pytest.mark.django_db
def test_a_deleted_entry_is_named():
    _write()
    ids = _ids()
    TrailEntry.objects.filter(id=ids[2]).delete()
    with pytest.raises(CommandError, match=f"entry 3 of chain test:0 is missing \\(before #{ids[3]}\\)"):
        _verify()


@pytest.mark.django_db
def test_a_deleted_last_entry_is_noticed():
    _write()
    TrailEntry.objects.filter(id=_ids()[-1]).delete()
    with pytest.raises(CommandError, match="entry 4 of chain test:0 is missing"):
        _verify()


@pytest.mark.django_db
def test_an_entry_inserted_into_a_chain_is_named():
    _write()
    forged = TrailEntry.objects.get(id=_ids()[1])
    forged.pk = None
    forged.summary = {"forged": True}
    forged.seq = 99
    forged.hash = trail.entry_hash(forged)
    forged.save()
    with pytest.raises(CommandError, match=f"#{forged.pk}"):
        _verify()


@pytest.mark.django_db
def test_an_entry_recomputed_alone_breaks_the_link_to_the_next():
    _write()
    ids = _ids()
    second = TrailEntry.objects.get(id=ids[1])
    second.summary = {"i": "forged"}
    TrailEntry.objects.filter(id=ids[1]).update(summary=second.summary, hash=trail.entry_hash(second))
    with pytest.raises(CommandError, match=f"entry #{ids[2]} does not follow the entry before it in its chain"):
        _verify()


@pytest.mark.django_db
def test_an_entry_claiming_a_checkpoint_that_does_not_exist_is_named():
    _write(2)
    TrailEntry.objects.filter(id=_ids()[1]).update(sealed_in=99)
    with pytest.raises(CommandError, match=f"entry #{_ids()[1]} claims checkpoint 99, which does not exist"):
        _verify()


# --- sealing ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_seal_job_is_registered_idempotent_and_chains_its_checkpoints():
    assert jobs.registry.jobs(["core.trail_seal"])[0].func is jobs.trail_seal
    _write(5)
    assert jobs.trail_seal() == 5
    assert jobs.trail_seal() == 0  # nothing new: no empty checkpoint
    _write(3)
    assert trail.seal(limit=2) == 3
    cps = list(TrailCheckpoint.objects.order_by("number"))
    assert [(cp.number, cp.count) for cp in cps] == [(1, 5), (2, 2), (3, 1)]
    assert [cp.prev_hash for cp in cps] == ["", cps[0].hash, cps[1].hash]
    assert sorted(TrailEntry.objects.values_list("sealed_in", flat=True)) == [1, 1, 1, 1, 1, 2, 2, 3]
    public = trail.get_signer().public_key()
    for cp in cps:
        assert trail.signature_ok(public, cp.signature, trail._dumps(trail.checkpoint_body(cp)))
        assert cp.key_id == trail.key_id(public)


@pytest.mark.django_db
def test_a_second_sealer_finds_nothing_left_to_seal():
    """The claim: entries already sealed are never sealed again, whoever runs next."""
    _write(4)
    TrailEntry.objects.filter(id__in=_ids()[:2]).update(sealed_in=7)  # as if claimed by another sealer
    assert trail.seal() == 2
    assert list(TrailEntry.objects.filter(sealed_in=1).values_list("id", flat=True)) == _ids()[2:]


@pytest.mark.django_db
def test_the_signing_key_is_a_private_file_created_on_first_use(settings, tmp_path):
    path = tmp_path / "keys" / "trail.pem"
    settings.TRAIL_SIGNING_KEY_FILE = path
    assert not path.exists()
    _write(1)
    trail.seal()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert b"PRIVATE KEY" in path.read_bytes()
    assert not TrailCheckpoint.objects.filter(signature__contains=path.read_text()[30:60]).exists()


def test_signers_racing_to_create_the_key_all_read_the_same_whole_key(tmp_path):
    # The first use in several processes at once: none may read a half-written file.
    import threading

    for attempt in range(10):
        path = tmp_path / f"race{attempt}" / "trail.pem"
        start = threading.Barrier(8)
        keys: list[bytes] = []
        errors: list[Exception] = []

        def first_use(path=path, start=start, keys=keys, errors=errors):
            start.wait()
            try:
                keys.append(trail.FileSigner(path).public_key())
            except Exception as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)

        threads = [threading.Thread(target=first_use) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert len(keys) == 8 and len(set(keys)) == 1
        assert [p.name for p in path.parent.iterdir()] == ["trail.pem"]


class HsmSigner:
    key = Ed25519PrivateKey.generate()

    def sign(self, data):
        return self.key.sign(data)

    def public_key(self):
        return self.key.public_key().public_bytes_raw()


@pytest.mark.django_db
def test_another_signer_can_replace_the_key_file(settings, tmp_path):
    settings.TRAIL_SIGNER = "tests.test_trail.HsmSigner"
    _write(2)
    trail.seal()
    assert TrailCheckpoint.objects.get().key_id == trail.key_id(HsmSigner.key.public_key().public_bytes_raw())
    assert not (tmp_path / "trail_signing_key.pem").exists()
    _verify()


@pytest.mark.django_db
def test_each_checkpoint_is_appended_to_the_export_file(settings, tmp_path, django_capture_on_commit_callbacks):
    settings.TRAIL_CHECKPOINT_EXPORT_DIR = str(tmp_path / "export")
    _write(3)
    with django_capture_on_commit_callbacks(execute=True):
        trail.seal()
    _write(1)
    with django_capture_on_commit_callbacks(execute=True):
        trail.seal()
    lines = (tmp_path / "export" / trail.EXPORT_FILE_NAME).read_text().splitlines()
    assert [json.loads(line)["number"] for line in lines] == [1, 2]
    assert [len(json.loads(line)["leaves"]) for line in lines] == [3, 1]
    _verify("--checkpoints", str(tmp_path / "export" / trail.EXPORT_FILE_NAME), "--public-key", _public_key(tmp_path))


# --- tampering after a seal, with and without the published copy -----------------------------


@pytest.mark.django_db
def test_an_edited_sealed_entry_is_named(tmp_path):
    _write(6, objects=2)
    trail.seal()
    published = _publish(tmp_path)
    third = _ids()[2]
    TrailEntry.objects.filter(id=third).update(action="test.other")
    with pytest.raises(CommandError, match=f"entry #{third} \\(checkpoint 1\\): entry #{third} was changed"):
        _verify("--checkpoints", published, "--public-key", _public_key(tmp_path))


@pytest.mark.django_db
def test_a_full_rewrite_with_the_old_signatures_is_caught_by_the_key():
    """Without any published copy: the recomputed checkpoints no longer carry a valid signature."""
    _write(6, objects=2)
    trail.seal()

    def edit(rows):
        rows[2]["summary"] = {"i": 99}
        return rows

    _rewrite(edit)
    with pytest.raises(CommandError, match="checkpoint 1 is not signed by the trail's key"):
        _verify()


@pytest.mark.parametrize("resign", [False, True], ids=["unsigned", "re-signed-with-another-key"])
@pytest.mark.django_db
def test_a_full_rewrite_of_an_edited_entry_is_named(tmp_path, resign):
    _write(6, objects=2)
    trail.seal()
    _write(2, objects=2)
    trail.seal()
    published, public = _publish(tmp_path), _public_key(tmp_path)
    edited = _ids()[3]

    def edit(rows):
        rows[3]["summary"] = {"i": "forged"}
        return rows

    _rewrite(edit, resign_with=Ed25519PrivateKey.generate() if resign else None)
    with pytest.raises(CommandError, match=f"entry #{edited} \\(checkpoint 1\\): entry #{edited} was rewritten "
                                           "after checkpoint 1 was published"):
        _verify("--checkpoints", published, "--public-key", public)


@pytest.mark.django_db
def test_a_full_rewrite_without_an_entry_names_it(tmp_path):
    _write(6, objects=2)
    trail.seal()
    published, public = _publish(tmp_path), _public_key(tmp_path)
    gone = _ids()[4]
    _rewrite(lambda rows: [r for r in rows if r["id"] != gone], resign_with=Ed25519PrivateKey.generate())
    with pytest.raises(CommandError, match=f"entry #{gone} sealed in checkpoint 1 is missing"):
        _verify("--checkpoints", published, "--public-key", public)


@pytest.mark.django_db
def test_a_full_rewrite_with_an_entry_inserted_in_the_middle_names_the_first_entry_it_moved(tmp_path):
    _write(6, objects=2)
    trail.seal()
    published, public = _publish(tmp_path), _public_key(tmp_path)
    ids = _ids()

    def insert(rows):  # a forged entry placed right after the second one of chain test:1
        return rows[:2] + [{**rows[1], "id": ids[-1] + 100, "summary": {"forged": True}}] + rows[2:]

    _rewrite(insert, resign_with=Ed25519PrivateKey.generate())
    with pytest.raises(CommandError, match=f"entry #{ids[3]} was rewritten after checkpoint 1 was published"):
        _verify("--checkpoints", published, "--public-key", public)


@pytest.mark.django_db
def test_a_full_rewrite_with_an_entry_added_to_a_checkpoint_names_it(tmp_path):
    _write(6, objects=2)
    trail.seal()
    published, public = _publish(tmp_path), _public_key(tmp_path)
    forged_id = _ids()[-1] + 100

    def insert(rows):  # a forged last entry of chain test:1, under checkpoint 1
        return rows + [{**rows[1], "id": forged_id, "summary": {"forged": True}}]

    _rewrite(insert, resign_with=Ed25519PrivateKey.generate())
    with pytest.raises(CommandError, match=f"entry #{forged_id} is not among the entries published for "
                                           "checkpoint 1 \\(inserted\\)"):
        _verify("--checkpoints", published, "--public-key", public)


@pytest.mark.django_db
def test_a_sealed_entry_that_the_attacker_left_unsealed_is_missing_from_its_checkpoint(tmp_path):
    _write(4)
    trail.seal()
    published, public = _publish(tmp_path), _public_key(tmp_path)
    moved = _ids()[1]
    TrailEntry.objects.filter(id=moved).update(sealed_in=None)
    with pytest.raises(CommandError, match=f"entry #{moved} sealed in checkpoint 1 is missing"):
        _verify("--checkpoints", published, "--public-key", public)


@pytest.mark.django_db
def test_without_a_published_copy_an_entry_taken_out_of_its_checkpoint_is_noticed():
    _write(4)
    trail.seal()
    TrailEntry.objects.filter(id=_ids()[-1]).update(sealed_in=None)  # as if written after the seal
    with pytest.raises(CommandError, match="the entries sealed in checkpoint 1 are not the ones it sealed"):
        _verify()


@pytest.mark.django_db
def test_a_deleted_checkpoint_and_its_entries_are_noticed(tmp_path):
    _write(3)
    trail.seal()
    _write(3)
    trail.seal()
    published, public = _publish(tmp_path), _public_key(tmp_path)
    last = _ids()[3:]
    TrailEntry.objects.filter(id__in=last).delete()
    TrailCheckpoint.objects.filter(number=2).delete()
    TrailChain.objects.filter(key="test:0").update(count=3, last_hash=TrailEntry.objects.order_by("-id")[0].hash)
    _verify()  # the database alone is consistent again: only the published copy shows the loss
    with pytest.raises(CommandError, match=f"entry #{last[0]} sealed in checkpoint 2 is missing"):
        _verify("--checkpoints", published, "--public-key", public)


@pytest.mark.django_db
def test_a_forged_checkpoints_file_is_refused(tmp_path):
    _write(3)
    trail.seal()
    path = tmp_path / "forged.jsonl"
    line = json.loads(next(trail.published_lines()))
    line["leaves"][0][1] = "0" * 64
    path.write_text(json.dumps(line) + "\n")
    with pytest.raises(CommandError, match="not genuine: published checkpoint 1: its leaves do not give its root"):
        _verify("--checkpoints", str(path), "--public-key", _public_key(tmp_path))
    other = tmp_path / "other.pem"
    other.write_text(trail.public_key_pem(Ed25519PrivateKey.generate().public_key().public_bytes_raw()))
    with pytest.raises(CommandError, match="published checkpoint 1 is not signed by this public key"):
        _verify("--checkpoints", _publish(tmp_path), "--public-key", str(other))
    _write(1)
    trail.seal()
    _write(1)
    trail.seal()
    lines = list(trail.published_lines())
    path.write_text(lines[0] + lines[2])
    with pytest.raises(CommandError, match="published checkpoint 3 does not follow checkpoint 1"):
        _verify("--checkpoints", str(path), "--public-key", _public_key(tmp_path))


@pytest.mark.django_db
def test_since_verifies_from_a_checkpoint_on(capsys):
    _write(4, objects=2)
    trail.seal()
    _write(4, objects=2)
    trail.seal()
    _write(2, objects=2)
    first = _ids()[0]
    TrailEntry.objects.filter(id=first).update(summary={"i": "changed in checkpoint 1"})
    _verify("--since", "2")
    assert "6 entries verified (1 checkpoints, 2 entries not sealed yet)" in capsys.readouterr().out
    with pytest.raises(CommandError, match=f"entry #{first}"):
        _verify("--since", "1")
    later = _ids()[5]
    TrailEntry.objects.filter(id=later).update(summary={"i": "changed in checkpoint 2"})
    with pytest.raises(CommandError, match=f"entry #{later} \\(checkpoint 2\\)"):
        _verify("--since", "2")


# --- the published pages ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_checkpoints_are_published(client, tmp_path):
    _write(3)
    trail.seal()
    cp = TrailCheckpoint.objects.get()
    page = client.get("/trail/checkpoints/").content.decode()
    assert cp.hash in page and cp.root in page and cp.signature in page
    assert trail.key_id(trail.get_signer().public_key()) in page
    download = client.get("/trail/checkpoints.jsonl")
    assert download["Content-Disposition"] == 'attachment; filename="trail-checkpoints.jsonl"'
    published = tmp_path / "download.jsonl"
    published.write_bytes(b"".join(download.streaming_content))
    key = tmp_path / "key.pem"
    key.write_bytes(client.get("/trail/public-key.pem").content)
    assert len(trail.load_published(published.read_text().splitlines(), trail.load_public_key(key))[1]["leaves"]) == 3
    _verify("--checkpoints", str(published), "--public-key", str(key))


@pytest.mark.django_db
def test_a_server_without_the_key_publishes_no_key_rather_than_making_one(client, settings, tmp_path):
    settings.TRAIL_SIGNING_KEY_FILE = tmp_path / "absent.pem"
    assert client.get("/trail/public-key.pem").status_code == 404
    assert client.get("/trail/checkpoints/").status_code == 200
    assert not (tmp_path / "absent.pem").exists()


@pytest.mark.django_db
def test_verifying_on_a_machine_without_the_key_checks_no_signatures_and_says_so(settings, tmp_path, capsys):
    _write(2)
    trail.seal()
    settings.TRAIL_SIGNING_KEY_FILE = tmp_path / "absent.pem"
    _verify()
    assert "signatures are not checked" in capsys.readouterr().err
    assert not (tmp_path / "absent.pem").exists()
    with pytest.raises(CommandError, match="--checkpoints needs --public-key"):
        _verify("--checkpoints", _publish(tmp_path))

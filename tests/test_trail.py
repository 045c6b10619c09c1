import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from onetrip.core import trail
from onetrip.core.models import TrailEntry


def _write(n=4):
    for i in range(n):
        trail.record(actor=None, action="test.step", object_type="test", object_id=str(i), summary={"i": i})


@pytest.mark.django_db
def test_an_untouched_trail_verifies(capsys):
    _write()
    call_command("verify_trail")
    assert "4 entries verified" in capsys.readouterr().out


@pytest.mark.django_db
def test_an_edited_entry_is_named():
    _write()
    TrailEntry.objects.filter(seq=2).update(summary={"i": 99})
    with pytest.raises(CommandError, match="#2.*changed"):
        call_command("verify_trail")


@pytest.mark.django_db
def test_a_deleted_entry_is_named():
    _write()
    TrailEntry.objects.filter(seq=3).delete()
    with pytest.raises(CommandError, match="#3.*missing"):
        call_command("verify_trail")


@pytest.mark.django_db
def test_a_deleted_last_entry_is_noticed():
    _write()
    TrailEntry.objects.filter(seq=4).delete()
    with pytest.raises(CommandError, match="#4"):
        call_command("verify_trail")


@pytest.mark.django_db
def test_an_entry_inserted_out_of_order_is_named():
    _write()
    forged = TrailEntry.objects.get(seq=2)
    for entry in TrailEntry.objects.filter(seq__gte=3).order_by("-seq"):
        TrailEntry.objects.filter(pk=entry.pk).update(seq=entry.seq + 1)
    forged.pk = None
    forged.seq = 3
    forged.summary = {"forged": True}
    forged.hash = trail.entry_hash(forged)
    forged.save()
    with pytest.raises(CommandError, match="#3"):
        call_command("verify_trail")


@pytest.mark.django_db
def test_each_entry_links_to_the_one_before():
    _write(3)
    entries = list(TrailEntry.objects.order_by("seq"))
    assert entries[0].prev_hash == ""
    assert entries[1].prev_hash == entries[0].hash
    assert entries[2].prev_hash == entries[1].hash

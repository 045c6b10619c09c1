"""The trail without a global lock: a chain per object (``TrailChain`` heads) and signed checkpoints.

Entries written before keep their place in the old single chain, now the chain ``""`` (its
positions are the old ``seq`` numbers, its hashes unchanged); the first run of the seal job
seals them as the first checkpoints. The old head row becomes that chain's head."""

from django.conf import settings
from django.db import migrations, models


def old_head_to_legacy_chain(apps, schema_editor):
    head = apps.get_model("core", "TrailHead").objects.filter(id=1).first()
    if head is not None and head.count:
        apps.get_model("core", "TrailChain").objects.create(key="", last_hash=head.last_hash, count=head.count)


def legacy_chain_to_old_head(apps, schema_editor):
    chain = apps.get_model("core", "TrailChain").objects.filter(key="").first()
    if chain is not None:
        apps.get_model("core", "TrailHead").objects.create(id=1, last_hash=chain.last_hash, count=chain.count)


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0006_ratecounter'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='TrailChain',
            fields=[
                ('key', models.CharField(max_length=140, primary_key=True, serialize=False)),
                ('last_hash', models.CharField(default='', max_length=64)),
                ('count', models.PositiveBigIntegerField(default=0)),
            ],
        ),
        migrations.CreateModel(
            name='TrailCheckpoint',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveBigIntegerField(unique=True)),
                ('sealed_at', models.DateTimeField(db_index=True)),
                ('count', models.PositiveIntegerField()),
                ('first_entry', models.PositiveBigIntegerField()),
                ('last_entry', models.PositiveBigIntegerField()),
                ('root', models.CharField(max_length=64)),
                ('prev_hash', models.CharField(max_length=64)),
                ('hash', models.CharField(max_length=64, unique=True)),
                ('key_id', models.CharField(max_length=64)),
                ('signature', models.CharField(max_length=128)),
            ],
            options={
                'verbose_name': 'trail checkpoint',
                'verbose_name_plural': 'trail checkpoints',
                'ordering': ['number'],
            },
        ),
        migrations.RunPython(old_head_to_legacy_chain, legacy_chain_to_old_head),
        migrations.DeleteModel(
            name='TrailHead',
        ),
        migrations.AlterModelOptions(
            name='trailentry',
            options={'ordering': ['id'], 'verbose_name': 'trail entry', 'verbose_name_plural': 'trail entries'},
        ),
        migrations.RemoveIndex(
            model_name='trailentry',
            name='core_traile_object__09c358_idx',
        ),
        migrations.AddField(
            model_name='trailentry',
            name='chain',
            field=models.CharField(blank=True, default='', max_length=140),
        ),
        migrations.AddField(
            model_name='trailentry',
            name='sealed_in',
            field=models.PositiveBigIntegerField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name='trailentry',
            name='seq',
            field=models.PositiveBigIntegerField(),
        ),
        migrations.AddIndex(
            model_name='trailentry',
            index=models.Index(fields=['object_type', 'object_id', 'id'], name='trail_entry_object'),
        ),
        migrations.AddIndex(
            model_name='trailentry',
            index=models.Index(fields=['sealed_in', 'id'], name='trail_entry_sealed'),
        ),
        migrations.AddConstraint(
            model_name='trailentry',
            constraint=models.UniqueConstraint(fields=('chain', 'seq'), name='trail_entry_chain_seq'),
        ),
    ]

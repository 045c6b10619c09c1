
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def submitted_by_is_applicant(apps, schema_editor):
    Application = apps.get_model("cases", "Application")
    Application.objects.update(submitted_by=models.F("applicant"))


def fill_step_role(apps, schema_editor):
    """Cases under review learn the role their current step names (the inbox reads it)."""
    from onetrip.cases.steps import review_steps

    Case = apps.get_model("cases", "Case")
    for case in Case.objects.filter(state__in=["in_review", "suspended"]).select_related("version"):
        steps = review_steps(case.version)
        case.step_role = steps[min(case.step_index, len(steps) - 1)].role
        case.save(update_fields=["step_role"])


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('cases', '0002_deadline_indexes_and_claims'),
        ('catalog', '0003_search_covering_index'),
        ('supervision', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # RuleViolation moves from supervision to cases (cases records violations; supervision reads
        # them). The table stays as it is: only Django's idea of which app owns it changes.
        migrations.SeparateDatabaseAndState(state_operations=[
                migrations.CreateModel(
                    name='RuleViolation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('rule', models.CharField(choices=[('off_checklist', 'Material requested off the checklist'), ('repeated_notice', 'A second notice named materials not named the first time'), ('visits_exceeded', 'More trips than promised'), ('overdue', 'Promised time limit exceeded')], db_index=True, max_length=32, verbose_name='rule')),
                        ('at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='when')),
                        ('detail', models.JSONField(default=dict, verbose_name='detail')),
                    ],
                    options={
                        'verbose_name': 'rule violation',
                        'verbose_name_plural': 'rule violations',
                        'db_table': 'supervision_ruleviolation',
                        'ordering': ['-at'],
                    },
                ),
                migrations.AddField(
                    model_name='ruleviolation',
                    name='actor',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AddField(
                    model_name='ruleviolation',
                    name='case',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='violations', to='cases.case'),
                ),
                migrations.AddField(
                    model_name='ruleviolation',
                    name='department',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.department'),
                ),
                migrations.AddConstraint(
                    model_name='ruleviolation',
                    constraint=models.UniqueConstraint(condition=models.Q(('rule__in', ['visits_exceeded', 'overdue'])), fields=('case', 'rule'), name='supervision_violation_once_per_case'),
                ),
        ]),
        migrations.AlterModelOptions(
            name='casematerial',
            options={'ordering': ['application', 'name', 'uploaded_at', 'id']},
        ),
        migrations.RemoveConstraint(
            model_name='application',
            name='cases_application_idempotent',
        ),
        migrations.RemoveConstraint(
            model_name='casematerial',
            name='cases_material_one_current',
        ),
        migrations.AddField(
            model_name='application',
            name='proxy_consent',
            field=models.TextField(blank=True, verbose_name='consent of the person applied for'),
        ),
        migrations.AddField(
            model_name='application',
            name='submitted_by',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.RunPython(submitted_by_is_applicant, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='application',
            name='submitted_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='case',
            name='step_role',
            field=models.CharField(blank=True, default='', max_length=32),
        ),
        migrations.RunPython(fill_step_role, migrations.RunPython.noop),
        migrations.AddField(
            model_name='noticeitem',
            name='applicant_reply',
            field=models.TextField(blank=True, verbose_name="applicant's explanation"),
        ),
        migrations.AlterField(
            model_name='application',
            name='applicant',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='applications', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['department', 'state', 'step_role', 'promised_deadline', 'id'], name='case_dept_step_deadline'),
        ),
        migrations.AddIndex(
            model_name='casematerial',
            index=models.Index(fields=['application', 'current', 'name'], name='case_material_current'),
        ),
        migrations.AddConstraint(
            model_name='application',
            constraint=models.UniqueConstraint(condition=models.Q(('idempotency_key', ''), _negated=True), fields=('submitted_by', 'idempotency_key'), name='cases_application_idempotent'),
        ),
    ]

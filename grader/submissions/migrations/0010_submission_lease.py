from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('submissions', '0009_submission_failure_detail'),
    ]

    operations = [
        migrations.AddField(
            model_name='submission',
            name='lease_owner',
            field=models.CharField(blank=True, help_text='the worker grading it now (empty: nobody); see grader.submissions.leases', max_length=200),
        ),
        migrations.AddField(
            model_name='submission',
            name='lease_expires_at',
            field=models.DateTimeField(blank=True, help_text='past this, another worker may take the grading over', null=True),
        ),
        migrations.AddField(
            model_name='submission',
            name='enqueued_at',
            field=models.DateTimeField(blank=True, db_index=True, help_text="when its grading task was last sent (the sweeper's clock)", null=True),
        ),
    ]

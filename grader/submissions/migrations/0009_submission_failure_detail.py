from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('submissions', '0008_insight_mistake_first_feedback'),
    ]

    operations = [
        migrations.AddField(
            model_name='submission',
            name='failure_detail',
            field=models.TextField(blank=True, help_text='staff only: what the worker logged when grading failed on our side (the exception and where it was raised)'),
        ),
    ]

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("intermediate_server", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="provisionrecord",
            name="manual_reason",
            field=models.CharField(blank=True, max_length=200, verbose_name="手動回答の理由"),
        ),
    ]

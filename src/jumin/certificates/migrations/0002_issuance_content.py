"""The issued content of each copy, sealed (certificates/sealing.py), so that a 再交付
reproduces what was issued.  SQLite may rebuild the table for the new column and lose the
append-only triggers: they are installed again."""

from django.db import migrations, models

from jumin.audit import triggers


def install_triggers(apps, schema_editor):
    triggers.install(schema_editor, ["certificates_issuance"])


class Migration(migrations.Migration):
    dependencies = [("certificates", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="issuance",
            name="content",
            field=models.BinaryField(blank=True, editable=False, null=True, verbose_name="交付した内容（暗号化）"),
        ),
        migrations.RunPython(install_triggers, migrations.RunPython.noop),
    ]

"""PostgreSQL: the append-only trigger function now also requires membership of the role
``jumin_log_purge`` to open the purge gate; the role is created here when the migrating
user may create roles (otherwise ``jumin audit install-gate``).  SQLite: nothing changes."""

from django.db import migrations

from jumin.audit import triggers


def install_gate_role(apps, schema_editor):
    triggers.install_gate_role(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_print_log"),
    ]

    operations = [
        migrations.RunPython(install_gate_role, migrations.RunPython.noop),
    ]

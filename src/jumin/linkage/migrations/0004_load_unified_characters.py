"""Fill the 住基ネット統一文字 conversion table with the shipped seed on a fresh install (spec
7.1.1.1), so that the 代替文字 items are filled from the first day.  The operator loads the
official J-LIS table with ``jumin load-unified-characters FILE``."""

from typing import Any

from django.db import migrations


def load(apps: Any, schema_editor: Any) -> None:
    from jumin.linkage.unified_characters import seed_rows  # noqa: PLC0415 - reads the shipped CSV

    UnifiedCharacter = apps.get_model("linkage", "UnifiedCharacter")
    UnifiedCharacter.objects.bulk_create(
        [UnifiedCharacter(char=c, substitute=s, source="seed", note=n) for c, s, n in seed_rows()],
        batch_size=2000,
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("linkage", "0003_unified_characters")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

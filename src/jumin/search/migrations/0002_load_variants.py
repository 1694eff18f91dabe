"""Fill the 異体字 table from the public ja-itaiji data on a fresh install, so that variant-
inclusive search (spec 2.1.2) works from the first day.  ``jumin load-variants`` refreshes it."""

from typing import Any

from django.db import migrations


def load(apps: Any, schema_editor: Any) -> None:
    from jumin.search.variants import package_pairs  # noqa: PLC0415 - not at load: imports current models

    VariantKanji = apps.get_model("search", "VariantKanji")
    VariantKanji.objects.bulk_create(
        [VariantKanji(char=c, variant=v, source="ja-itaiji") for c, v in sorted(package_pairs())],
        batch_size=2000,
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

"""The items of the 宛名連携 feed each grant allows.  A grant that already read the feed keeps
every item it received before (nothing a department relied on disappears with the upgrade)."""

from __future__ import annotations

from typing import Any

from django.db import migrations, models

ALL_ITEMS = [
    "name",
    "furigana",
    "birth",
    "sex",
    "address",
    "postcode",
    "household_no",
    "head_name",
    "relationship",
    "status",
]


def keep_every_item(apps: Any, schema_editor: Any) -> None:
    grant = apps.get_model("integrated_atena", "BusinessGrant")
    grant.objects.filter(may_read_feed=True).update(feed_items=ALL_ITEMS)


class Migration(migrations.Migration):
    dependencies = [("integrated_atena", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="businessgrant",
            name="feed_items",
            field=models.JSONField(blank=True, default=list, verbose_name="宛名連携の項目"),
        ),
        migrations.RunPython(keep_every_item, migrations.RunPython.noop),
    ]

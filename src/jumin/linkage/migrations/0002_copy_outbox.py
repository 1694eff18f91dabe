"""Copy the rows of ``registry.OutboxMessage`` and ``protection.ProtectionOutboxMessage`` into
the one ``linkage.OutboxMessage`` table (same destination, seq, key and state; both tables took
their ``seq`` from the same serial ``outbox:<destination>``, so (destination, seq) stays unique)."""

from django.db import migrations

BATCH = 2000
COMMON = ("destination", "seq", "idempotency_key", "kind", "state", "attempts", "last_error", "created_at")


def copy(apps, schema_editor):
    target = apps.get_model("linkage", "OutboxMessage")
    sources = (
        (apps.get_model("registry", "OutboxMessage"), ("movement_id", "atena_no", "history_no")),
        (apps.get_model("protection", "ProtectionOutboxMessage"), ("block_id", "scope", "target_no")),
    )
    for model, own in sources:
        fields = (*COMMON, *own)
        batch = []
        for values in model.objects.order_by("pk").values_list(*fields).iterator(chunk_size=BATCH):
            batch.append(target(**dict(zip(fields, values, strict=True))))
            if len(batch) >= BATCH:
                target.objects.bulk_create(batch)
                batch = []
        target.objects.bulk_create(batch)


def copy_back(apps, schema_editor):
    source = apps.get_model("linkage", "OutboxMessage")
    registry = apps.get_model("registry", "OutboxMessage")
    protection = apps.get_model("protection", "ProtectionOutboxMessage")
    for row in source.objects.order_by("pk").iterator(chunk_size=BATCH):
        common = {f: getattr(row, f) for f in COMMON}
        if row.movement_id is not None:
            registry.objects.create(
                **common, movement_id=row.movement_id, atena_no=row.atena_no, history_no=row.history_no
            )
        elif row.block_id is not None:
            protection.objects.create(**common, block_id=row.block_id, scope=row.scope, target_no=row.target_no)
    source.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("linkage", "0001_initial"),
        ("registry", "0010_address_banchi_katagaki"),
        ("protection", "0001_initial"),
    ]

    operations = [migrations.RunPython(copy, copy_back, elidable=True)]

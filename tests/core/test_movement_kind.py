from jumin.core.movement_kind import KIND_LABELS, MIGRATION_LABEL, MOVEMENT_KIND_CHOICES, MovementKind


def test_members_equal_their_strings():
    assert MovementKind.MOVE_IN == "move_in"
    assert {"move_in": 1}[MovementKind.MOVE_IN] == 1
    assert f"{MovementKind.HEAD_CHANGE}" == "head_change"


def test_every_kind_but_migration_has_a_label():
    assert set(MovementKind) - set(KIND_LABELS) == {MovementKind.MIGRATION}
    assert KIND_LABELS["move_in"] == "転入"


def test_choices_list_every_kind_with_its_label():
    choices = dict(MOVEMENT_KIND_CHOICES)
    assert list(choices) == [k.value for k in MovementKind]
    assert choices["birth"] == "出生"
    assert choices["migration"] == MIGRATION_LABEL

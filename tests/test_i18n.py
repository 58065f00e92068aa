from tools.i18n import problems


def test_every_ui_string_has_a_compiled_norwegian_translation():
    assert problems() == []

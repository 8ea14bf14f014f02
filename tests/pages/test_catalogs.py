"""The Chinese catalog is complete and the compiled catalogs are used."""

from pathlib import Path

import polib
from django.conf import settings
from django.urls import reverse
from django.utils import translation

CATALOG = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_every_chinese_string_is_translated():
    catalog = polib.pofile(str(CATALOG))
    untranslated = [e.msgid for e in catalog if not e.translated() and not e.obsolete]
    assert untranslated == []


def test_pages_speak_chinese_by_default_and_english_on_request(client, city):
    from django.core.management import call_command

    call_command("compile_catalogs", verbosity=0)
    translation.trans_real._translations = {}
    translation.trans_real._default = None
    html = client.get(reverse("citizens:submit")).content.decode()
    assert "反映问题" in html and "描述问题" in html
    client.cookies["django_language"] = "en"
    html = client.get(reverse("citizens:submit")).content.decode()
    assert "Report a problem" in html and "Describe the problem" in html


def test_workflow_action_labels_follow_the_current_language():
    from django.core.management import call_command

    from governance import workflow

    call_command("compile_catalogs", verbosity=0)
    translation.trans_real._translations = {}
    translation.trans_real._default = None
    with translation.override("en"):
        assert str(workflow.ACTION_LABELS["dispatch"]) == "dispatch"
    with translation.override("zh-hans"):
        assert str(workflow.ACTION_LABELS["dispatch"]) == "派遣"

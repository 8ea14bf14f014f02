"""The Chinese catalog is complete and the compiled catalogs are used."""

import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

CATALOG = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_every_chinese_string_is_translated():
    catalog = polib.pofile(str(CATALOG))
    untranslated = [e.msgid for e in catalog if not e.translated() and not e.obsolete]
    assert untranslated == []


# The project's own sources: what is marked for translation there is what a page may say.
SOURCES = ("citizens", "config", "emergency", "evaluation", "governance", "gridwork")
SOURCES += ("notifications", "sensing", "templates")


@pytest.mark.skipif(not shutil.which("xgettext"), reason="no GNU gettext here")
def test_every_string_marked_in_the_code_has_its_chinese(tmp_path, monkeypatch, settings):
    """The strings extracted from the code and templates now (Django's makemessages, run on a
    copy of the catalog: the project's own is never rewritten) against the catalog. A label
    changed in the code without its catalog entry shows in English on a Chinese page."""
    from django.core.management import call_command

    base = Path(settings.BASE_DIR)
    for name in SOURCES:
        (tmp_path / name).symlink_to(base / name, target_is_directory=True)
    copy = tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES"
    copy.mkdir(parents=True)
    shutil.copy(CATALOG, copy / "django.po")
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    monkeypatch.chdir(tmp_path)
    call_command("makemessages", locale=["zh_Hans"], symlinks=True, no_obsolete=True, verbosity=0)
    extracted = polib.pofile(str(copy / "django.po"))
    missing = sorted(e.msgid for e in extracted if not e.translated() and not e.obsolete)
    assert missing == []


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

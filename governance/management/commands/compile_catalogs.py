"""Compile the translation catalogs (.po → .mo) without needing GNU gettext on the machine."""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile every locale/*/LC_MESSAGES/*.po into its .mo (pure Python, via polib)."

    def handle(self, *args, **options) -> None:
        compiled = 0
        app_dirs = [settings.BASE_DIR / app / "locale" for app in ("citizens", "governance")]
        for locale_dir in [*settings.LOCALE_PATHS, *app_dirs]:
            for po_path in sorted(Path(locale_dir).glob("*/LC_MESSAGES/*.po")):
                mo_path = po_path.with_suffix(".mo")
                if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                    continue
                polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
                compiled += 1
        self.stdout.write(f"compiled {compiled} catalog(s)")

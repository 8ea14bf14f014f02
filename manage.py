#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    # Django's command runner swallows a settings error and carries on with its built-in
    # commands (`check` then passes): stop here instead, naming the variable.
    try:
        settings.INSTALLED_APPS  # noqa: B018 - loads the settings
    except ImproperlyConfigured as error:
        sys.exit(f"Configuration error: {error}")

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()

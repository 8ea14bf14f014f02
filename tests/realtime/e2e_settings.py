"""Settings for the servers the end-to-end tests start: the site's own, except

- the Celery queue is named per run (E2E_QUEUE), so the test's worker alone takes the tasks
  these servers send;
- passwords are hashed as in the test process (tests/conftest.py), so people the tests create
  can sign in through the real sign-in page.
"""

from config.settings import *  # noqa: F403

CELERY_TASK_DEFAULT_QUEUE = env_str("E2E_QUEUE", "celery")  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

"""WSGI entry point for gunicorn."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.base")

application = get_wsgi_application()

# Everything loaded so far (Django, the apps, the URL map) lives as long as the worker: move
# it out of the garbage collector's sight, so that a full collection in the middle of a
# request walks a few thousand objects rather than over a hundred thousand (it had put
# 50-100 ms on the slowest triage queue views).
gc.freeze()

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aqb_site.settings")

from aqb_site.settings import require_secret_key  # noqa: E402

require_secret_key()  # a served site without DEBUG needs a real SECRET_KEY
application = get_asgi_application()

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aqb_site.settings")

from aqb_site.settings import require_secret_key  # noqa: E402

require_secret_key()  # a served site without DEBUG needs a real SECRET_KEY
application = get_wsgi_application()

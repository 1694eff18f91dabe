import os

from django.core.wsgi import get_wsgi_application

from jumin.conf.checks import refuse_to_start

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jumin.settings.production")
application = get_wsgi_application()
# No request is served by an installation that breaks a production rule (jumin.E001, E002).
refuse_to_start()

"""Top-level URLs.  Every view requires login (LoginRequiredMiddleware) unless it is
explicitly marked ``login_not_required``."""

from django.urls import include, path

from jumin.api import api
from jumin.certificates.views import verify
from jumin.runtime.views import healthz, readyz

urlpatterns = [
    path("api/v1/", api.urls),
    path("", include("jumin.web.urls")),
    path("accounts/", include("jumin.accounts.urls")),
    path("accounts/webauthn/", include("jumin.accounts.webauthn_urls")),
    path("audit/", include("jumin.audit.urls")),
    path("registry/", include("jumin.registry.urls")),
    path("protection/", include("jumin.protection.urls")),
    path("search/", include("jumin.search.urls")),
    path("certificates/", include("jumin.certificates.urls")),
    path("inspection/", include("jumin.inspection.urls")),
    path("applications/", include("jumin.applications.urls")),
    path("jukinet/identity/", include("jumin.jukinet.identity_urls")),
    path("jukinet/special/", include("jumin.jukinet.special_urls")),
    path("jukinet/wide-area/", include("jumin.jukinet.wide_area_urls")),
    path("jukinet/", include("jumin.jukinet.urls")),
    path("linkage/", include("jumin.linkage.urls")),
    path("kiosk/", include("jumin.kiosk.urls")),
    path("koseki/", include("jumin.koseki.urls")),
    path("immigration/", include("jumin.immigration.urls")),
    path("statistics/", include("jumin.statistics.urls")),
    path("number-exchange/", include("jumin.intermediate_server.urls")),
    path("verify/", verify, name="verify"),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
]

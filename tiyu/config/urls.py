"""URL map: pages, the back office, the API, admin, i18n."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from tiyu.config.api import api
from tiyu.portal.urls import auth_patterns

urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    *auth_patterns,
    path("manage/", include("tiyu.backoffice.urls")),
    path("sandbox/", include("tiyu.sandbox.urls")),
    path("", include("tiyu.portal.urls")),
    # Uploads are small and few; a deployment behind nginx serves /media/ itself.
    path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}),
]

handler404 = "tiyu.portal.views.not_found"

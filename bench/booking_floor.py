"""The booking benchmark's floor: the app's URLs plus the thinnest authenticated write.

``POST /bench/floor`` authenticates the bearer token exactly as the API does
(``tiyu.accounts.services.token_user``) and inserts one row into ``bench_floor``,
a table only the benchmark creates. It is not part of the app: only the
benchmark's settings module (``bench.booking_floor_settings``) points
``ROOT_URLCONF`` here.
"""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from tiyu.accounts.services import token_user
from tiyu.config.urls import urlpatterns as app_urlpatterns

FLOOR_TABLE_SQL = (
    "CREATE TABLE IF NOT EXISTS bench_floor ("
    "id bigserial PRIMARY KEY, user_id bigint NOT NULL, created_at timestamptz NOT NULL)"
)


@csrf_exempt
def floor(request: HttpRequest) -> JsonResponse:
    """Authenticate the bearer token, insert one row, answer 201 with its id."""
    header = request.headers.get("Authorization", "")
    user = token_user(header[7:].strip()) if header.lower().startswith("bearer ") else None
    if user is None:
        return JsonResponse({"code": "unauthenticated"}, status=401)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_floor (user_id, created_at) VALUES (%s, now()) RETURNING id",
            [user.pk],
        )
        row_id = cursor.fetchone()[0]
    return JsonResponse({"id": row_id}, status=201)


urlpatterns = [path("bench/floor", floor), *app_urlpatterns]
handler404 = "tiyu.portal.views.not_found"

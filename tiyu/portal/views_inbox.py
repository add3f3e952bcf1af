"""The resident's inbox: list, open (marks read), follow the link, mark all read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tiyu.notices.kinds import kind_label
from tiyu.notices.selectors import inbox_for, unread_count
from tiyu.notices.services import notice_mark_read, notices_mark_all_read

PER_PAGE = 20


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """Newest first, 20 a page; ``?unread=1`` shows unread ones only."""
    unread_only = request.GET.get("unread") == "1"
    page = Paginator(inbox_for(request.user, unread_only=unread_only), PER_PAGE).get_page(
        request.GET.get("page")
    )
    for n in page.object_list:
        n.kind_label = kind_label(n.kind)  # type: ignore[attr-defined]
    return render(
        request,
        "portal/inbox/list.html",
        {"page": page, "unread_only": unread_only, "unread": unread_count(request.user)},
    )


@login_required
@require_GET
def notice(request: HttpRequest, notice_id: int) -> HttpResponse:
    """Opening a notice marks it read, as a mail client does; not yours is a 404."""
    n = notice_mark_read(user=request.user, notice_id=notice_id)
    n.kind_label = kind_label(n.kind)  # type: ignore[attr-defined]
    return render(request, "portal/inbox/notice.html", {"notice": n})


@login_required
@require_GET
def notice_go(request: HttpRequest, notice_id: int) -> HttpResponse:
    """Mark read and go straight to what the notice is about (the booking)."""
    n = notice_mark_read(user=request.user, notice_id=notice_id)
    # Links are site paths by construction; check again, as this is a redirect.
    if n.link and url_has_allowed_host_and_scheme(n.link, allowed_hosts=None):
        return HttpResponseRedirect(n.link)
    return redirect("portal:inbox_notice", notice_id=n.pk)


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    """Mark everything read and come back to the list."""
    marked = notices_mark_all_read(user=request.user)
    if marked:
        messages.success(request, _("已将 %(n)s 条消息标为已读。") % {"n": marked})
    return redirect("portal:inbox")

"""Back office in a browser: equipment and its printable QR sheet, photo uploads, phone layout."""

from __future__ import annotations

import pytest

from conftest import PASSWORD
from tests.browser.conftest import login, shot
from tiyu.backoffice.tests.conftest import png_bytes
from tiyu.venues.models import EquipmentItem, VenuePhoto

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def park_manager(world):
    from tiyu.accounts.models import Role
    from tiyu.accounts.services import membership_grant, user_create

    user = user_create(username="park", password=PASSWORD, display_name="park")
    membership_grant(user=user, role=Role.VENUE_MANAGER, venue=world.zigong_park)
    return user


@pytest.fixture
def media():
    """Uploads go to the real MEDIA_ROOT (the /media/ route is bound to it at import time);
    whatever a test leaves there is removed afterwards."""
    yield
    for photo in VenuePhoto.objects.all():
        photo.image.delete(save=False)


def test_register_equipment_and_print_its_qr_codes(world, live_server, page, park_manager):
    park = world.zigong_park
    login(page, live_server, "park", PASSWORD)
    page.goto(f"{live_server.url}/manage/venues/{park.pk}/equipment/")
    for name, model in (("太空漫步机", "TK-200"), ("双人扭腰器", "NY-2"), ("单杠", "")):
        page.fill("#id_name", name)
        page.fill("#id_model_no", model)
        page.get_by_role("button", name="登记", exact=True).click()
        page.wait_for_selector("text=器材已登记")
    assert page.locator("[data-testid=equipment] > li").count() == 3

    bar = EquipmentItem.objects.get(name="单杠")
    row = page.locator("[data-testid=equipment] > li", has_text="单杠")
    row.locator("select").select_option("faulty")
    row.get_by_role("button", name="更新").click()
    page.wait_for_selector("text=器材状态已更新")
    bar.refresh_from_db()
    assert bar.status == "faulty"
    shot(page, "backoffice-equipment-desktop")

    page.get_by_role("link", name="打印二维码").click()
    page.wait_for_url(f"**/manage/venues/{park.pk}/equipment/qr/")
    cards = page.locator(".bo-qr-card")
    assert cards.count() == 3
    for item in EquipmentItem.objects.filter(venue=park):
        card = page.locator(f".bo-qr-card[data-code='{item.code}']")
        assert item.name in card.inner_text()
        assert f"{live_server.url}/e/{item.code}/" in card.inner_text()
        assert card.locator("svg").count() == 1
    shot(page, "backoffice-qr-screen")
    page.emulate_media(media="print")
    assert not page.locator("nav.navbar").is_visible()
    assert not page.get_by_role("button", name="打印").is_visible()
    assert page.locator(".print-only").is_visible()
    shot(page, "backoffice-qr-print")


def test_photo_upload_refuses_a_fake_jpeg_then_takes_a_real_one(world, live_server, page, media):
    hall = world.wuhou_hall
    login(page, live_server, "manager", PASSWORD)
    page.goto(f"{live_server.url}/manage/venues/{hall.pk}/photos/")
    page.set_input_files(
        "#id_image",
        files=[
            {"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": b"not really a jpeg"},
        ],
    )
    page.get_by_role("button", name="上传").click()
    error = page.locator("[data-error-code=upload_wrong_type]")
    assert "不支持的文件类型" in error.inner_text()
    assert page.locator("[data-field-error=image]").is_visible()
    assert not VenuePhoto.objects.exists()
    shot(page, "backoffice-photo-refused")

    page.set_input_files(
        "#id_image",
        files=[
            {"name": "hall.png", "mimeType": "image/png", "buffer": png_bytes(120)},
        ],
    )
    page.fill("#id_caption", "正门")
    page.get_by_role("button", name="上传").click()
    page.wait_for_selector("text=照片已上传")
    assert VenuePhoto.objects.get(venue=hall).caption == "正门"
    image = page.locator("[data-testid=photos] img")
    assert image.count() == 1
    image.scroll_into_view_if_needed()
    page.wait_for_function("document.querySelector('[data-testid=photos] img').complete")
    assert image.evaluate("img => img.naturalWidth") == 120
    shot(page, "backoffice-photos-desktop")

    page.get_by_role("button", name="删除").click()
    page.wait_for_selector("text=照片已删除")
    assert not VenuePhoto.objects.exists()


def test_manager_pages_fit_a_phone(world, live_server, phone_page):
    page = phone_page
    hall = world.wuhou_hall
    page.goto(f"{live_server.url}/login/?next=/manage/venues/{hall.pk}/hours/")
    page.fill("#id_username", "manager")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**/manage/venues/{hall.pk}/hours/")
    for path in ("hours/", "edit/", "courts/", "closures/", "prices/", "documents/"):
        page.goto(f"{live_server.url}/manage/venues/{hall.pk}/{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
        assert page.locator("main form[method=post]").count() >= 1, path
        assert page.locator("h1").first.inner_text() == hall.name, path
        shot(page, f"backoffice-{path.strip('/')}-phone")

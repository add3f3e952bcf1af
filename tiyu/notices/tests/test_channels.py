"""Channel adapters: console, Aliyun SMS and WeChat template messages over a fake transport."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import pytest

from tiyu.notices.channels import (
    AliyunSms,
    ConsoleChannel,
    SmsChannel,
    SmsMessage,
    WechatOfficialAccount,
    WechatTemplateChannel,
    aliyun_percent_encode,
    aliyun_rpc_signature,
    template_fields,
)
from tiyu.notices.services import notify

pytestmark = pytest.mark.django_db

SMS_TEMPLATES = {
    "booking_confirmed": {"code": "SMS_900001", "params": {"venue": "title", "time": "created_at"}}
}
WX_TEMPLATES = {
    "booking_confirmed": {"id": "TPL-abc", "fields": {"thing1": "title", "thing2": "body"}}
}


@pytest.fixture
def notice(world):
    world.resident.phone = "13812345678"
    world.resident.save()
    return notify(
        user=world.resident,
        kind="booking_confirmed",
        title="武侯羽毛球馆 1 号场",
        body="6月1日 19:00-20:00，请凭入场码入场",
        link="/bookings/9/",
    )


def aliyun(transport, **over):
    kwargs = {
        "access_key_id": "testId",
        "access_key_secret": "testSecret",
        "sign_name": "天府体育",
        "transport": transport,
        "clock": lambda: datetime(2026, 6, 1, 2, 3, 4, tzinfo=UTC),
        "nonce": lambda: "nonce-1",
    }
    kwargs.update(over)
    return AliyunSms(**kwargs)


# --- Aliyun signing ---------------------------------------------------------------


def test_aliyun_signature_matches_the_documented_example():
    """The worked example of Aliyun's SMS signing documentation (testId / testSecret)."""
    params = {
        "AccessKeyId": "testId",
        "Action": "SendSms",
        "Format": "XML",
        "OutId": "123",
        "PhoneNumbers": "15300000001",
        "RegionId": "cn-hangzhou",
        "SignName": "阿里云短信测试专用",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
        "SignatureVersion": "1.0",
        "TemplateCode": "SMS_71390007",
        "TemplateParam": '{"customer":"test"}',
        "Timestamp": "2017-07-12T02:42:19Z",
        "Version": "2017-05-25",
    }
    assert aliyun_rpc_signature(params, "testSecret") == "zJDF+Lrzhj/ThnlvIToysFRq6t4="


def test_aliyun_percent_encoding_is_rfc3986():
    assert aliyun_percent_encode("a b*c~d/e+") == "a%20b%2Ac~d%2Fe%2B"


def test_aliyun_request_is_signed_and_carries_the_template(transport):
    transport.replies.append((200, {"Code": "OK", "BizId": "biz-1", "Message": "OK"}))
    result = aliyun(transport).send(
        SmsMessage(phone="13812345678", template_code="SMS_900001", params={"venue": "武侯"})
    )
    assert (result.status, result.detail) == ("sent", "138****5678 biz-1")
    [req] = transport.requests
    assert req["method"] == "GET" and req["url"].startswith("https://dysmsapi.aliyuncs.com/?")
    query = dict(req["query"])
    assert query["Action"] == "SendSms" and query["Version"] == "2017-05-25"
    assert query["PhoneNumbers"] == "13812345678"
    assert query["TemplateCode"] == "SMS_900001"
    assert json.loads(query["TemplateParam"]) == {"venue": "武侯"}
    assert query["Timestamp"] == "2026-06-01T02:03:04Z"
    signature = query.pop("Signature")
    assert signature == aliyun_rpc_signature(query, "testSecret")


def test_aliyun_refusal_is_a_failure_with_its_code_and_a_masked_phone(transport):
    transport.replies.append((200, {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发流控"}))
    result = aliyun(transport).send(SmsMessage("13812345678", "SMS_1", {}))
    assert result.status == "failed"
    assert "isv.BUSINESS_LIMIT_CONTROL" in result.detail
    assert "13812345678" not in result.detail and "138****5678" in result.detail


def test_aliyun_network_error_is_a_failure(transport):
    transport.replies.append(TimeoutError("slow"))
    result = aliyun(transport).send(SmsMessage("13812345678", "SMS_1", {}))
    assert result.status == "failed" and "TimeoutError" in result.detail


def test_aliyun_without_credentials_fails_without_a_request(transport):
    result = aliyun(transport, access_key_id="").send(SmsMessage("13812345678", "SMS_1", {}))
    assert result.status == "failed" and transport.requests == []


# --- SMS channel ----------------------------------------------------------------------


def test_sms_channel_builds_the_template_params_from_the_notice(notice, transport):
    transport.replies.append((200, {"Code": "OK", "BizId": "b"}))
    channel = SmsChannel(provider=aliyun(transport), templates=SMS_TEMPLATES)
    result = channel.send(notice, notice.user)
    assert result.status == "sent"
    params = json.loads(transport.requests[0]["query"]["TemplateParam"])
    assert params["venue"] == "武侯羽毛球馆 1 号场"
    assert len(params["time"]) == len("2026-06-01 19:00")


def test_sms_channel_skips_without_phone_or_template(notice, transport):
    channel = SmsChannel(provider=aliyun(transport), templates={})
    assert channel.send(notice, notice.user).status == "skipped"
    notice.user.phone = None
    channel = SmsChannel(provider=aliyun(transport), templates=SMS_TEMPLATES)
    result = channel.send(notice, notice.user)
    assert (result.status, result.detail) == ("skipped", "no phone")
    assert transport.requests == []


def test_template_fields_cut_long_values_and_allow_literals(notice):
    fields = template_fields(notice, {"a": "body", "b": "=天府体育", "c": "link"}, 10)
    assert fields == {"a": "6月1日 19:0…", "b": "天府体育", "c": "/bookings…"}
    with pytest.raises(ValueError):
        template_fields(notice, {"x": "password"}, 10)


# --- WeChat -------------------------------------------------------------------------


def wechat(transport):
    return WechatOfficialAccount(app_id="wx123", app_secret="s3cret", transport=transport)


def test_wechat_template_message_shape_and_token_cache(notice, transport):
    transport.replies += [
        (200, {"access_token": "TOKEN-1", "expires_in": 7200}),
        (200, {"errcode": 0, "errmsg": "ok", "msgid": 42}),
        (200, {"errcode": 0, "errmsg": "ok", "msgid": 43}),
    ]
    channel = WechatTemplateChannel(
        provider=wechat(transport),
        templates=WX_TEMPLATES,
        openid_of=lambda user: "oOPENID",
        link_base="https://tiyu.example.cn/",
    )
    assert channel.send(notice, notice.user).detail == "msgid 42"
    assert channel.send(notice, notice.user).status == "sent"
    token_req, send_req, again = transport.requests
    assert token_req["query"] == {
        "grant_type": "client_credential",
        "appid": "wx123",
        "secret": "s3cret",
    }
    assert send_req["method"] == "POST"
    assert send_req["path"] == "/cgi-bin/message/template/send"
    assert send_req["query"] == {"access_token": "TOKEN-1"}
    assert send_req["json"] == {
        "touser": "oOPENID",
        "template_id": "TPL-abc",
        "url": "https://tiyu.example.cn/bookings/9/",
        "data": {
            "thing1": {"value": "武侯羽毛球馆 1 号场"},
            "thing2": {"value": "6月1日 19:00-20:00，请凭…"},
        },
    }
    assert again["path"] == "/cgi-bin/message/template/send"  # the token came from the cache


def test_wechat_refreshes_an_expired_token_once(notice, transport):
    transport.replies += [
        (200, {"access_token": "OLD", "expires_in": 7200}),
        (200, {"errcode": 42001, "errmsg": "access_token expired"}),
        (200, {"access_token": "NEW", "expires_in": 7200}),
        (200, {"errcode": 0, "msgid": 7}),
    ]
    channel = WechatTemplateChannel(
        provider=wechat(transport), templates=WX_TEMPLATES, openid_of=lambda u: "o1"
    )
    assert channel.send(notice, notice.user).status == "sent"
    assert transport.requests[-1]["query"] == {"access_token": "NEW"}


def test_wechat_refusal_and_token_failure_are_failures(notice, transport):
    transport.replies += [
        (200, {"access_token": "T", "expires_in": 7200}),
        (200, {"errcode": 43004, "errmsg": "require subscribe"}),
    ]
    channel = WechatTemplateChannel(
        provider=wechat(transport), templates=WX_TEMPLATES, openid_of=lambda u: "o1"
    )
    result = channel.send(notice, notice.user)
    assert result.status == "failed" and "43004" in result.detail

    from django.core.cache import cache

    cache.clear()
    transport.replies.append((200, {"errcode": 40125, "errmsg": "invalid appsecret"}))
    result = channel.send(notice, notice.user)
    assert (result.status, result.detail) == ("failed", "token errcode 40125")


def test_wechat_skips_users_without_openid(notice, transport):
    channel = WechatTemplateChannel(provider=wechat(transport), templates=WX_TEMPLATES)
    result = channel.send(notice, notice.user)  # users have no openid field yet
    assert (result.status, result.detail) == ("skipped", "no openid")
    assert transport.requests == []


# --- Console --------------------------------------------------------------------------


def test_console_logs_to_the_notices_logger_and_not_stdout(notice, caplog, capsys):
    with caplog.at_level(logging.INFO, logger="tiyu.notices"):
        result = ConsoleChannel().send(notice, notice.user)
    assert result.status == "sent"
    [record] = [r for r in caplog.records if r.name == "tiyu.notices"]
    assert "武侯羽毛球馆 1 号场" in record.getMessage()
    assert "13812345678" not in record.getMessage()
    assert capsys.readouterr().out == ""

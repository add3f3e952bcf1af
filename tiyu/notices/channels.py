"""Outside channels: copies of an inbox message sent by SMS, WeChat or to the log.

A channel turns a :class:`~tiyu.notices.models.Notice` into the shape its
provider needs and reports a :class:`DeliveryResult`; the delivery task records
that result as a ``Delivery`` row. Channels never touch the inbox, so a slow or
broken provider cannot lose a message: the inbox row is already committed.

The providers (Aliyun SMS, WeChat official-account template messages) build and
sign real requests but send them through an injectable :class:`Transport`; the
default one uses ``urllib``, tests pass a fake one and never reach the network.

Which channels run is the ``NOTICE_CHANNELS`` setting (dotted class paths); see
``docs/notices.md`` for the template configuration.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar, Protocol

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.module_loading import import_string

from tiyu.accounts.models import mask_phone
from tiyu.notices.models import Notice

logger = logging.getLogger("tiyu.notices")

SENT = "sent"
FAILED = "failed"
SKIPPED = "skipped"


@dataclass(frozen=True)
class DeliveryResult:
    """What a channel did with one notice: ``sent``, ``failed`` or ``skipped``, and why."""

    status: str
    detail: str = ""


class Channel(ABC):
    """One outside channel. ``name`` is what ``Delivery.channel`` records (max 16 chars)."""

    name: ClassVar[str]

    @abstractmethod
    def send(self, notice: Notice, user: Any) -> DeliveryResult:
        """Send ``notice`` to ``user``; report failures as a result rather than raising."""


class ConsoleChannel(Channel):
    """Development backend: writes the message to the ``tiyu.notices`` logger, nothing else.

    It never prints to stdout (a management command's output stays clean) and
    never logs the phone number.
    """

    name = "console"

    def send(self, notice: Notice, user: Any) -> DeliveryResult:
        logger.info(
            "notice %s to user %s [%s] %s: %s %s",
            notice.pk,
            user.pk,
            notice.kind,
            notice.title,
            notice.body,
            notice.link,
        )
        return DeliveryResult(SENT, "logged")


# --- Message fields ------------------------------------------------------------


def _source_value(notice: Notice, source: str) -> str:
    """One template variable from the notice: a field name, or ``=literal``."""
    if source.startswith("="):
        return source[1:]
    if source == "created_at":
        return timezone.localtime(notice.created_at).strftime("%Y-%m-%d %H:%M")
    if source in {"title", "body", "link", "kind"}:
        return str(getattr(notice, source) or "")
    raise ValueError(f"unknown notice field {source!r} in a template mapping")


def template_fields(notice: Notice, mapping: Mapping[str, str], limit: int) -> dict[str, str]:
    """Template variables ``{name: value}`` from ``{name: source}``, each cut to ``limit`` chars.

    Providers refuse over-long variables (Aliyun SMS: 35 characters; WeChat
    ``thing`` fields: 20), so values are shortened with an ellipsis rather than
    letting the whole message fail.
    """
    out: dict[str, str] = {}
    for name, source in mapping.items():
        value = " ".join(_source_value(notice, source).split())
        out[name] = value if len(value) <= limit else value[: limit - 1] + "…"
    return out


# --- Transport -------------------------------------------------------------------


@dataclass(frozen=True)
class TransportResponse:
    """An HTTP status and the decoded JSON body (``{}`` when it was not JSON)."""

    status: int
    data: dict[str, Any]


class Transport(Protocol):
    """Sends one HTTP request; raises ``OSError`` when the network fails."""

    def __call__(
        self, method: str, url: str, *, json_body: Mapping[str, Any] | None = None
    ) -> TransportResponse: ...


class UrllibTransport:
    """The real transport: ``urllib`` with a short timeout (a job, never a page, waits on it)."""

    def __init__(self, timeout: float = 5.0) -> None:
        self.timeout = timeout

    def __call__(
        self, method: str, url: str, *, json_body: Mapping[str, Any] | None = None
    ) -> TransportResponse:
        data = None
        headers = {"Accept": "application/json"}
        if json_body is not None:
            data = json.dumps(json_body, ensure_ascii=False).encode()
            headers["Content-Type"] = "application/json; charset=utf-8"
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as exc:
            status, raw = exc.code, exc.read()
        try:
            body = json.loads(raw.decode() or "{}")
        except ValueError:
            body = {}
        return TransportResponse(status, body if isinstance(body, dict) else {})


# --- SMS (Aliyun) ----------------------------------------------------------------


@dataclass(frozen=True)
class SmsMessage:
    """A template SMS: the provider's template code and its variables."""

    phone: str
    template_code: str
    params: dict[str, str] = field(default_factory=dict)

    @property
    def masked_phone(self) -> str:
        """The only form of the number that reaches logs and ``Delivery.detail``."""
        return mask_phone(self.phone)


def aliyun_percent_encode(value: str) -> str:
    """RFC 3986 encoding as Aliyun's RPC signature wants it (space %20, * %2A, ~ kept)."""
    return urllib.parse.quote(value, safe="~")


def aliyun_rpc_signature(params: Mapping[str, str], secret: str, method: str = "GET") -> str:
    """The HMAC-SHA1 signature (base64) of an Aliyun RPC request, signature version 1.0."""
    canonical = "&".join(
        f"{aliyun_percent_encode(k)}={aliyun_percent_encode(v)}" for k, v in sorted(params.items())
    )
    to_sign = f"{method}&{aliyun_percent_encode('/')}&{aliyun_percent_encode(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class AliyunSms:
    """Aliyun SMS ``SendSms`` (dysmsapi, version 2017-05-25) over a signed GET."""

    endpoint = "https://dysmsapi.aliyuncs.com/"

    def __init__(
        self,
        *,
        access_key_id: str,
        access_key_secret: str,
        sign_name: str,
        transport: Transport | None = None,
        region_id: str = "cn-hangzhou",
        clock: Callable[[], datetime] | None = None,
        nonce: Callable[[], str] | None = None,
    ) -> None:
        self.access_key_id = access_key_id
        self.access_key_secret = access_key_secret
        self.sign_name = sign_name
        self.transport: Transport = transport or UrllibTransport()
        self.region_id = region_id
        self.clock = clock or (lambda: datetime.now(UTC))
        self.nonce = nonce or (lambda: str(uuid.uuid4()))

    def request_params(self, message: SmsMessage) -> dict[str, str]:
        """Every query parameter except the signature."""
        return {
            "AccessKeyId": self.access_key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "PhoneNumbers": message.phone,
            "RegionId": self.region_id,
            "SignName": self.sign_name,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": self.nonce(),
            "SignatureVersion": "1.0",
            "TemplateCode": message.template_code,
            "TemplateParam": json.dumps(message.params, ensure_ascii=False, separators=(",", ":")),
            "Timestamp": self.clock().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
        }

    def signed_url(self, params: Mapping[str, str]) -> str:
        """The request URL with ``Signature`` first, as Aliyun's documentation shows it."""
        signature = aliyun_rpc_signature(params, self.access_key_secret)
        query = "&".join(
            f"{aliyun_percent_encode(k)}={aliyun_percent_encode(v)}"
            for k, v in [("Signature", signature), *sorted(params.items())]
        )
        return f"{self.endpoint}?{query}"

    def send(self, message: SmsMessage) -> DeliveryResult:
        """Send one SMS; ``Code == "OK"`` is success, anything else is a failure with its code."""
        if not (self.access_key_id and self.access_key_secret and self.sign_name):
            return DeliveryResult(FAILED, "aliyun sms is not configured")
        url = self.signed_url(self.request_params(message))
        try:
            response = self.transport("GET", url)
        except OSError as exc:
            return DeliveryResult(FAILED, f"{message.masked_phone} network: {type(exc).__name__}")
        code = str(response.data.get("Code", response.status))
        if code == "OK":
            return DeliveryResult(SENT, f"{message.masked_phone} {response.data.get('BizId', '')}")
        return DeliveryResult(
            FAILED, f"{message.masked_phone} {code}: {response.data.get('Message', '')}"
        )


class SmsChannel(Channel):
    """Template SMS to the user's phone; kinds without a template are skipped.

    ``templates`` maps a notice kind to ``{"code": "SMS_123", "params": {"var": "title"}}``
    where each param names a notice field (``title``, ``body``, ``link``, ``kind``,
    ``created_at``) or a literal ``=text``.
    """

    name = "sms"
    param_limit = 35

    def __init__(
        self,
        *,
        provider: AliyunSms | None = None,
        templates: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        conf = getattr(settings, "NOTICE_SMS", {})
        self.templates = templates if templates is not None else conf.get("templates", {})
        self.provider = provider or AliyunSms(
            access_key_id=conf.get("access_key_id", ""),
            access_key_secret=conf.get("access_key_secret", ""),
            sign_name=conf.get("sign_name", ""),
        )

    def message_for(self, notice: Notice, user: Any) -> SmsMessage | None:
        """The SMS for ``notice``, or ``None`` when there is no phone or no template."""
        template = self.templates.get(notice.kind)
        if not user.phone or not template:
            return None
        params = template_fields(notice, template.get("params", {}), self.param_limit)
        return SmsMessage(phone=user.phone, template_code=template["code"], params=params)

    def send(self, notice: Notice, user: Any) -> DeliveryResult:
        message = self.message_for(notice, user)
        if message is None:
            reason = "no phone" if not user.phone else f"no template for {notice.kind}"
            return DeliveryResult(SKIPPED, reason)
        result = self.provider.send(message)
        logger.info("sms %s notice %s: %s", message.masked_phone, notice.pk, result.status)
        return result


# --- WeChat official-account template messages -------------------------------------


@dataclass(frozen=True)
class WechatTemplateMessage:
    """A template message: recipient openid, template id, fields and the page it opens."""

    openid: str
    template_id: str
    data: dict[str, str]
    url: str = ""

    def payload(self) -> dict[str, Any]:
        """The JSON body of ``cgi-bin/message/template/send``."""
        body: dict[str, Any] = {
            "touser": self.openid,
            "template_id": self.template_id,
            "data": {k: {"value": v} for k, v in self.data.items()},
        }
        if self.url:
            body["url"] = self.url
        return body


# errcodes that mean the cached access token is no longer valid.
TOKEN_ERRORS = frozenset({40001, 40014, 42001})


class WechatOfficialAccount:
    """Sends template messages for one official account; caches its access token.

    The token lives 7200 s; it is kept in the cache a little less, and refreshed
    once when WeChat says it is invalid (another process may have renewed it).
    """

    api = "https://api.weixin.qq.com/cgi-bin"

    def __init__(self, *, app_id: str, app_secret: str, transport: Transport | None = None) -> None:
        self.app_id = app_id
        self.app_secret = app_secret
        self.transport: Transport = transport or UrllibTransport()

    @property
    def _cache_key(self) -> str:
        return f"notices:wechat-token:{self.app_id}"

    def access_token(self, *, refresh: bool = False) -> str:
        """The account's access token, from the cache unless ``refresh``."""
        if not refresh:
            token = cache.get(self._cache_key)
            if token:
                return str(token)
        query = urllib.parse.urlencode(
            {"grant_type": "client_credential", "appid": self.app_id, "secret": self.app_secret}
        )
        response = self.transport("GET", f"{self.api}/token?{query}")
        token = response.data.get("access_token")
        if not token:
            raise WechatError(response.data.get("errcode", response.status), "token")
        ttl = max(int(response.data.get("expires_in", 7200)) - 300, 60)
        cache.set(self._cache_key, token, ttl)
        return str(token)

    def send(self, message: WechatTemplateMessage) -> DeliveryResult:
        """Send one template message; ``errcode == 0`` is success."""
        if not (self.app_id and self.app_secret):
            return DeliveryResult(FAILED, "wechat official account is not configured")
        try:
            response = self._post(message, refresh=False)
            if response.data.get("errcode") in TOKEN_ERRORS:
                response = self._post(message, refresh=True)
        except WechatError as exc:
            return DeliveryResult(FAILED, f"{exc.stage} errcode {exc.errcode}")
        except OSError as exc:
            return DeliveryResult(FAILED, f"network: {type(exc).__name__}")
        errcode = response.data.get("errcode", response.status)
        if errcode == 0:
            return DeliveryResult(SENT, f"msgid {response.data.get('msgid', '')}")
        return DeliveryResult(FAILED, f"errcode {errcode}: {response.data.get('errmsg', '')}")

    def _post(self, message: WechatTemplateMessage, *, refresh: bool) -> TransportResponse:
        token = self.access_token(refresh=refresh)
        url = f"{self.api}/message/template/send?access_token={urllib.parse.quote(token)}"
        return self.transport("POST", url, json_body=message.payload())


class WechatError(Exception):
    """WeChat refused a step (getting the token) with an errcode."""

    def __init__(self, errcode: Any, stage: str) -> None:
        super().__init__(f"{stage}: {errcode}")
        self.errcode = errcode
        self.stage = stage


def user_openid(user: Any) -> str:
    """The user's openid for the official account; empty until accounts store one.

    Users have no openid field yet (WeChat login is not built); a deployment that
    adds one points ``NOTICE_WECHAT["openid_resolver"]`` at its own function.
    """
    return str(getattr(user, "wechat_openid", "") or "")


class WechatTemplateChannel(Channel):
    """Official-account template message to the user's openid; skipped without one.

    ``templates`` maps a notice kind to ``{"id": "<template id>", "fields":
    {"thing1": "title", "time2": "created_at"}}``; the message opens
    ``NOTICE_LINK_BASE + notice.link`` when both are set.
    """

    name = "wechat"
    field_limit = 20

    def __init__(
        self,
        *,
        provider: WechatOfficialAccount | None = None,
        templates: Mapping[str, Mapping[str, Any]] | None = None,
        openid_of: Callable[[Any], str] | None = None,
        link_base: str | None = None,
    ) -> None:
        conf = getattr(settings, "NOTICE_WECHAT", {})
        self.templates = templates if templates is not None else conf.get("templates", {})
        resolver = conf.get("openid_resolver")
        self.openid_of = openid_of or (import_string(resolver) if resolver else user_openid)
        self.link_base = (
            link_base if link_base is not None else getattr(settings, "NOTICE_LINK_BASE", "")
        )
        self.provider = provider or WechatOfficialAccount(
            app_id=conf.get("app_id", ""), app_secret=conf.get("app_secret", "")
        )

    def message_for(self, notice: Notice, user: Any) -> WechatTemplateMessage | None:
        """The template message for ``notice``, or ``None`` without openid or template."""
        template = self.templates.get(notice.kind)
        openid = self.openid_of(user)
        if not openid or not template:
            return None
        url = self.link_base.rstrip("/") + notice.link if self.link_base and notice.link else ""
        data = template_fields(notice, template.get("fields", {}), self.field_limit)
        return WechatTemplateMessage(openid=openid, template_id=template["id"], data=data, url=url)

    def send(self, notice: Notice, user: Any) -> DeliveryResult:
        message = self.message_for(notice, user)
        if message is None:
            reason = "no openid" if not self.openid_of(user) else f"no template for {notice.kind}"
            return DeliveryResult(SKIPPED, reason)
        result = self.provider.send(message)
        logger.info("wechat notice %s: %s %s", notice.pk, result.status, result.detail)
        return result


def configured_channel_paths() -> list[str]:
    """The ``NOTICE_CHANNELS`` setting (the console backend when unset)."""
    return list(getattr(settings, "NOTICE_CHANNELS", ["tiyu.notices.channels.ConsoleChannel"]))

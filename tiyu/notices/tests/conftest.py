"""Fixtures of the inbox tests: a fake HTTP transport that never reaches the network."""

from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

import pytest

from tiyu.notices.channels import TransportResponse


@dataclass
class FakeTransport:
    """Answers from a queue of ``(status, body)`` or exceptions; records every request."""

    replies: list[Any] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, method: str, url: str, *, json_body: Any = None) -> TransportResponse:
        parsed = urllib.parse.urlsplit(url)
        self.requests.append(
            {
                "method": method,
                "url": url,
                "path": parsed.path,
                "query": dict(urllib.parse.parse_qsl(parsed.query)),
                "json": json.loads(json.dumps(json_body)) if json_body is not None else None,
            }
        )
        reply = self.replies.pop(0)
        if isinstance(reply, BaseException):
            raise reply
        status, body = reply
        return TransportResponse(status, body)


@pytest.fixture
def transport() -> FakeTransport:
    return FakeTransport()

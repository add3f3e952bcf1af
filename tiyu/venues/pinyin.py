"""Pinyin keys for search: full pinyin and initials of a Chinese name."""

from __future__ import annotations

from typing import Any

from pypinyin import lazy_pinyin


def _one_per_char(chars: str) -> Any:
    """Non-Chinese runs split into characters, so "3x3篮球场" has initials "3x3lqc"."""
    return list(chars)


def pinyin_keys(name: str) -> tuple[str, str]:
    """``("yumaoqiuguan", "ymqg")`` for 羽毛球馆; non-Chinese characters pass through."""
    syllables = lazy_pinyin(name, errors=_one_per_char)
    full = "".join(s.lower() for s in syllables if s.strip())
    initials = "".join(s[0].lower() for s in syllables if s.strip())
    return full, initials

"""Pinyin keys for search: full pinyin and initials of a Chinese name."""

from __future__ import annotations

from pypinyin import lazy_pinyin


def pinyin_keys(name: str) -> tuple[str, str]:
    """``("yumaoqiuguan", "ymqg")`` for 羽毛球馆; non-Chinese characters pass through."""
    syllables = lazy_pinyin(name, errors=lambda chars: list(chars))
    full = "".join(s.lower() for s in syllables if s.strip())
    initials = "".join(s[0].lower() for s in syllables if s.strip())
    return full, initials

"""The English catalogue is complete: no untranslated or fuzzy entries (`make messages`)."""

from __future__ import annotations

import re
from pathlib import Path

PO = Path(__file__).resolve().parents[2] / "locale" / "en" / "LC_MESSAGES" / "django.po"


def entries() -> list[str]:
    blocks = PO.read_text(encoding="utf-8").split("\n\n")
    return [b for b in blocks if "\nmsgid " in f"\n{b}" and not b.startswith('msgid ""')]


def test_every_string_has_an_english_translation():
    untranslated = [
        b
        for b in entries()
        if re.search(r'^msgstr(\[\d\])? ""$', b.strip().splitlines()[-1])
        and not re.search(r'^"', b.strip().splitlines()[-1])
    ]
    assert untranslated == []
    assert [b for b in entries() if "#, fuzzy" in b] == []
    assert len(entries()) > 300
    assert (PO.parent / "django.mo").stat().st_size > 10_000

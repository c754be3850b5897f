"""The Simplified Chinese catalog is complete, compiled, and what a Chinese-speaking member sees."""

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.people import UserFactory

PO_PATH = Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]")
ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int | None, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)
    line: int = 0


def _unquote(text: str) -> str:
    body = text.strip()
    assert body.startswith('"'), body
    assert body.endswith('"'), body
    return re.sub(r"\\(.)", lambda match: ESCAPES[match.group(1)], body[1:-1])


def parse_po(text: str) -> list[Entry]:
    """The entries of a PO file (obsolete `#~` entries skipped), header first."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int | None] | None = None
    keyword = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(\".*\")$")
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            if entry is not None:
                entries.append(entry)
            entry, target = None, None
            continue
        if entry is None:
            entry = Entry(line=number)
        if line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#:"):
            entry.references.extend(line[2:].split())
        elif line.startswith("#"):
            continue
        elif match := keyword.match(line):
            name, index, value = match.group(1), match.group(2), _unquote(match.group(3))
            target = (name, int(index) if index is not None else None)
            if name == "msgstr":
                entry.msgstr[target[1]] = value
            else:
                setattr(entry, name, value)
        else:
            assert target is not None, f"line {number}: continuation without a keyword"
            name, index = target
            if name == "msgstr":
                entry.msgstr[index] += _unquote(line)
            else:
                setattr(entry, name, getattr(entry, name) + _unquote(line))
    if entry is not None:
        entries.append(entry)
    return entries


@pytest.fixture(scope="module")
def catalog() -> list[Entry]:
    entries = parse_po(PO_PATH.read_text(encoding="utf-8"))
    assert entries, "the zh_Hans catalog is empty"
    return entries


def _messages(catalog: list[Entry]) -> list[Entry]:
    return [entry for entry in catalog if entry.msgid]


# --- The .po file ------------------------------------------------------------------------------


@pytest.mark.unit
def test_the_header_declares_chinese_utf8_and_one_plural_form(catalog):
    header = catalog[0]
    assert header.msgid == ""
    assert "fuzzy" not in header.flags
    text = header.msgstr[None]
    assert "Language: zh_Hans\n" in text
    assert "charset=UTF-8" in text
    assert "Project-Id-Version: Practica" in text
    assert "Plural-Forms: nplurals=1; plural=0;\n" in text


@pytest.mark.unit
def test_the_catalog_covers_every_app(catalog):
    used_in = {
        reference.split("/")[0] for entry in _messages(catalog) for reference in entry.references
    }
    assert {"api", "communities", "core", "mail", "people", "templates"} <= used_in
    assert len(_messages(catalog)) > 400


@pytest.mark.unit
def test_every_entry_is_translated_and_none_is_fuzzy(catalog):
    untranslated = [
        entry.msgid
        for entry in _messages(catalog)
        if not entry.msgstr or any(not text.strip() for text in entry.msgstr.values())
    ]
    fuzzy = [entry.msgid for entry in _messages(catalog) if "fuzzy" in entry.flags]
    assert untranslated == []
    assert fuzzy == []


@pytest.mark.unit
def test_plural_entries_fill_the_one_chinese_form(catalog):
    plurals = [entry for entry in _messages(catalog) if entry.msgid_plural is not None]
    assert plurals
    for entry in plurals:
        assert set(entry.msgstr) == {0}, entry.msgid


@pytest.mark.unit
def test_translations_keep_the_placeholders(catalog):
    broken = []
    for entry in _messages(catalog):
        expected = set(PLACEHOLDER.findall(entry.msgid))
        if entry.msgid_plural is not None:
            expected |= set(PLACEHOLDER.findall(entry.msgid_plural))
        for text in entry.msgstr.values():
            found = set(PLACEHOLDER.findall(text))
            # A plural form may leave out the count (Chinese rarely needs it); nothing else.
            if found - expected or expected - found - {"counter"}:
                broken.append((entry.msgid, text))
    assert broken == []


# --- The compiled .mo ---------------------------------------------------------------------------


@pytest.mark.unit
def test_the_compiled_catalog_matches_the_po_file(catalog):
    """Fails when someone edits the .po and forgets `compilemessages`."""
    assert MO_PATH.exists(), "run: cd src/practica && practica compilemessages -l zh_Hans"
    stale = []
    with translation.override("zh-hans"):
        for entry in _messages(catalog):
            if entry.msgid_plural is not None:
                if entry.msgctxt is not None:
                    shown = translation.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, 1)
                else:
                    shown = translation.ngettext(entry.msgid, entry.msgid_plural, 1)
                wanted = entry.msgstr[0]
            else:
                if entry.msgctxt is not None:
                    shown = translation.pgettext(entry.msgctxt, entry.msgid)
                else:
                    shown = translation.gettext(entry.msgid)
                wanted = entry.msgstr[None]
            if shown != wanted:
                stale.append((entry.msgid, shown, wanted))
    assert stale == []


# --- What members see ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_chinese_speaking_member_sees_home_and_directory_in_chinese(client):
    person = UserFactory(display_name="Li Wei", preferred_language="zh-hans")
    MembershipFactory(person=person, community=CommunityFactory(name="Machine Learning"))
    client.force_login(person)

    home = client.get(reverse("home")).content.decode()
    assert '<html lang="zh-hans">' in home
    for text in ("欢迎回来，Li", "我的社区", "寻找专家", "人员目录", "退出登录", "1 名成员"):
        assert text in home
    assert "Welcome back" not in home

    directory = client.get(reverse("people:directory")).content.decode()
    for text in ("人员目录", "找到懂行的人", "专长", "组织单元", "任意角色", "搜索"):
        assert text in directory
    assert "Find the practitioner who knows" not in directory


@pytest.mark.django_db
def test_an_english_speaking_member_sees_english(client):
    person = UserFactory(display_name="Ada Lovelace", preferred_language="en")
    client.force_login(person)

    home = client.get(reverse("home")).content.decode()
    assert '<html lang="en">' in home
    assert "Welcome back, Ada" in home
    assert "欢迎回来" not in home

    directory = client.get(reverse("people:directory")).content.decode()
    assert "Find the practitioner who knows" in directory
    assert "人员目录" not in directory


@pytest.mark.unit
def test_the_server_error_page_follows_the_language():
    with translation.override("zh-hans"):
        chinese = render_to_string("500.html")
    with translation.override("en"):
        english = render_to_string("500.html")
    assert "出错了" in chinese
    assert '<html lang="zh-hans">' in chinese
    assert "Something went wrong on our side" in english
    assert "出错了" not in english

"""Languages: the gettext catalogues, choosing a visitor's language, and formatting per locale.

The zh_CN catalogue is the committed `portal/translations/zh_CN/LC_MESSAGES/messages.po`; it is
compiled with Babel when the app starts (in memory, no .mo file to go stale). English is the
source language. A visitor's choice (the `lang` cookie set by the language switch) wins over the
browser's Accept-Language; anything else gets English.
"""

from __future__ import annotations

import gettext
import io
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal, format_percent

from ledger.write.money import exponent

TRANSLATIONS = Path(__file__).with_name("translations")
COOKIE = "lang"


@dataclass(frozen=True)
class Language:
    """A language the portal speaks: its tag in URLs and HTML, its Babel locale, its own name."""

    tag: str
    locale: str
    name: str


LANGUAGES = (Language("en", "en", "English"), Language("zh-CN", "zh_CN", "中文"))
DEFAULT = LANGUAGES[0]
BY_TAG = {lang.tag.lower(): lang for lang in LANGUAGES}


def po_path(locale: str) -> Path:
    """The committed catalogue of `locale`."""
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


@cache
def translations(locale: str) -> gettext.NullTranslations:
    """The compiled catalogue of `locale` (English: the source strings themselves)."""
    path = po_path(locale)
    if locale == DEFAULT.locale or not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def by_tag(tag: str | None) -> Language | None:
    """The language of a tag such as 'zh-CN' or 'en' (any case), or None."""
    return None if tag is None else BY_TAG.get(tag.strip().lower())


def choose(cookie: str | None, accept_language: str | None) -> Language:
    """The cookie's language if valid, else the best of Accept-Language, else English."""
    chosen = by_tag(cookie)
    if chosen is not None:
        return chosen
    for tag in _accepted(accept_language or ""):
        try:
            locale = Locale.parse(tag, sep="-")
        except (ValueError, UnknownLocaleError):
            continue
        for lang in LANGUAGES:
            if locale.language == Locale.parse(lang.locale).language:
                return lang
    return DEFAULT


def _accepted(header: str) -> list[str]:
    """Accept-Language tags by descending q (ties in header order), q=0 left out."""
    ranked = []
    for index, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and tag != "*" and quality > 0:
            ranked.append((-quality, index, tag))
    return [tag for _, _, tag in sorted(ranked)]


@dataclass(frozen=True)
class Formatter:
    """Numbers, money, percentages and times in one locale and time zone."""

    locale: str
    timezone: str = "UTC"

    def number(self, value: int) -> str:
        """An integer with the locale's grouping."""
        return format_decimal(value, locale=self.locale)

    def money(self, minor: int, currency: str) -> str:
        """Integer minor units of `currency` as the locale writes that amount."""
        value = Decimal(minor).scaleb(-exponent(currency))
        return format_currency(value, currency, locale=self.locale)

    def percent(self, part: int, whole: int) -> str:
        """part/whole as a percentage (0 % when whole is 0)."""
        ratio = Decimal(part) / Decimal(whole) if whole else Decimal(0)
        return format_percent(ratio, locale=self.locale)

    def datetime(self, unix: int) -> str:
        """A block time (unix seconds, UTC) in the portal's time zone, medium length."""
        moment = datetime.fromtimestamp(unix, UTC)
        return format_datetime(moment, "medium", tzinfo=ZoneInfo(self.timezone), locale=self.locale)

    def date(self, unix: int) -> str:
        """The date of a unix time in the portal's time zone."""
        moment = datetime.fromtimestamp(unix, UTC).astimezone(ZoneInfo(self.timezone))
        return format_date(moment, "medium", locale=self.locale)

"""Chain text in XML: strings from the chain are untrusted. lxml escapes markup (`<script>` stays
text); what XML 1.0 cannot carry at all (control characters, lone surrogates) becomes U+FFFD
instead of failing the report."""

from __future__ import annotations

import re

from lxml import etree

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def text(value: object) -> str:
    """`value` as text XML can carry."""
    return _NOT_XML.sub("\ufffd", str(value))


def narrated(parent: etree._Element, en: str, zh: str | None = None) -> etree._Element:
    """`parent` with an English narrative (the activity's default language) and a Chinese one."""
    etree.SubElement(parent, "narrative").text = text(en)
    if zh is not None:
        etree.SubElement(parent, "narrative", {XML_LANG: "zh"}).text = text(zh)
    return parent

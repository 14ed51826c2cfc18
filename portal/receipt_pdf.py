"""A gift's receipt as a PDF (fpdf2), in the visitor's language, with its QR code.

The same facts as the printable receipt on /trace: what was given, when and in which
transaction it was recorded, the gift's id, the receipt code and that code as a QR code (it
encodes the code alone, never a URL). The CJK font is the report PDF's (`find_font`:
AIDLEDGER_PDF_FONT, else Debian's WenQuanYi), embedded so Chinese renders anywhere.
"""

from __future__ import annotations

import io

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from ledger.queries.trace import Trace
from ledger.reports.formats.pdf_format import FAMILY, find_font, shown
from ledger.write.receipts import ReceiptCode
from portal.i18n import Formatter, translations

LABEL_W = 40.0  # mm
LINE_H = 6.0
SPACES = str.maketrans({"\u202f": " ", "\u00a0": " "})  # Babel's, not in the font


def _row(pdf: FPDF, label: str, value: str) -> None:
    """A label and its value; a 0x hash in a smaller size, so it stays on one line."""
    pdf.set_font(FAMILY, size=9)
    pdf.set_text_color(90, 90, 90)
    pdf.cell(LABEL_W, LINE_H, label)
    pdf.set_text_color(0, 0, 0)
    pdf.set_font(FAMILY, size=7.5 if value.startswith("0x") and len(value) > 42 else 10)
    text = shown(value, short=False).translate(SPACES)
    pdf.multi_cell(0, LINE_H, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def receipt_pdf(found: Trace, code: ReceiptCode, fmt: Formatter) -> bytes:
    """The receipt of the traced gift, as PDF bytes."""
    _ = translations(fmt.locale).gettext
    gift = found.gift
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.add_font(FAMILY, "", str(find_font()))
    pdf.set_margins(20, 20, 20)
    pdf.set_title(_("Receipt for your gift"))
    pdf.set_author("AidLedger")
    pdf.add_page()
    pdf.set_font(FAMILY, size=18)
    pdf.cell(0, 12, _("Receipt for your gift"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    if gift.kind == "money" and gift.currency:
        given = fmt.money(gift.amount, gift.currency)
    else:
        given = _("%(n)s units given in kind, as lot %(lot)s.") % {
            "n": fmt.number(gift.amount),
            "lot": gift.lot or "",
        }
    _row(pdf, _("Gift"), given)
    _row(pdf, _("Gift id"), gift.gift_id[:10] + "…")
    _row(pdf, "", gift.gift_id)
    if gift.public_name:
        _row(pdf, _("Donor named at their request"), gift.public_name)
    _row(pdf, _("Recorded"), fmt.datetime(gift.at.timestamp))
    _row(pdf, _("Block"), fmt.number(gift.at.block_number))
    _row(pdf, _("Transaction"), gift.at.tx_hash)
    _row(pdf, _("Receipt code"), str(code))
    pdf.ln(4)
    pdf.image(io.BytesIO(code.qr_png(scale=6)), x=pdf.l_margin, w=45)
    pdf.ln(4)
    pdf.set_font(FAMILY, size=10)
    for paragraph in (
        _(
            "Keep this receipt private: the receipt code is the only link between you and "
            "your gift. To see what your gift became, enter the code (or scan the QR code, "
            "which holds the code) on the portal's page Trace a gift."
        ),
        _(
            "Check it yourself: ask any node of the chain for the transaction above "
            "(eth_getTransactionReceipt) and decode its logs with the published ABI."
        ),
        _("As of block %(block)s of the mirror.") % {"block": fmt.number(found.mirror_block)},
    ):
        pdf.multi_cell(0, 5.5, paragraph, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(2)
    return bytes(pdf.output())

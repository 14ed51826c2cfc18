"""Per-gift attribution for the gifts of a period, read from the mirror's attribution tables.

The rule is docs/attribution.md; the indexer keeps these tables and `aidledger verify` checks
them, so `report verify` checks this table against the manifest only (it is not re-derived
from the chain: `derived_from_chain` is False)."""

from __future__ import annotations

from sqlalchemy import Connection, text

from ledger.reports.tables import Context, Row, Table

_MONEY = text(
    "SELECT g.gift_id, g.seq, g.currency, g.amount,"
    " COALESCE((SELECT SUM(a.amount) FROM gift_allocations a"
    "   WHERE a.gift_kind = 'money' AND a.gift_id = g.gift_id), 0),"
    " COALESCE((SELECT SUM(p.amount) FROM gift_purchases p"
    "   WHERE p.gift_kind = 'money' AND p.gift_id = g.gift_id), 0),"
    " COALESCE((SELECT SUM(s.quantity) FROM lot_sources s JOIN lots l ON l.lot_id = s.lot_id"
    "   WHERE l.origin = 2 AND s.gift_kind = 'money' AND s.gift_id = g.gift_id), 0),"
    " COALESCE((SELECT SUM(f.quantity) FROM flow_sources f WHERE f.flow_kind = 'hand_over'"
    "   AND f.gift_kind = 'money' AND f.gift_id = g.gift_id), 0)"
    " FROM gifts g WHERE g.kind = 'money' AND g.seq BETWEEN :a AND :b ORDER BY g.seq"
)
_IN_KIND = text(
    "SELECT g.gift_id, g.seq, g.lot_id,"
    " COALESCE((SELECT SUM(s.quantity) FROM lot_sources s JOIN lots l ON l.lot_id = s.lot_id"
    "   WHERE l.origin = 1 AND s.gift_kind = 'in_kind' AND s.gift_id = g.gift_id), 0),"
    " COALESCE((SELECT SUM(f.quantity) FROM flow_sources f WHERE f.flow_kind = 'hand_over'"
    "   AND f.gift_kind = 'in_kind' AND f.gift_id = g.gift_id), 0)"
    " FROM gifts g WHERE g.kind = 'in_kind' AND g.seq BETWEEN :a AND :b ORDER BY g.seq"
)


COLUMNS = (
    "gift_kind",
    "gift_id",
    "seq",
    "currency",
    "amount",
    "allocated",
    "spent",
    "lot_id",
    "units",
    "units_handed_over",
)


def attribution_tables(conn: Connection, ctx: Context) -> list[Table]:
    """One row per gift recorded in the period: money allocated and spent, the units bought
    with it or given in kind, and how many of those were handed over (as the mirror holds it
    now)."""
    currency = ctx.filters.get("currency")
    params = {"a": ctx.first_seq, "b": ctx.last_seq}
    rows: list[Row] = []
    for gift, seq, cur, amount, allocated, spent, units, handed in conn.execute(_MONEY, params):
        if currency is None or cur == currency:  # SUMs are Decimal on PostgreSQL
            figures = (int(amount), int(allocated), int(spent), "", int(units), int(handed))
            rows.append(("money", gift, int(seq), cur, *figures))
    if currency is None:
        for gift, seq, lot, units, handed in conn.execute(_IN_KIND, params):
            rows.append(
                ("in_kind", gift, int(seq), "", "", "", "", lot or "", int(units), int(handed))
            )
    rows.sort(key=lambda r: r[2])
    return [
        Table(
            "attribution",
            "Per-gift attribution (docs/attribution.md), as the mirror holds it",
            "逐笔捐赠去向（按归属规则，镜像库现值）",
            COLUMNS,
            rows,
            derived_from_chain=False,
        )
    ]

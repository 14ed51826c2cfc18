# ruff: noqa: RUF001  (Chinese text uses full-width punctuation, as it should)
"""What a refused write means, for a clerk, in English and Chinese, naming the values.

The contracts' custom errors carry the ids and numbers involved; `explain` turns them into a
sentence with human names (from a `Namer`, e.g. the mirror's site and lot names) where known and
short ids where not.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ledger.chain.bindings import AUDITOR_ROLE, COORDINATOR_ROLE, DEFAULT_ADMIN_ROLE, INTAKE_ROLE
from ledger.errors import AidLedgerError, ContractRevertError
from ledger.write.money import format_amount

_ROLE_NAMES = {
    DEFAULT_ADMIN_ROLE: "admin",
    INTAKE_ROLE: "intake",
    COORDINATOR_ROLE: "coordinator",
    AUDITOR_ROLE: "auditor",
}

# (kind of thing, id) -> a human name such as "WH-2" or "L-17", or None when unknown.
Namer = Callable[[str, bytes], str | None]

# error name -> (English, Chinese); placeholders are the error's argument names.
_TEXTS: dict[str, tuple[str, str]] = {
    "AccessControlUnauthorizedAccount": (
        "Your key {account} does not hold the {neededRole} role this write needs; "
        "ask an administrator to grant it.",
        "您的密钥 {account} 没有此操作所需的{neededRole}角色，请联系管理员授权。",
    ),
    "EnforcedPause": (
        "The ledger is paused for an emergency; wait until the administrator resumes it.",
        "账本因紧急情况已暂停，请等待管理员恢复。",
    ),
    "SupplyLedgerInsufficientStock": (
        "Lot {lotId} holds {available}; you tried to take {requested}.",
        "批次 {lotId} 仅有 {available}；您尝试取出 {requested}。",
    ),
    "SupplyLedgerLotNotAtSite": (
        "Lot {lotId} is at {lotSite}, not at {siteId}.",
        "批次 {lotId} 位于 {lotSite}，不在 {siteId}。",
    ),
    "SupplyLedgerOverReceipt": (
        "Line {lineIndex} of shipment {shipmentId} carried {shipped}; you entered {received}.",
        "货运 {shipmentId} 第 {lineIndex} 行发出 {shipped}；您录入了 {received}。",
    ),
    "SupplyLedgerMissingReason": (
        "Line {lineIndex} of shipment {shipmentId} is {declared} short: give a reason.",
        "货运 {shipmentId} 第 {lineIndex} 行短少 {declared}，请填写原因。",
    ),
    "SupplyLedgerUnexpectedReason": (
        "Line {lineIndex} of shipment {shipmentId} arrived complete: remove the reason.",
        "货运 {shipmentId} 第 {lineIndex} 行已足量到达，请删除原因。",
    ),
    "SupplyLedgerLineSettled": (
        "Line {lineIndex} of shipment {shipmentId} was already received.",
        "货运 {shipmentId} 第 {lineIndex} 行已签收。",
    ),
    "SupplyLedgerUnknownLine": (
        "Shipment {shipmentId} has {lineCount} lines; there is no line {lineIndex}.",
        "货运 {shipmentId} 共 {lineCount} 行，没有第 {lineIndex} 行。",
    ),
    "SupplyLedgerNeedExceeded": (
        "Need {needId} has {remaining} left to fill; you tried to hand over {requested}.",
        "需求 {needId} 尚缺 {remaining}；您尝试发放 {requested}。",
    ),
    "SupplyLedgerNeedClosed": ("Need {needId} is already closed.", "需求 {needId} 已关闭。"),
    "SupplyLedgerNeedMismatch": (
        "Lot {lotId} is not of the item or site that need {needId} asks for.",
        "批次 {lotId} 与需求 {needId} 的物资或地点不符。",
    ),
    "SupplyLedgerSameSite": (
        "A shipment must go to another site than {siteId}.",
        "货运的目的地不能是出发地 {siteId}。",
    ),
    "SupplyLedgerInvalidSite": (
        "Site {siteId} cannot be used here (wrong kind of site).",
        "地点 {siteId} 不能用于此操作（地点类型不符）。",
    ),
    "SupplyLedgerDeadlinePassed": (
        "The deadline is already past; choose a later date.",
        "截止日期已过，请选择更晚的日期。",
    ),
    "FundLedgerInsufficientPool": (
        "Pool {poolId} has {available} available; you tried to allocate {requested}.",
        "资金池 {poolId} 可用 {available}；您尝试分配 {requested}。",
    ),
    "FundLedgerInsufficientAllocation": (
        "Allocation {allocationId} has {remaining} left; the purchase needs {requested}.",
        "拨款 {allocationId} 剩余 {remaining}；此次采购需要 {requested}。",
    ),
    "FundLedgerEarmarkMismatch": (
        "Pool {poolId} is earmarked and cannot pay for this; choose a matching need or purpose.",
        "资金池 {poolId} 为定向资金，不能用于此项，请选择相符的需求或用途。",
    ),
    "FundLedgerPledgeCurrencyMismatch": (
        "Pledge {pledgeId} is in {pledged}; this gift is in {given}.",
        "认捐 {pledgeId} 的币种为 {pledged}；此笔捐赠为 {given}。",
    ),
    "FundLedgerZeroAmount": (
        "The amount is zero; enter the amount in minor units (e.g. fen, cents).",
        "金额为零，请输入以最小单位（如分）计的金额。",
    ),
    "SupplyLedgerZeroQuantity": (
        "The quantity is zero; enter how many units.",
        "数量为零，请输入单位数量。",
    ),
}

# The same refusal from any of the three contracts, by the name after the contract's prefix.
_BY_REASON: dict[str, tuple[str, str]] = {
    "ZeroId": ("An id is missing (all zero).", "缺少编号（全为零）。"),
    "EmptyText": ("A name or unit is empty; fill it in.", "名称或单位为空，请填写。"),
    "EmptyBatch": ("Nothing to record: the list is empty.", "没有可记录的内容：列表为空。"),
    "AmountTooLarge": (
        "The amount {amount} is above the largest the ledger keeps ({max}).",
        "金额 {amount} 超过账本可记录的上限（{max}）。",
    ),
    "QuantityTooLarge": (
        "The quantity {quantity} is above the largest the ledger keeps ({max}).",
        "数量 {quantity} 超过账本可记录的上限（{max}）。",
    ),
    "TotalTooLarge": (
        "This would take the total of {id} past the largest the ledger keeps ({max}).",
        "此操作会使 {id} 的合计超过账本可记录的上限（{max}）。",
    ),
    "MissingDonorCommitment": (
        "Gift {giftId} has no donor commitment; print its receipt code first.",
        "捐赠 {giftId} 缺少捐赠人承诺值，请先生成收据码。",
    ),
    "InvalidCurrency": (
        "{currency} is not a currency code; use ISO 4217, like CNY.",
        "{currency} 不是币种代码，请使用 ISO 4217 代码，如 CNY。",
    ),
    "InvalidEarmark": (
        "That earmark has no value; give purpose:TEXT, region:CODE or category:TEXT.",
        "定向信息缺少取值，请填写 purpose:文本、region:代码 或 category:文本。",
    ),
    "InvalidEarmarkKind": ("Unknown earmark kind {kind}.", "未知的定向类型 {kind}。"),
    "InvalidKind": ("Unknown kind {kind}.", "未知的类型 {kind}。"),
    "InvalidPriority": (
        "Priority {priority} is out of range; use 0 (low) to 3 (critical).",
        "优先级 {priority} 超出范围，请使用 0（低）至 3（紧急）。",
    ),
    "InvalidReason": ("Unknown reason {reason}.", "未知的原因 {reason}。"),
    "InvalidUnit": (
        "Unknown beneficiary unit {unit}; use people or households.",
        "未知的受益单位 {unit}，请使用人或户。",
    ),
    "InvalidAdjustment": (
        "An adjustment of {delta} does not fit reason {reason}: write-offs remove units, "
        "only a count correction may add them, and zero changes nothing.",
        "调整量 {delta} 与原因 {reason} 不符：报损只能减少数量，"
        "只有盘点更正可以增加，零不改变任何内容。",
    ),
    "ZeroBeneficiaries": (
        "Say how many people or households received the goods.",
        "请填写受益的人数或户数。",
    ),
    "MissingReportHash": (
        "Attestation {attestationId} names no report; give the report file's hash.",
        "审计证明 {attestationId} 未指明报告，请提供报告文件的哈希。",
    ),
    "FutureSequence": (
        "The report covers event {coveredSeq}, but the ledger is only at {currentSeq}.",
        "报告涵盖至第 {coveredSeq} 号事件，但账本目前仅到第 {currentSeq} 号。",
    ),
    "InvalidBlockRange": (
        "Blocks {fromBlock} to {toBlock} are not a range up to the current block {currentBlock}.",
        "区块 {fromBlock} 至 {toBlock} 不是截至当前区块 {currentBlock} 的有效范围。",
    ),
}

_DUPLICATE = (
    "{id} was recorded before; nothing more is needed.",
    "{id} 此前已记录，无需重复操作。",
)
_UNKNOWN = (
    "{what} {id} is not on the ledger; check it, or record it first.",
    "账本上没有{what_zh} {id}，请核对或先登记。",
)
_THINGS = {
    "Lot": ("lot", "批次"),
    "Site": ("site", "地点"),
    "Item": ("item", "物资"),
    "Need": ("need", "需求"),
    "Shipment": ("shipment", "货运"),
    "Allocation": ("allocation", "拨款"),
    "Pledge": ("pledge", "认捐"),
    "Organisation": ("organisation", "机构"),
    "Supplier": ("supplier", "供应商"),
}
_ARG_KINDS = {
    "lotId": "lot",
    "lotSite": "site",
    "siteId": "site",
    "itemId": "item",
    "needId": "need",
    "shipmentId": "shipment",
    "allocationId": "allocation",
    "poolId": "pool",
    "pledgeId": "pledge",
    "orgId": "org",
    "supplierId": "org",
}


@dataclass(frozen=True)
class Refusal:
    """A refused write explained in both languages; `error` is the decoded custom error."""

    en: str
    zh: str
    error: ContractRevertError

    def text(self, language: str = "en") -> str:
        """The sentence in `language` ('en' or 'zh')."""
        return self.zh if language.startswith("zh") else self.en


class WriteRefusedError(AidLedgerError):
    """The chain refused the write; nothing changed. Carries the explanation in both languages."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(f"{refusal.en} ({refusal.error.error})")
        self.refusal = refusal


# Arguments of the fund ledger's errors that are money, in the write's currency's minor units.
_MONEY_ARGS = frozenset({"amount", "available", "requested", "remaining", "total", "max"})


def _money(value: int, currency: str | None) -> tuple[str, str]:
    """An amount of minor units as each language shows it: '1,234.56 CNY' when the write's
    currency is known, else the count of minor units said as such."""
    if currency:
        shown = format_amount(value, currency)
        return shown, shown
    return f"{value:,} (minor units, e.g. fen or cents)", f"{value:,}（最小货币单位，如分）"


def _show(name: str, value: object, namer: Namer | None) -> str:
    if name == "neededRole" and isinstance(value, bytes):
        return _ROLE_NAMES.get(value, "site operator")
    if isinstance(value, bytes):
        if len(value) == 3:
            return value.decode("ascii", "replace")
        kind = _ARG_KINDS.get(name, "id")
        named = namer(kind, value) if namer else None
        return named or "0x" + value.hex()[:8] + "…"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _templates(name: str) -> tuple[str, str] | None:
    if name in _TEXTS:
        return _TEXTS[name]
    reason = name
    for contract in ("AidRegistry", "FundLedger", "SupplyLedger"):
        reason = reason.removeprefix(contract)
    if reason == "DuplicateId":
        return _DUPLICATE
    thing = reason.removeprefix("Unknown")
    if thing != reason and thing in _THINGS:
        en, zh = _UNKNOWN
        what, what_zh = _THINGS[thing]
        return en.replace("{what}", what.capitalize()), zh.replace("{what_zh}", what_zh)
    return _BY_REASON.get(reason)


def explain(
    error: ContractRevertError, namer: Namer | None = None, currency: str | None = None
) -> Refusal:
    """The clerk's sentence for a decoded custom error; unknown errors keep the decoded text.
    `currency` is the write's, when it names one: the fund ledger's amounts are shown in it."""
    args: Mapping[str, object] = error.error_args
    shown = {key: _show(key, value, namer) for key, value in args.items()}
    shown_zh = dict(shown)
    if error.error.startswith("FundLedger"):
        for key, value in args.items():
            if key in _MONEY_ARGS and isinstance(value, int) and not isinstance(value, bool):
                shown[key], shown_zh[key] = _money(value, currency)
    if len(args) == 1:
        shown.setdefault("id", next(iter(shown.values())))
        shown_zh.setdefault("id", next(iter(shown_zh.values())))
    templates = _templates(error.error)
    if templates is None:
        return Refusal(str(error), f"链上拒绝了此操作：{error}", error)
    en, zh = templates
    try:
        return Refusal(en.format(**shown), zh.format(**shown_zh), error)
    except KeyError:  # an error whose arguments changed: say what the chain said
        return Refusal(str(error), f"链上拒绝了此操作：{error}", error)

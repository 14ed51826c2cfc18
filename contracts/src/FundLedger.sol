// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {IAidRegistry} from "./interfaces/IAidRegistry.sol";
import {IFundLedger} from "./interfaces/IFundLedger.sol";
import {ISupplyLedger} from "./interfaces/ISupplyLedger.sol";
import {LedgerBase} from "./LedgerBase.sol";

/// @title FundLedger
/// @notice Money gifts, pledges, allocations and their spending. See {IFundLedger}.
contract FundLedger is IFundLedger, LedgerBase {
    /*//////////////////////////////////////////////////////////////
                                 STORAGE
    //////////////////////////////////////////////////////////////*/

    struct Pool {
        uint128 received;
        uint128 allocated;
    }

    struct Pledge {
        bytes3 currency;
        uint128 amount;
        uint128 paid;
    }

    struct Allocation {
        bytes32 poolId;
        uint128 amount;
        uint128 spent;
        uint128 released;
        EarmarkKind earmarkKind;
        bytes32 earmark;
    }

    mapping(bytes32 giftId => bool) private _gifts;
    mapping(bytes32 poolId => Pool) private _pools;
    mapping(bytes32 pledgeId => Pledge) private _pledges;
    mapping(bytes32 allocationId => Allocation) private _allocations;

    constructor(IAidRegistry registry_) LedgerBase(registry_) {}

    /*//////////////////////////////////////////////////////////////
                                  GIFTS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IFundLedger
    function recordGift(GiftInput calldata gift) external onlyRole(_INTAKE_ROLE) {
        _recordGift(gift);
    }

    /// @inheritdoc IFundLedger
    function recordGifts(GiftInput[] calldata gifts) external onlyRole(_INTAKE_ROLE) {
        if (gifts.length == 0) revert FundLedgerEmptyBatch();
        for (uint256 i = 0; i < gifts.length; ++i) {
            _recordGift(gifts[i]);
        }
    }

    /// @inheritdoc IFundLedger
    function recordPledge(
        bytes32 pledgeId,
        bytes3 currency,
        uint128 amount,
        uint8 earmarkKind,
        bytes32 earmark,
        bytes32 donorCommitment,
        uint64 dueDate
    ) external onlyRole(_INTAKE_ROLE) {
        _requireNewId(pledgeId, _pledges[pledgeId].amount != 0);
        _requireMoney(currency, amount);
        EarmarkKind kind = _requireEarmark(earmarkKind, earmark);
        if (donorCommitment == bytes32(0)) revert FundLedgerMissingDonorCommitment(pledgeId);
        _pledges[pledgeId] = Pledge(currency, amount, 0);
        _emitPledgeRecorded(pledgeId, currency, amount, kind, earmark, donorCommitment, dueDate);
    }

    /*//////////////////////////////////////////////////////////////
                               ALLOCATIONS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IFundLedger
    function allocateFunds(
        bytes32 allocationId,
        bytes3 currency,
        uint8 earmarkKind,
        bytes32 earmark,
        uint128 amount,
        bytes32 needId,
        bytes32 purpose
    ) external onlyRole(_COORDINATOR_ROLE) {
        _requireNewId(allocationId, _allocations[allocationId].amount != 0);
        _requireMoney(currency, amount);
        EarmarkKind kind = _requireEarmarkKind(earmarkKind);
        bytes32 id = poolId(currency, kind, earmark);
        Pool storage p = _pools[id];
        uint128 available = p.received - p.allocated;
        if (amount > available) revert FundLedgerInsufficientPool(id, available, amount);
        _requireEarmarkServed(id, kind, earmark, needId, purpose);
        p.allocated += amount;
        _allocations[allocationId] = Allocation(id, amount, 0, 0, kind, earmark);
        _emitFundsAllocated(allocationId, id, amount, needId, purpose);
    }

    /// @inheritdoc IFundLedger
    function releaseAllocation(bytes32 allocationId) external onlyRole(_COORDINATOR_ROLE) {
        Allocation storage a = _allocations[allocationId];
        if (a.amount == 0) revert FundLedgerUnknownAllocation(allocationId);
        uint128 remaining = a.amount - a.spent - a.released;
        if (remaining == 0) revert FundLedgerInsufficientAllocation(allocationId, 0, 1);
        a.released += remaining;
        _pools[a.poolId].allocated -= remaining;
        _emitAllocationReleased(allocationId, a.poolId, remaining);
    }

    /// @inheritdoc IFundLedger
    function spend(bytes32 allocationId, bytes32 purchaseId, uint128 amount, bytes32 itemCategory, address actor)
        external
    {
        if (msg.sender != registry.supplyLedger()) revert FundLedgerNotSupplyLedger(msg.sender);
        _requireAmount(amount);
        Allocation storage a = _allocations[allocationId];
        if (a.amount == 0) revert FundLedgerUnknownAllocation(allocationId);
        uint128 remaining = a.amount - a.spent - a.released;
        if (amount > remaining) revert FundLedgerInsufficientAllocation(allocationId, remaining, amount);
        if (a.earmarkKind == EarmarkKind.Category && itemCategory != a.earmark) {
            revert FundLedgerEarmarkMismatch(a.poolId, a.earmarkKind, a.earmark, itemCategory);
        }
        a.spent += amount;
        _emitAllocationSpent(allocationId, purchaseId, actor, amount);
    }

    /*//////////////////////////////////////////////////////////////
                                  VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IFundLedger
    function poolId(bytes3 currency, EarmarkKind earmarkKind, bytes32 earmark) public pure returns (bytes32) {
        return keccak256(abi.encode(currency, earmarkKind, earmark));
    }

    /// @inheritdoc IFundLedger
    function pool(bytes32 poolId_) external view returns (uint128 received, uint128 allocated) {
        Pool storage p = _pools[poolId_];
        return (p.received, p.allocated);
    }

    /// @inheritdoc IFundLedger
    function pledge(bytes32 pledgeId) external view returns (bytes3 currency, uint128 amount, uint128 paid) {
        Pledge storage p = _pledges[pledgeId];
        return (p.currency, p.amount, p.paid);
    }

    /// @inheritdoc IFundLedger
    function allocation(bytes32 allocationId)
        external
        view
        returns (bytes32 poolId_, uint128 amount, uint128 spent, uint128 released)
    {
        Allocation storage a = _allocations[allocationId];
        return (a.poolId, a.amount, a.spent, a.released);
    }

    /// @inheritdoc IFundLedger
    function giftExists(bytes32 giftId) external view returns (bool) {
        return _gifts[giftId];
    }

    /*//////////////////////////////////////////////////////////////
                                INTERNALS
    //////////////////////////////////////////////////////////////*/

    function _recordGift(GiftInput calldata g) private {
        _requireNewId(g.giftId, _gifts[g.giftId]);
        _requireMoney(g.currency, g.amount);
        EarmarkKind kind = _requireEarmark(g.earmarkKind, g.earmark);
        if (g.donorCommitment == bytes32(0)) revert FundLedgerMissingDonorCommitment(g.giftId);
        if (g.pledgeId != bytes32(0)) _payPledge(g.pledgeId, g.currency, g.amount);
        bytes32 id = poolId(g.currency, kind, g.earmark);
        Pool storage p = _pools[id];
        _requireTotal(id, p.received, g.amount);
        _gifts[g.giftId] = true;
        p.received += g.amount;
        _emitGiftRecorded(g, id, kind);
    }

    /*//////////////////////////////////////////////////////////////
                     EVENTS (each sequenced and emitted once)
    //////////////////////////////////////////////////////////////*/

    function _emitGiftRecorded(GiftInput calldata g, bytes32 id, EarmarkKind kind) private {
        (uint64 seq, bytes32 head) = _sequence(
            keccak256(
                abi.encode(
                    GiftRecorded.selector,
                    g.giftId,
                    id,
                    msg.sender,
                    g.currency,
                    g.amount,
                    kind,
                    g.earmark,
                    g.evidenceHash,
                    g.donorCommitment,
                    g.pledgeId,
                    g.publicName
                )
            )
        );
        emit GiftRecorded(
            g.giftId,
            id,
            msg.sender,
            g.currency,
            g.amount,
            kind,
            g.earmark,
            g.evidenceHash,
            g.donorCommitment,
            g.pledgeId,
            g.publicName,
            seq,
            head
        );
    }

    function _emitPledgeRecorded(
        bytes32 pledgeId,
        bytes3 currency,
        uint128 amount,
        EarmarkKind kind,
        bytes32 earmark,
        bytes32 donorCommitment,
        uint64 dueDate
    ) private {
        (uint64 seq, bytes32 head) = _sequence(
            keccak256(
                abi.encode(
                    PledgeRecorded.selector, pledgeId, msg.sender, currency, amount, kind, earmark, donorCommitment, dueDate
                )
            )
        );
        emit PledgeRecorded(pledgeId, msg.sender, currency, amount, kind, earmark, donorCommitment, dueDate, seq, head);
    }

    function _emitFundsAllocated(bytes32 allocationId, bytes32 id, uint128 amount, bytes32 needId, bytes32 purpose)
        private
    {
        (uint64 seq, bytes32 head) = _sequence(
            keccak256(abi.encode(FundsAllocated.selector, allocationId, id, msg.sender, amount, needId, purpose))
        );
        emit FundsAllocated(allocationId, id, msg.sender, amount, needId, purpose, seq, head);
    }

    function _emitAllocationReleased(bytes32 allocationId, bytes32 id, uint128 amount) private {
        (uint64 seq, bytes32 head) =
            _sequence(keccak256(abi.encode(AllocationReleased.selector, allocationId, id, msg.sender, amount)));
        emit AllocationReleased(allocationId, id, msg.sender, amount, seq, head);
    }

    function _emitAllocationSpent(bytes32 allocationId, bytes32 purchaseId, address actor, uint128 amount) private {
        (uint64 seq, bytes32 head) =
            _sequence(keccak256(abi.encode(AllocationSpent.selector, allocationId, purchaseId, actor, amount)));
        emit AllocationSpent(allocationId, purchaseId, actor, amount, seq, head);
    }

    /*//////////////////////////////////////////////////////////////
                                 CHECKS
    //////////////////////////////////////////////////////////////*/

    function _payPledge(bytes32 pledgeId, bytes3 currency, uint128 amount) private {
        Pledge storage p = _pledges[pledgeId];
        if (p.amount == 0) revert FundLedgerUnknownPledge(pledgeId);
        if (p.currency != currency) revert FundLedgerPledgeCurrencyMismatch(pledgeId, p.currency, currency);
        _requireTotal(pledgeId, p.paid, amount);
        p.paid += amount;
    }

    function _requireEarmarkServed(bytes32 id, EarmarkKind kind, bytes32 earmark, bytes32 needId, bytes32 purpose)
        private
        view
    {
        bytes32 siteId = bytes32(0);
        bytes32 itemId = bytes32(0);
        if (needId != bytes32(0)) {
            (siteId, itemId) = ISupplyLedger(registry.supplyLedger()).needTarget(needId);
            if (siteId == bytes32(0)) revert FundLedgerUnknownNeed(needId);
        }
        if (kind == EarmarkKind.None) return;
        bytes32 given = bytes32(0);
        if (kind == EarmarkKind.Purpose) {
            given = purpose;
        } else if (siteId != bytes32(0) && kind == EarmarkKind.Region) {
            given = bytes32(registry.siteRegion(siteId));
        } else if (siteId != bytes32(0)) {
            (bool known, bytes32 category) = registry.item(itemId);
            given = known ? category : bytes32(0);
        }
        if (given != earmark) revert FundLedgerEarmarkMismatch(id, kind, earmark, given);
    }

    function _requireNewId(bytes32 id, bool taken) private pure {
        if (id == bytes32(0)) revert FundLedgerZeroId();
        if (taken) revert FundLedgerDuplicateId(id);
    }

    function _requireMoney(bytes3 currency, uint128 amount) private pure {
        _requireAmount(amount);
        for (uint256 i = 0; i < 3; ++i) {
            if (currency[i] < 0x41 || currency[i] > 0x5A) revert FundLedgerInvalidCurrency(currency);
        }
    }

    /// @dev Every amount a write takes: non-zero and at most MAX_VALUE.
    function _requireAmount(uint256 amount) private pure {
        if (amount == 0) revert FundLedgerZeroAmount();
        if (amount > MAX_VALUE) revert FundLedgerAmountTooLarge(amount, MAX_VALUE);
    }

    /// @dev A running total (pool received, pledge paid) may not pass MAX_VALUE.
    function _requireTotal(bytes32 id, uint256 total, uint256 amount) private pure {
        if (total + amount > MAX_VALUE) revert FundLedgerTotalTooLarge(id, total, amount, MAX_VALUE);
    }

    function _requireEarmarkKind(uint8 kind) private pure returns (EarmarkKind) {
        if (kind > uint8(type(EarmarkKind).max)) revert FundLedgerInvalidEarmarkKind(kind);
        return EarmarkKind(kind);
    }

    function _requireEarmark(uint8 kind, bytes32 earmark) private pure returns (EarmarkKind checked) {
        checked = _requireEarmarkKind(kind);
        if ((checked == EarmarkKind.None) != (earmark == bytes32(0))) revert FundLedgerInvalidEarmark(checked, earmark);
    }
}

// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {IAidRegistry} from "./interfaces/IAidRegistry.sol";
import {IFundLedger} from "./interfaces/IFundLedger.sol";
import {ISupplyLedger} from "./interfaces/ISupplyLedger.sol";
import {LedgerBase} from "./LedgerBase.sol";

/// @title SupplyLedger
/// @notice Lots, shipments, needs, hand-overs and adjustments. See {ISupplyLedger}.
contract SupplyLedger is ISupplyLedger, LedgerBase {
    /*//////////////////////////////////////////////////////////////
                                 STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @dev `inflow` is every unit that ever entered the lot (its creation plus positive count
    /// corrections); capping it at MAX_VALUE bounds every per-lot total the mirror keeps.
    struct Lot {
        bytes32 itemId;
        bytes32 siteId;
        bytes32 batch;
        uint64 onHand;
        uint64 inflow;
        uint64 expiry;
    }

    struct Shipment {
        bytes32 fromSite;
        bytes32 toSite;
        uint32 lineCount;
        uint32 openLines;
    }

    struct Line {
        bytes32 lotId;
        uint128 quantity;
        bool settled;
    }

    struct Need {
        bytes32 siteId;
        bytes32 itemId;
        uint64 quantity;
        uint64 fulfilled;
        bool open;
    }

    /// @dev The largest need priority (0 lowest … 3 most urgent).
    uint8 private constant _MAX_PRIORITY = 3;

    mapping(bytes32 lotId => Lot) private _lots;
    mapping(bytes32 id => bool) private _usedIds;
    mapping(bytes32 shipmentId => Shipment) private _shipments;
    mapping(bytes32 shipmentId => mapping(uint256 lineIndex => Line)) private _lines;
    mapping(bytes32 needId => Need) private _needs;

    constructor(IAidRegistry registry_) LedgerBase(registry_) {}

    /*//////////////////////////////////////////////////////////////
                              INTAKE AND PURCHASE
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc ISupplyLedger
    function recordInKindGift(InKindInput calldata gift) external onlyRole(_INTAKE_ROLE) {
        _recordInKindGift(gift);
    }

    /// @inheritdoc ISupplyLedger
    function recordInKindGifts(InKindInput[] calldata gifts) external onlyRole(_INTAKE_ROLE) {
        if (gifts.length == 0) revert SupplyLedgerEmptyBatch();
        for (uint256 i = 0; i < gifts.length; ++i) {
            _recordInKindGift(gifts[i]);
        }
    }

    /// @inheritdoc ISupplyLedger
    function recordPurchase(PurchaseInput calldata p) external onlyRole(_COORDINATOR_ROLE) {
        _claimId(p.purchaseId);
        if (!registry.organisationExists(p.supplierId)) revert SupplyLedgerUnknownSupplier(p.supplierId);
        bytes32 category = _requireItem(p.itemId);
        _requireSite(p.siteId, IAidRegistry.SiteKind.None);
        _requireQuantity(p.quantity);
        IFundLedger(registry.fundLedger()).spend(p.allocationId, p.purchaseId, p.amount, category, msg.sender);
        _emitPurchaseRecorded(p);
        _createLot(p.lotId, p.itemId, p.siteId, p.batch, p.quantity, p.expiry, LotOrigin.Purchase, p.purchaseId, bytes32(0));
    }

    /*//////////////////////////////////////////////////////////////
                                  NEEDS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc ISupplyLedger
    function postNeed(bytes32 needId, bytes32 siteId, bytes32 itemId, uint128 quantity, uint8 priority, uint64 deadline)
        external
    {
        _checkOperatorOrCoordinator(siteId);
        _claimId(needId);
        _requireSite(siteId, IAidRegistry.SiteKind.Recipient);
        _requireItem(itemId);
        _requireQuantity(quantity);
        if (priority > _MAX_PRIORITY) revert SupplyLedgerInvalidPriority(priority);
        if (deadline != 0 && deadline < block.timestamp) revert SupplyLedgerDeadlinePassed(deadline, uint64(block.timestamp));
        // Cannot truncate: quantity <= MAX_VALUE < 2^64, checked above.
        _needs[needId] = Need(siteId, itemId, uint64(quantity), 0, true);
        _emitNeedPosted(needId, siteId, itemId, quantity, priority, deadline);
    }

    /// @inheritdoc ISupplyLedger
    function closeNeed(bytes32 needId) external {
        Need storage n = _needs[needId];
        if (n.siteId == bytes32(0)) revert SupplyLedgerUnknownNeed(needId);
        _checkOperatorOrCoordinator(n.siteId);
        if (!n.open) revert SupplyLedgerNeedClosed(needId);
        n.open = false;
        _emitNeedClosed(needId, n.fulfilled);
    }

    /*//////////////////////////////////////////////////////////////
                                SHIPMENTS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc ISupplyLedger
    function dispatchShipment(bytes32 shipmentId, bytes32 fromSite, bytes32 toSite, DispatchLine[] calldata lines)
        external
    {
        _checkOperator(fromSite);
        _claimId(shipmentId);
        if (fromSite == toSite) revert SupplyLedgerSameSite(fromSite);
        _requireSite(toSite, IAidRegistry.SiteKind.None);
        if (lines.length == 0) revert SupplyLedgerEmptyBatch();
        uint32 count = uint32(lines.length);
        _shipments[shipmentId] = Shipment(fromSite, toSite, count, count);
        _emitShipmentDispatched(shipmentId, fromSite, toSite, count);
        for (uint32 i = 0; i < count; ++i) {
            _dispatchLine(shipmentId, fromSite, i, lines[i]);
        }
    }

    /// @inheritdoc ISupplyLedger
    function receiveShipment(bytes32 shipmentId, ReceiptLine[] calldata lines) external {
        Shipment storage s = _shipments[shipmentId];
        if (s.lineCount == 0) revert SupplyLedgerUnknownShipment(shipmentId);
        _checkOperator(s.toSite);
        if (lines.length == 0) revert SupplyLedgerEmptyBatch();
        for (uint256 i = 0; i < lines.length; ++i) {
            _receiveLine(shipmentId, s, lines[i]);
        }
        if (s.openLines == 0) _emitShipmentCompleted(shipmentId);
    }

    /*//////////////////////////////////////////////////////////////
                          HAND-OVERS AND ADJUSTMENTS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc ISupplyLedger
    function recordHandOver(
        bytes32 handOverId,
        bytes32 lotId,
        bytes32 needId,
        uint128 quantity,
        uint32 beneficiaries,
        uint8 unit
    ) external {
        Lot storage l = _requireLot(lotId);
        _checkOperator(l.siteId);
        _claimId(handOverId);
        _requireSite(l.siteId, IAidRegistry.SiteKind.Recipient);
        _requireQuantity(quantity);
        if (unit == uint8(BeneficiaryUnit.None) || unit > uint8(type(BeneficiaryUnit).max)) {
            revert SupplyLedgerInvalidUnit(unit);
        }
        if (beneficiaries == 0) revert SupplyLedgerZeroBeneficiaries();
        Need storage n = _needs[needId];
        if (n.siteId == bytes32(0)) revert SupplyLedgerUnknownNeed(needId);
        if (!n.open) revert SupplyLedgerNeedClosed(needId);
        if (n.siteId != l.siteId || n.itemId != l.itemId) revert SupplyLedgerNeedMismatch(needId, lotId);
        uint128 remaining = n.quantity - n.fulfilled;
        if (quantity > remaining) revert SupplyLedgerNeedExceeded(needId, remaining, quantity);
        _move(lotId, l, -int256(uint256(quantity)));
        // Cannot truncate: quantity <= remaining < 2^64, checked above.
        n.fulfilled += uint64(quantity);
        bool fulfilled = n.fulfilled == n.quantity;
        if (fulfilled) n.open = false;
        _emitHandedOver(handOverId, lotId, needId, quantity, beneficiaries, BeneficiaryUnit(unit));
        if (fulfilled) _emitNeedClosed(needId, n.fulfilled);
    }

    /// @inheritdoc ISupplyLedger
    function recordAdjustment(bytes32 adjustmentId, bytes32 lotId, int128 delta, uint8 reason) external {
        Lot storage l = _requireLot(lotId);
        _checkOperator(l.siteId);
        _claimId(adjustmentId);
        if (reason == uint8(AdjustmentReason.None) || reason > uint8(type(AdjustmentReason).max)) {
            revert SupplyLedgerInvalidReason(reason);
        }
        AdjustmentReason r = AdjustmentReason(reason);
        if (delta == 0 || (delta > 0 && r != AdjustmentReason.CountCorrection)) {
            revert SupplyLedgerInvalidAdjustment(r, delta);
        }
        _move(lotId, l, delta);
        _emitLotAdjusted(adjustmentId, lotId, delta, r);
    }

    /*//////////////////////////////////////////////////////////////
                                  VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc ISupplyLedger
    function lot(bytes32 lotId) external view returns (bytes32 itemId, bytes32 siteId, uint128 onHand) {
        Lot storage l = _lots[lotId];
        return (l.itemId, l.siteId, l.onHand);
    }

    /// @inheritdoc ISupplyLedger
    function need(bytes32 needId)
        external
        view
        returns (bytes32 siteId, bytes32 itemId, uint128 quantity, uint128 fulfilled, bool open)
    {
        Need storage n = _needs[needId];
        return (n.siteId, n.itemId, n.quantity, n.fulfilled, n.open);
    }

    /// @inheritdoc ISupplyLedger
    function needTarget(bytes32 needId) external view returns (bytes32 siteId, bytes32 itemId) {
        Need storage n = _needs[needId];
        return (n.siteId, n.itemId);
    }

    /// @inheritdoc ISupplyLedger
    function shipment(bytes32 shipmentId)
        external
        view
        returns (bytes32 fromSite, bytes32 toSite, uint32 lineCount, uint32 openLines)
    {
        Shipment storage s = _shipments[shipmentId];
        return (s.fromSite, s.toSite, s.lineCount, s.openLines);
    }

    /// @inheritdoc ISupplyLedger
    function shipmentLine(bytes32 shipmentId, uint32 lineIndex)
        external
        view
        returns (bytes32 lotId, uint128 quantity, bool settled)
    {
        Line storage line = _lines[shipmentId][lineIndex];
        return (line.lotId, line.quantity, line.settled);
    }

    /// @inheritdoc ISupplyLedger
    function receiptLotId(bytes32 shipmentId, uint32 lineIndex) public pure returns (bytes32) {
        return keccak256(abi.encode(shipmentId, lineIndex));
    }

    /*//////////////////////////////////////////////////////////////
                                INTERNALS
    //////////////////////////////////////////////////////////////*/

    function _recordInKindGift(InKindInput calldata g) private {
        _claimId(g.giftId);
        _requireItem(g.itemId);
        _requireSite(g.siteId, IAidRegistry.SiteKind.Warehouse);
        _requireQuantity(g.quantity);
        if (g.donorCommitment == bytes32(0)) revert SupplyLedgerMissingDonorCommitment(g.giftId);
        _emitInKindGiftRecorded(g);
        _createLot(g.lotId, g.itemId, g.siteId, g.batch, g.quantity, g.expiry, LotOrigin.InKindGift, g.giftId, bytes32(0));
    }

    function _dispatchLine(bytes32 shipmentId, bytes32 fromSite, uint32 index, DispatchLine calldata line) private {
        Lot storage l = _requireLot(line.lotId);
        if (l.siteId != fromSite) revert SupplyLedgerLotNotAtSite(line.lotId, l.siteId, fromSite);
        _requireQuantity(line.quantity);
        _move(line.lotId, l, -int256(uint256(line.quantity)));
        _lines[shipmentId][index] = Line(line.lotId, line.quantity, false);
        _emitShipmentLineDispatched(shipmentId, line.lotId, index, line.quantity);
    }

    function _receiveLine(bytes32 shipmentId, Shipment storage s, ReceiptLine calldata r) private {
        if (r.lineIndex >= s.lineCount) revert SupplyLedgerUnknownLine(shipmentId, r.lineIndex, s.lineCount);
        if (r.reason > uint8(type(DiscrepancyReason).max)) revert SupplyLedgerInvalidReason(r.reason);
        Line storage line = _lines[shipmentId][r.lineIndex];
        if (line.settled) revert SupplyLedgerLineSettled(shipmentId, r.lineIndex);
        if (r.received > line.quantity) {
            revert SupplyLedgerOverReceipt(shipmentId, r.lineIndex, line.quantity, r.received);
        }
        // received + declared = line.quantity > 0: dispatch refuses an empty line.
        uint128 declared = line.quantity - r.received;
        DiscrepancyReason reason = DiscrepancyReason(r.reason);
        if (declared > 0 && reason == DiscrepancyReason.None) {
            revert SupplyLedgerMissingReason(shipmentId, r.lineIndex, declared);
        }
        if (declared == 0 && reason != DiscrepancyReason.None) revert SupplyLedgerUnexpectedReason(shipmentId, r.lineIndex);
        line.settled = true;
        // Cannot underflow: openLines counts unsettled lines and this line was unsettled.
        unchecked {
            s.openLines -= 1;
        }
        bytes32 newLot = r.received > 0 ? receiptLotId(shipmentId, r.lineIndex) : bytes32(0);
        _emitShipmentLineReceived(shipmentId, newLot, r.lineIndex, r.received, declared, reason);
        if (newLot != bytes32(0)) {
            Lot storage parent = _lots[line.lotId];
            _createLot(
                newLot, parent.itemId, s.toSite, parent.batch, r.received, parent.expiry, LotOrigin.Receipt, shipmentId, line.lotId
            );
        }
    }

    /// @dev The one funnel that brings a lot into existence and emits LotCreated.
    function _createLot(
        bytes32 lotId,
        bytes32 itemId,
        bytes32 siteId,
        bytes32 batch,
        uint128 quantity,
        uint64 expiry,
        LotOrigin origin,
        bytes32 originId,
        bytes32 parentLotId
    ) private {
        if (lotId == bytes32(0)) revert SupplyLedgerZeroId();
        if (_lots[lotId].itemId != bytes32(0)) revert SupplyLedgerDuplicateId(lotId);
        _requireQuantity(quantity);
        // Cannot truncate: quantity <= MAX_VALUE < 2^64, checked above.
        Lot memory l = Lot(itemId, siteId, batch, uint64(quantity), uint64(quantity), expiry);
        _lots[lotId] = l;
        _emitLotCreated(lotId, l, origin, originId, parentLotId);
    }

    /// @dev The one funnel through which a lot's units on hand change after its creation: a
    /// negative `delta` removes (dispatch, hand-over, adjustment), a positive one adds (count
    /// correction) and counts toward the lot's capped inflow.
    function _move(bytes32 lotId, Lot storage l, int256 delta) private {
        uint256 quantity = delta < 0 ? uint256(-delta) : uint256(delta);
        _requireQuantity(quantity);
        if (delta < 0) {
            if (quantity > l.onHand) revert SupplyLedgerInsufficientStock(lotId, l.onHand, quantity);
            // Cannot underflow: checked just above.
            unchecked {
                l.onHand -= uint64(quantity);
            }
        } else {
            if (l.inflow + quantity > MAX_VALUE) revert SupplyLedgerTotalTooLarge(lotId, l.inflow, quantity, MAX_VALUE);
            // Cannot overflow: onHand <= inflow <= MAX_VALUE < 2^64, checked just above.
            unchecked {
                l.inflow += uint64(quantity);
                l.onHand += uint64(quantity);
            }
        }
    }

    function _claimId(bytes32 id) private {
        if (id == bytes32(0)) revert SupplyLedgerZeroId();
        if (_usedIds[id]) revert SupplyLedgerDuplicateId(id);
        _usedIds[id] = true;
    }

    /// @dev Every quantity a write takes: non-zero and at most MAX_VALUE.
    function _requireQuantity(uint256 quantity) private pure {
        if (quantity == 0) revert SupplyLedgerZeroQuantity();
        if (quantity > MAX_VALUE) revert SupplyLedgerQuantityTooLarge(quantity, MAX_VALUE);
    }

    function _requireLot(bytes32 lotId) private view returns (Lot storage l) {
        l = _lots[lotId];
        if (l.itemId == bytes32(0)) revert SupplyLedgerUnknownLot(lotId);
    }

    function _requireItem(bytes32 itemId) private view returns (bytes32 category) {
        bool exists;
        (exists, category) = registry.item(itemId);
        if (!exists) revert SupplyLedgerUnknownItem(itemId);
    }

    /// @dev `kind` None accepts any registered site.
    function _requireSite(bytes32 siteId, IAidRegistry.SiteKind kind) private view {
        IAidRegistry.SiteKind actual = registry.siteKind(siteId);
        if (actual == IAidRegistry.SiteKind.None || (kind != IAidRegistry.SiteKind.None && actual != kind)) {
            revert SupplyLedgerInvalidSite(siteId, uint8(actual));
        }
    }

    /*//////////////////////////////////////////////////////////////
                     EVENTS (each sequenced and emitted once)
    //////////////////////////////////////////////////////////////*/

    function _emitLotCreated(bytes32 lotId, Lot memory l, LotOrigin origin, bytes32 originId, bytes32 parentLotId)
        private
    {
        (uint64 seq, bytes32 head) = _sequence(
            keccak256(
                abi.encode(
                    LotCreated.selector,
                    lotId,
                    l.itemId,
                    l.siteId,
                    l.onHand,
                    l.batch,
                    l.expiry,
                    origin,
                    originId,
                    parentLotId,
                    msg.sender
                )
            )
        );
        emit LotCreated(lotId, l.itemId, l.siteId, l.onHand, l.batch, l.expiry, origin, originId, parentLotId, msg.sender, seq, head);
    }

    function _emitInKindGiftRecorded(InKindInput calldata g) private {
        (uint64 seq, bytes32 head) = _sequence(
            keccak256(
                abi.encode(
                    InKindGiftRecorded.selector, g.giftId, g.lotId, msg.sender, g.donorCommitment, g.evidenceHash, g.publicName
                )
            )
        );
        emit InKindGiftRecorded(g.giftId, g.lotId, msg.sender, g.donorCommitment, g.evidenceHash, g.publicName, seq, head);
    }

    function _emitPurchaseRecorded(PurchaseInput calldata p) private {
        (uint64 seq, bytes32 head) = _sequence(
            keccak256(
                abi.encode(
                    PurchaseRecorded.selector,
                    p.purchaseId,
                    p.allocationId,
                    p.lotId,
                    p.supplierId,
                    p.amount,
                    p.invoiceHash,
                    msg.sender
                )
            )
        );
        emit PurchaseRecorded(p.purchaseId, p.allocationId, p.lotId, p.supplierId, p.amount, p.invoiceHash, msg.sender, seq, head);
    }

    function _emitNeedPosted(
        bytes32 needId,
        bytes32 siteId,
        bytes32 itemId,
        uint128 quantity,
        uint8 priority,
        uint64 deadline
    ) private {
        (uint64 seq, bytes32 head) = _sequence(
            keccak256(abi.encode(NeedPosted.selector, needId, siteId, itemId, quantity, priority, deadline, msg.sender))
        );
        emit NeedPosted(needId, siteId, itemId, quantity, priority, deadline, msg.sender, seq, head);
    }

    function _emitNeedClosed(bytes32 needId, uint128 fulfilled) private {
        (uint64 seq, bytes32 head) = _sequence(keccak256(abi.encode(NeedClosed.selector, needId, fulfilled, msg.sender)));
        emit NeedClosed(needId, fulfilled, msg.sender, seq, head);
    }

    function _emitShipmentDispatched(bytes32 shipmentId, bytes32 fromSite, bytes32 toSite, uint32 count) private {
        (uint64 seq, bytes32 head) = _sequence(
            keccak256(abi.encode(ShipmentDispatched.selector, shipmentId, fromSite, toSite, count, msg.sender))
        );
        emit ShipmentDispatched(shipmentId, fromSite, toSite, count, msg.sender, seq, head);
    }

    function _emitShipmentLineDispatched(bytes32 shipmentId, bytes32 lotId, uint32 index, uint128 quantity) private {
        (uint64 seq, bytes32 head) =
            _sequence(keccak256(abi.encode(ShipmentLineDispatched.selector, shipmentId, lotId, index, quantity)));
        emit ShipmentLineDispatched(shipmentId, lotId, index, quantity, seq, head);
    }

    function _emitShipmentLineReceived(
        bytes32 shipmentId,
        bytes32 newLot,
        uint32 lineIndex,
        uint128 received,
        uint128 declared,
        DiscrepancyReason reason
    ) private {
        (uint64 seq, bytes32 head) = _sequence(
            keccak256(
                abi.encode(
                    ShipmentLineReceived.selector, shipmentId, newLot, msg.sender, lineIndex, received, declared, reason
                )
            )
        );
        emit ShipmentLineReceived(shipmentId, newLot, msg.sender, lineIndex, received, declared, reason, seq, head);
    }

    function _emitShipmentCompleted(bytes32 shipmentId) private {
        (uint64 seq, bytes32 head) = _sequence(keccak256(abi.encode(ShipmentCompleted.selector, shipmentId)));
        emit ShipmentCompleted(shipmentId, seq, head);
    }

    function _emitHandedOver(
        bytes32 handOverId,
        bytes32 lotId,
        bytes32 needId,
        uint128 quantity,
        uint32 beneficiaries,
        BeneficiaryUnit unit
    ) private {
        (uint64 seq, bytes32 head) = _sequence(
            keccak256(
                abi.encode(HandedOver.selector, handOverId, lotId, needId, quantity, beneficiaries, unit, msg.sender)
            )
        );
        emit HandedOver(handOverId, lotId, needId, quantity, beneficiaries, unit, msg.sender, seq, head);
    }

    function _emitLotAdjusted(bytes32 adjustmentId, bytes32 lotId, int128 delta, AdjustmentReason reason) private {
        (uint64 seq, bytes32 head) =
            _sequence(keccak256(abi.encode(LotAdjusted.selector, adjustmentId, lotId, msg.sender, delta, reason)));
        emit LotAdjusted(adjustmentId, lotId, msg.sender, delta, reason, seq, head);
    }
}

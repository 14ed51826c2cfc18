// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @title ISupplyLedger
/// @notice Goods: lots created by in-kind gifts, purchases and receipts; shipments of lots between
/// sites; needs of recipient sites; hand-overs to beneficiaries; adjustments. Laws: per lot,
/// `created = shipped + onHand + handedOver + adjustedOut` (adjustedOut is signed: a positive
/// count correction is a negative removal); per shipment line, `dispatched = received + declared`.
/// Only a site's operators move its stock. Beneficiaries are counts, never names.
interface ISupplyLedger {
    /*//////////////////////////////////////////////////////////////
                                 TYPES
    //////////////////////////////////////////////////////////////*/

    /// @notice How a lot came to exist.
    enum LotOrigin {
        None,
        InKindGift,
        Purchase,
        Receipt
    }

    /// @notice Why a shipped quantity was not received.
    enum DiscrepancyReason {
        None,
        Damaged,
        Lost,
        Short,
        Expired,
        Refused
    }

    /// @notice Why a lot's quantity changed in place.
    enum AdjustmentReason {
        None,
        Expired,
        Damaged,
        CountCorrection
    }

    /// @notice What a hand-over's beneficiary count counts.
    enum BeneficiaryUnit {
        None,
        People,
        Households
    }

    /// @notice One in-kind gift: it creates lot `lotId` of `quantity` units of `itemId` at warehouse `siteId`.
    struct InKindInput {
        bytes32 giftId;
        bytes32 lotId;
        bytes32 itemId;
        bytes32 siteId;
        uint128 quantity;
        bytes32 batch;
        uint64 expiry;
        bytes32 donorCommitment;
        bytes32 evidenceHash;
        string publicName;
    }

    /// @notice One purchase: it spends `amount` of an allocation and creates lot `lotId`.
    struct PurchaseInput {
        bytes32 purchaseId;
        bytes32 allocationId;
        bytes32 supplierId;
        uint128 amount;
        bytes32 invoiceHash;
        bytes32 lotId;
        bytes32 itemId;
        bytes32 siteId;
        uint128 quantity;
        bytes32 batch;
        uint64 expiry;
    }

    /// @notice One dispatched shipment line.
    struct DispatchLine {
        bytes32 lotId;
        uint128 quantity;
    }

    /// @notice The receipt of one shipment line: what arrived, and why the rest did not.
    struct ReceiptLine {
        uint32 lineIndex;
        uint128 received;
        DiscrepancyReason reason;
    }

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice An id of zero was given.
    error SupplyLedgerZeroId();
    /// @notice `id` was already used; a retried write is refused and changes nothing.
    error SupplyLedgerDuplicateId(bytes32 id);
    /// @notice A quantity of zero was given.
    error SupplyLedgerZeroQuantity();
    /// @notice A batch or a shipment had no entries.
    error SupplyLedgerEmptyBatch();
    /// @notice The site does not exist or is of the wrong kind for this operation.
    error SupplyLedgerInvalidSite(bytes32 siteId, uint8 kind);
    /// @notice The item is not in the catalogue.
    error SupplyLedgerUnknownItem(bytes32 itemId);
    /// @notice The supplier organisation is not registered.
    error SupplyLedgerUnknownSupplier(bytes32 supplierId);
    /// @notice The donor commitment is zero.
    error SupplyLedgerMissingDonorCommitment(bytes32 giftId);
    /// @notice No lot `lotId` exists.
    error SupplyLedgerUnknownLot(bytes32 lotId);
    /// @notice Lot `lotId` is at `lotSite`, not at `siteId`.
    error SupplyLedgerLotNotAtSite(bytes32 lotId, bytes32 lotSite, bytes32 siteId);
    /// @notice Lot `lotId` holds `available` units, fewer than `requested`.
    error SupplyLedgerInsufficientStock(bytes32 lotId, uint256 available, uint256 requested);
    /// @notice A shipment's origin and destination are the same site.
    error SupplyLedgerSameSite(bytes32 siteId);
    /// @notice No shipment `shipmentId` exists.
    error SupplyLedgerUnknownShipment(bytes32 shipmentId);
    /// @notice The shipment has no line `lineIndex` (it has `lineCount`).
    error SupplyLedgerUnknownLine(bytes32 shipmentId, uint32 lineIndex, uint32 lineCount);
    /// @notice Line `lineIndex` was already received or declared.
    error SupplyLedgerLineSettled(bytes32 shipmentId, uint32 lineIndex);
    /// @notice More was received (`received`) than was shipped (`shipped`).
    error SupplyLedgerOverReceipt(bytes32 shipmentId, uint32 lineIndex, uint256 shipped, uint256 received);
    /// @notice A difference of `declared` units needs a discrepancy reason.
    error SupplyLedgerMissingReason(bytes32 shipmentId, uint32 lineIndex, uint256 declared);
    /// @notice A reason was given for a line received in full.
    error SupplyLedgerUnexpectedReason(bytes32 shipmentId, uint32 lineIndex);
    /// @notice No need `needId` exists.
    error SupplyLedgerUnknownNeed(bytes32 needId);
    /// @notice The need is closed.
    error SupplyLedgerNeedClosed(bytes32 needId);
    /// @notice The need is for another site or item than the lot handed over.
    error SupplyLedgerNeedMismatch(bytes32 needId, bytes32 lotId);
    /// @notice The hand-over exceeds what the need still asks for.
    error SupplyLedgerNeedExceeded(bytes32 needId, uint256 remaining, uint256 requested);
    /// @notice An enum argument (reason, unit, priority) is out of range or inconsistent.
    error SupplyLedgerInvalidReason(uint8 reason);
    /// @notice The adjustment's sign does not fit its reason (expiry and damage only remove).
    error SupplyLedgerInvalidAdjustment(AdjustmentReason reason, int256 delta);
    /// @notice A need's deadline is in the past.
    error SupplyLedgerDeadlinePassed(uint64 deadline, uint64 now_);

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice A lot came into existence at a site with `quantity` units.
    /// @param originId The in-kind gift, purchase or shipment that created it.
    /// @param parentLotId For receipts, the lot the goods were shipped from; zero otherwise.
    event LotCreated(
        bytes32 indexed lotId,
        bytes32 indexed itemId,
        bytes32 indexed siteId,
        uint128 quantity,
        bytes32 batch,
        uint64 expiry,
        LotOrigin origin,
        bytes32 originId,
        bytes32 parentLotId,
        address actor,
        uint64 seq,
        bytes32 head
    );
    /// @notice An in-kind gift was received as lot `lotId` (its LotCreated event follows).
    event InKindGiftRecorded(
        bytes32 indexed giftId,
        bytes32 indexed lotId,
        address indexed actor,
        bytes32 donorCommitment,
        bytes32 evidenceHash,
        string publicName,
        uint64 seq,
        bytes32 head
    );
    /// @notice Goods were bought from `supplierId` with allocated money (its LotCreated event follows).
    event PurchaseRecorded(
        bytes32 indexed purchaseId,
        bytes32 indexed allocationId,
        bytes32 indexed lotId,
        bytes32 supplierId,
        uint128 amount,
        bytes32 invoiceHash,
        address actor,
        uint64 seq,
        bytes32 head
    );
    /// @notice A recipient site asked for `quantity` of an item.
    event NeedPosted(
        bytes32 indexed needId,
        bytes32 indexed siteId,
        bytes32 indexed itemId,
        uint128 quantity,
        uint8 priority,
        uint64 deadline,
        address actor,
        uint64 seq,
        bytes32 head
    );
    /// @notice A need was closed, by hand or by being fulfilled in full.
    event NeedClosed(bytes32 indexed needId, uint128 fulfilled, address indexed actor, uint64 seq, bytes32 head);
    /// @notice A shipment of `lineCount` lines left `fromSite` for `toSite`.
    event ShipmentDispatched(
        bytes32 indexed shipmentId,
        bytes32 indexed fromSite,
        bytes32 indexed toSite,
        uint32 lineCount,
        address actor,
        uint64 seq,
        bytes32 head
    );
    /// @notice Line `lineIndex` of a shipment took `quantity` units out of lot `lotId`.
    event ShipmentLineDispatched(
        bytes32 indexed shipmentId, bytes32 indexed lotId, uint32 lineIndex, uint128 quantity, uint64 seq, bytes32 head
    );
    /// @notice Line `lineIndex` was settled: `received` units became lot `lotId` at the destination
    /// (zero when nothing arrived) and `declared` units left the ledger for `reason`.
    event ShipmentLineReceived(
        bytes32 indexed shipmentId,
        bytes32 indexed lotId,
        address indexed actor,
        uint32 lineIndex,
        uint128 received,
        uint128 declared,
        DiscrepancyReason reason,
        uint64 seq,
        bytes32 head
    );
    /// @notice Every line of the shipment is settled.
    event ShipmentCompleted(bytes32 indexed shipmentId, uint64 seq, bytes32 head);
    /// @notice `quantity` units of lot `lotId` went to `beneficiaries` people or households against a need.
    event HandedOver(
        bytes32 indexed handOverId,
        bytes32 indexed lotId,
        bytes32 indexed needId,
        uint128 quantity,
        uint32 beneficiaries,
        BeneficiaryUnit unit,
        address actor,
        uint64 seq,
        bytes32 head
    );
    /// @notice Lot `lotId` changed in place by `delta` units for `reason`.
    event LotAdjusted(
        bytes32 indexed adjustmentId,
        bytes32 indexed lotId,
        address indexed actor,
        int128 delta,
        AdjustmentReason reason,
        uint64 seq,
        bytes32 head
    );

    /*//////////////////////////////////////////////////////////////
                                FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @notice Records an in-kind gift into a warehouse. Intake only.
    function recordInKindGift(InKindInput calldata gift) external;

    /// @notice Records many in-kind gifts; any refusal reverts the whole batch. Intake only.
    function recordInKindGifts(InKindInput[] calldata gifts) external;

    /// @notice Records a purchase funded by an allocation. Coordinator only.
    function recordPurchase(PurchaseInput calldata purchase) external;

    /// @notice Posts a need for a recipient site. The site's operator or a coordinator.
    function postNeed(bytes32 needId, bytes32 siteId, bytes32 itemId, uint128 quantity, uint8 priority, uint64 deadline)
        external;

    /// @notice Closes an open need. The site's operator or a coordinator.
    function closeNeed(bytes32 needId) external;

    /// @notice Dispatches lots of `fromSite` to `toSite`. Operator of `fromSite` only.
    function dispatchShipment(bytes32 shipmentId, bytes32 fromSite, bytes32 toSite, DispatchLine[] calldata lines)
        external;

    /// @notice Receives lines of a shipment, declaring any difference with a reason. Operator of the destination only.
    function receiveShipment(bytes32 shipmentId, ReceiptLine[] calldata lines) external;

    /// @notice Hands over units of a lot at a recipient site against a need. Operator of the lot's site only.
    function recordHandOver(
        bytes32 handOverId,
        bytes32 lotId,
        bytes32 needId,
        uint128 quantity,
        uint32 beneficiaries,
        BeneficiaryUnit unit
    ) external;

    /// @notice Adjusts a lot for expiry, damage or a count correction. Operator of the lot's site only.
    function recordAdjustment(bytes32 adjustmentId, bytes32 lotId, int128 delta, AdjustmentReason reason) external;

    /// @notice A lot: item, site, units on hand (exists when item is non-zero).
    function lot(bytes32 lotId) external view returns (bytes32 itemId, bytes32 siteId, uint128 onHand);

    /// @notice A need: site, item, quantity asked, quantity fulfilled, whether open.
    function need(bytes32 needId)
        external
        view
        returns (bytes32 siteId, bytes32 itemId, uint128 quantity, uint128 fulfilled, bool open);

    /// @notice The site and item of a need (zero site when unknown).
    function needTarget(bytes32 needId) external view returns (bytes32 siteId, bytes32 itemId);

    /// @notice A shipment: origin, destination, line count and lines still open.
    function shipment(bytes32 shipmentId)
        external
        view
        returns (bytes32 fromSite, bytes32 toSite, uint32 lineCount, uint32 openLines);

    /// @notice A shipment line: source lot, quantity shipped, whether settled.
    function shipmentLine(bytes32 shipmentId, uint32 lineIndex)
        external
        view
        returns (bytes32 lotId, uint128 quantity, bool settled);

    /// @notice The id of the lot a received line creates: keccak256(abi.encode(shipmentId, lineIndex)).
    function receiptLotId(bytes32 shipmentId, uint32 lineIndex) external pure returns (bytes32);
}

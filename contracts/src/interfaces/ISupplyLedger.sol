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
    /// @param giftId Caller-chosen non-zero id, unique across every SupplyLedger id.
    /// @param lotId The new lot's non-zero id.
    /// @param itemId A catalogue item.
    /// @param siteId A warehouse.
    /// @param quantity Units, 1 to MAX_VALUE (2^63 - 1).
    /// @param batch The manufacturer's batch, or zero.
    /// @param expiry Unix time the goods expire, or zero.
    /// @param donorCommitment The donor's salted commitment; non-zero.
    /// @param evidenceHash Hash of the waybill or other evidence, kept off chain.
    /// @param publicName The donor's name when they opted in to show it, else empty.
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
    /// @param purchaseId Caller-chosen non-zero id.
    /// @param allocationId The allocation paying for it.
    /// @param supplierId A registered organisation.
    /// @param amount Minor units paid, 1 to what the allocation has left.
    /// @param invoiceHash Hash of the invoice, kept off chain.
    /// @param lotId The new lot's non-zero id.
    /// @param itemId A catalogue item (its category must fit a Category earmark).
    /// @param siteId Any registered site receiving the goods.
    /// @param quantity Units bought, 1 to MAX_VALUE.
    /// @param batch The manufacturer's batch, or zero.
    /// @param expiry Unix time the goods expire, or zero.
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
    /// @param lotId A lot at the origin site.
    /// @param quantity Units taken out of it, 1 to its units on hand.
    struct DispatchLine {
        bytes32 lotId;
        uint128 quantity;
    }

    /// @notice The receipt of one shipment line: what arrived, and why the rest did not.
    /// @param lineIndex The line (0-based).
    /// @param received Units that arrived, 0 to the units shipped.
    /// @param reason A {DiscrepancyReason} value (0-5): None exactly when everything arrived.
    struct ReceiptLine {
        uint32 lineIndex;
        uint128 received;
        uint8 reason;
    }

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice An id of zero was given.
    error SupplyLedgerZeroId();
    /// @notice `id` was already used; a retried write is refused and changes nothing.
    /// @param id The id already used.
    error SupplyLedgerDuplicateId(bytes32 id);
    /// @notice A quantity of zero was given (lot, need, shipment line or hand-over).
    error SupplyLedgerZeroQuantity();
    /// @notice A quantity is above the cap every quantity shares (2^63 - 1, the mirror's BIGINT).
    /// @param quantity The quantity given (for an adjustment, its magnitude).
    /// @param max The largest quantity accepted.
    error SupplyLedgerQuantityTooLarge(uint256 quantity, uint256 max);
    /// @notice A lot's inflow (its creation plus positive count corrections) would pass the cap.
    /// @param lotId The lot.
    /// @param total Its inflow before this write.
    /// @param quantity The units this write adds.
    /// @param max The largest total accepted.
    error SupplyLedgerTotalTooLarge(bytes32 lotId, uint256 total, uint256 quantity, uint256 max);
    /// @notice A batch or a shipment had no entries.
    error SupplyLedgerEmptyBatch();
    /// @notice The site does not exist or is of the wrong kind for this operation.
    /// @param siteId The site given.
    /// @param kind Its actual kind (0 when unknown).
    error SupplyLedgerInvalidSite(bytes32 siteId, uint8 kind);
    /// @notice The item is not in the catalogue.
    /// @param itemId The item given.
    error SupplyLedgerUnknownItem(bytes32 itemId);
    /// @notice The supplier organisation is not registered.
    /// @param supplierId The organisation given.
    error SupplyLedgerUnknownSupplier(bytes32 supplierId);
    /// @notice The donor commitment is zero.
    /// @param giftId The gift without a commitment.
    error SupplyLedgerMissingDonorCommitment(bytes32 giftId);
    /// @notice No lot `lotId` exists.
    /// @param lotId The lot given.
    error SupplyLedgerUnknownLot(bytes32 lotId);
    /// @notice Lot `lotId` is at `lotSite`, not at `siteId`.
    /// @param lotId The lot.
    /// @param lotSite Where it is.
    /// @param siteId Where it was expected.
    error SupplyLedgerLotNotAtSite(bytes32 lotId, bytes32 lotSite, bytes32 siteId);
    /// @notice Lot `lotId` holds `available` units, fewer than `requested`.
    /// @param lotId The lot.
    /// @param available Its units on hand.
    /// @param requested The units asked for.
    error SupplyLedgerInsufficientStock(bytes32 lotId, uint256 available, uint256 requested);
    /// @notice A shipment's origin and destination are the same site.
    /// @param siteId The site.
    error SupplyLedgerSameSite(bytes32 siteId);
    /// @notice No shipment `shipmentId` exists.
    /// @param shipmentId The shipment given.
    error SupplyLedgerUnknownShipment(bytes32 shipmentId);
    /// @notice The shipment has no line `lineIndex` (it has `lineCount`).
    /// @param shipmentId The shipment.
    /// @param lineIndex The line asked for.
    /// @param lineCount How many lines it has.
    error SupplyLedgerUnknownLine(bytes32 shipmentId, uint32 lineIndex, uint32 lineCount);
    /// @notice Line `lineIndex` was already received or declared.
    /// @param shipmentId The shipment.
    /// @param lineIndex The line.
    error SupplyLedgerLineSettled(bytes32 shipmentId, uint32 lineIndex);
    /// @notice More was received (`received`) than was shipped (`shipped`).
    /// @param shipmentId The shipment.
    /// @param lineIndex The line.
    /// @param shipped Units shipped on it.
    /// @param received Units said to have arrived.
    error SupplyLedgerOverReceipt(bytes32 shipmentId, uint32 lineIndex, uint256 shipped, uint256 received);
    /// @notice A difference of `declared` units needs a discrepancy reason.
    /// @param shipmentId The shipment.
    /// @param lineIndex The line.
    /// @param declared Units shipped but not received.
    error SupplyLedgerMissingReason(bytes32 shipmentId, uint32 lineIndex, uint256 declared);
    /// @notice A reason was given for a line received in full.
    /// @param shipmentId The shipment.
    /// @param lineIndex The line.
    error SupplyLedgerUnexpectedReason(bytes32 shipmentId, uint32 lineIndex);
    /// @notice No need `needId` exists.
    /// @param needId The need given.
    error SupplyLedgerUnknownNeed(bytes32 needId);
    /// @notice The need is closed.
    /// @param needId The need.
    error SupplyLedgerNeedClosed(bytes32 needId);
    /// @notice The need is for another site or item than the lot handed over.
    /// @param needId The need.
    /// @param lotId The lot.
    error SupplyLedgerNeedMismatch(bytes32 needId, bytes32 lotId);
    /// @notice The hand-over exceeds what the need still asks for.
    /// @param needId The need.
    /// @param remaining Units it still asks for.
    /// @param requested Units handed over.
    error SupplyLedgerNeedExceeded(bytes32 needId, uint256 remaining, uint256 requested);
    /// @notice A discrepancy or adjustment reason is out of range (or None for an adjustment).
    /// @param reason The value given.
    error SupplyLedgerInvalidReason(uint8 reason);
    /// @notice A beneficiary unit is not People (1) or Households (2).
    /// @param unit The value given.
    error SupplyLedgerInvalidUnit(uint8 unit);
    /// @notice A need priority is above 3.
    /// @param priority The value given.
    error SupplyLedgerInvalidPriority(uint8 priority);
    /// @notice A hand-over counted no beneficiaries.
    error SupplyLedgerZeroBeneficiaries();
    /// @notice The adjustment's delta is zero, or its sign does not fit its reason (expiry and
    /// damage only remove).
    /// @param reason The reason given.
    /// @param delta The change given.
    error SupplyLedgerInvalidAdjustment(AdjustmentReason reason, int256 delta);
    /// @notice A need's deadline is in the past.
    /// @param deadline The deadline given.
    /// @param now_ The block's timestamp.
    error SupplyLedgerDeadlinePassed(uint64 deadline, uint64 now_);

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice A lot came into existence at a site with `quantity` units.
    /// @param lotId The lot.
    /// @param itemId Its item.
    /// @param siteId Where it is.
    /// @param quantity Units it starts with.
    /// @param batch The manufacturer's batch, or zero.
    /// @param expiry Unix time the goods expire, or zero.
    /// @param origin How it came to exist.
    /// @param originId The in-kind gift, purchase or shipment that created it.
    /// @param parentLotId For receipts, the lot the goods were shipped from; zero otherwise.
    /// @param actor Who recorded the write that created it.
    /// @param seq Global sequence number.
    /// @param head Ledger head after this event.
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
    /// @param giftId The gift.
    /// @param lotId The lot it created.
    /// @param actor The intake clerk.
    /// @param donorCommitment The donor's salted commitment.
    /// @param evidenceHash Hash of the off-chain evidence.
    /// @param publicName The donor's name if they opted in, else empty.
    /// @param seq Global sequence number.
    /// @param head Ledger head after this event.
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
    /// @param purchaseId The purchase.
    /// @param allocationId The allocation that paid.
    /// @param lotId The lot it created.
    /// @param supplierId The supplier organisation.
    /// @param amount Minor units paid.
    /// @param invoiceHash Hash of the invoice.
    /// @param actor The coordinator.
    /// @param seq Global sequence number.
    /// @param head Ledger head after this event.
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
    /// @param needId The need.
    /// @param siteId The recipient site.
    /// @param itemId The item asked for.
    /// @param quantity Units asked for.
    /// @param priority 0 (lowest) to 3 (most urgent).
    /// @param deadline Unix time it is needed by, or zero.
    /// @param actor The site operator or coordinator.
    /// @param seq Global sequence number.
    /// @param head Ledger head after this event.
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
    /// @param needId The need.
    /// @param fulfilled Units handed over against it.
    /// @param actor Who closed it, or whose hand-over fulfilled it.
    /// @param seq Global sequence number.
    /// @param head Ledger head after this event.
    event NeedClosed(bytes32 indexed needId, uint128 fulfilled, address indexed actor, uint64 seq, bytes32 head);
    /// @notice A shipment of `lineCount` lines left `fromSite` for `toSite`.
    /// @param shipmentId The shipment.
    /// @param fromSite Origin.
    /// @param toSite Destination.
    /// @param lineCount Its lines (one ShipmentLineDispatched each follows).
    /// @param actor The origin's operator.
    /// @param seq Global sequence number.
    /// @param head Ledger head after this event.
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
    /// @param shipmentId The shipment.
    /// @param lotId The source lot.
    /// @param lineIndex The line (0-based).
    /// @param quantity Units shipped.
    /// @param seq Global sequence number.
    /// @param head Ledger head after this event.
    event ShipmentLineDispatched(
        bytes32 indexed shipmentId, bytes32 indexed lotId, uint32 lineIndex, uint128 quantity, uint64 seq, bytes32 head
    );
    /// @notice Line `lineIndex` was settled: `received` units became lot `lotId` at the destination
    /// (zero when nothing arrived) and `declared` units left the ledger for `reason`.
    /// @param shipmentId The shipment.
    /// @param lotId The new lot at the destination, or zero.
    /// @param actor The destination's operator.
    /// @param lineIndex The line.
    /// @param received Units that arrived.
    /// @param declared Units shipped but not received.
    /// @param reason Why `declared` is not zero (None when it is).
    /// @param seq Global sequence number.
    /// @param head Ledger head after this event.
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
    /// @param shipmentId The shipment.
    /// @param seq Global sequence number.
    /// @param head Ledger head after this event.
    event ShipmentCompleted(bytes32 indexed shipmentId, uint64 seq, bytes32 head);
    /// @notice `quantity` units of lot `lotId` went to `beneficiaries` people or households against a need.
    /// @param handOverId The hand-over.
    /// @param lotId The lot taken from.
    /// @param needId The need served.
    /// @param quantity Units handed over.
    /// @param beneficiaries How many people or households (at least one).
    /// @param unit What `beneficiaries` counts.
    /// @param actor The site operator.
    /// @param seq Global sequence number.
    /// @param head Ledger head after this event.
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
    /// @param adjustmentId The adjustment.
    /// @param lotId The lot.
    /// @param actor The site operator.
    /// @param delta Units added (positive, count corrections only) or removed (negative).
    /// @param reason Why.
    /// @param seq Global sequence number.
    /// @param head Ledger head after this event.
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
    /// @param gift The gift; see {InKindInput}.
    function recordInKindGift(InKindInput calldata gift) external;

    /// @notice Records many in-kind gifts; any refusal reverts the whole batch. Intake only.
    /// @param gifts At least one gift.
    function recordInKindGifts(InKindInput[] calldata gifts) external;

    /// @notice Records a purchase funded by an allocation. Coordinator only.
    /// @param purchase The purchase; see {PurchaseInput}.
    function recordPurchase(PurchaseInput calldata purchase) external;

    /// @notice Posts a need for a recipient site. The site's operator or a coordinator.
    /// @param needId Caller-chosen non-zero id.
    /// @param siteId A recipient site.
    /// @param itemId A catalogue item.
    /// @param quantity Units asked for, 1 to MAX_VALUE.
    /// @param priority 0 (lowest) to 3 (most urgent).
    /// @param deadline Unix time, not in the past, or zero for none.
    function postNeed(bytes32 needId, bytes32 siteId, bytes32 itemId, uint128 quantity, uint8 priority, uint64 deadline)
        external;

    /// @notice Closes an open need. The site's operator or a coordinator.
    /// @param needId An open need.
    function closeNeed(bytes32 needId) external;

    /// @notice Dispatches lots of `fromSite` to `toSite`. Operator of `fromSite` only.
    /// @param shipmentId Caller-chosen non-zero id.
    /// @param fromSite Origin; every line's lot must be there.
    /// @param toSite Any other registered site.
    /// @param lines At least one line.
    function dispatchShipment(bytes32 shipmentId, bytes32 fromSite, bytes32 toSite, DispatchLine[] calldata lines)
        external;

    /// @notice Receives lines of a shipment, declaring any difference with a reason. Operator of the destination only.
    /// @param shipmentId The shipment.
    /// @param lines At least one unsettled line.
    function receiveShipment(bytes32 shipmentId, ReceiptLine[] calldata lines) external;

    /// @notice Hands over units of a lot at a recipient site against a need. Operator of the lot's site only.
    /// @param handOverId Caller-chosen non-zero id.
    /// @param lotId A lot at a recipient site.
    /// @param needId An open need of that site for the lot's item.
    /// @param quantity Units, 1 to the lesser of the lot's units on hand and the need's remainder.
    /// @param beneficiaries How many people or households received them (at least one).
    /// @param unit A {BeneficiaryUnit} value: People (1) or Households (2).
    function recordHandOver(
        bytes32 handOverId,
        bytes32 lotId,
        bytes32 needId,
        uint128 quantity,
        uint32 beneficiaries,
        uint8 unit
    ) external;

    /// @notice Adjusts a lot for expiry, damage or a count correction. Operator of the lot's site only.
    /// @param adjustmentId Caller-chosen non-zero id.
    /// @param lotId The lot.
    /// @param delta Non-zero change; negative removes (at most the units on hand), positive adds
    /// (CountCorrection only; the lot's inflow stays at most MAX_VALUE).
    /// @param reason An {AdjustmentReason} value: Expired (1), Damaged (2) or CountCorrection (3).
    function recordAdjustment(bytes32 adjustmentId, bytes32 lotId, int128 delta, uint8 reason) external;

    /// @notice A lot: item, site, units on hand (exists when item is non-zero).
    /// @param lotId The lot.
    /// @return itemId Its item (zero when unknown).
    /// @return siteId Where it is.
    /// @return onHand Units on hand.
    function lot(bytes32 lotId) external view returns (bytes32 itemId, bytes32 siteId, uint128 onHand);

    /// @notice A need: site, item, quantity asked, quantity fulfilled, whether open.
    /// @param needId The need.
    /// @return siteId Its site (zero when unknown).
    /// @return itemId Its item.
    /// @return quantity Units asked for.
    /// @return fulfilled Units handed over against it.
    /// @return open Whether it is open.
    function need(bytes32 needId)
        external
        view
        returns (bytes32 siteId, bytes32 itemId, uint128 quantity, uint128 fulfilled, bool open);

    /// @notice The site and item of a need (zero site when unknown).
    /// @param needId The need.
    /// @return siteId Its site.
    /// @return itemId Its item.
    function needTarget(bytes32 needId) external view returns (bytes32 siteId, bytes32 itemId);

    /// @notice A shipment: origin, destination, line count and lines still open.
    /// @param shipmentId The shipment.
    /// @return fromSite Origin.
    /// @return toSite Destination.
    /// @return lineCount Lines dispatched (zero when unknown).
    /// @return openLines Lines not yet settled.
    function shipment(bytes32 shipmentId)
        external
        view
        returns (bytes32 fromSite, bytes32 toSite, uint32 lineCount, uint32 openLines);

    /// @notice A shipment line: source lot, quantity shipped, whether settled.
    /// @param shipmentId The shipment.
    /// @param lineIndex The line.
    /// @return lotId The source lot.
    /// @return quantity Units shipped.
    /// @return settled Whether it was received or declared.
    function shipmentLine(bytes32 shipmentId, uint32 lineIndex)
        external
        view
        returns (bytes32 lotId, uint128 quantity, bool settled);

    /// @notice The id of the lot a received line creates: keccak256(abi.encode(shipmentId, lineIndex)).
    /// @param shipmentId The shipment.
    /// @param lineIndex The line.
    /// @return The lot id.
    function receiptLotId(bytes32 shipmentId, uint32 lineIndex) external pure returns (bytes32);
}

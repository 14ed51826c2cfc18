// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @title IFundLedger
/// @notice Money: gifts into pools, pledges, allocations out of pools, and spending of
/// allocations by purchases (recorded through the supply ledger). A pool is one currency and one
/// earmark; its law is `received = allocated + available`, where `allocated` is net of releases.
/// Amounts are integer minor units of an ISO 4217 currency. Donors appear only as salted
/// commitments; a public name is recorded only when the donor opted in.
interface IFundLedger {
    /*//////////////////////////////////////////////////////////////
                                 TYPES
    //////////////////////////////////////////////////////////////*/

    /// @notice What an earmark restricts. `Purpose`: allocations must name the same purpose code.
    /// `Region`: allocations must serve a need at a site in that region (earmark = bytes32(bytes8 region)).
    /// `Category`: allocations must serve a need for, and purchases must buy, items of that category.
    enum EarmarkKind {
        None,
        Purpose,
        Region,
        Category
    }

    /// @notice One money gift. `pledgeId` is zero unless the gift pays a pledge.
    /// @param giftId Caller-chosen non-zero id, unique among money gifts.
    /// @param currency ISO 4217 code, three upper-case ASCII letters.
    /// @param amount Integer minor units, 1 to MAX_VALUE (2^63 - 1).
    /// @param earmarkKind An {EarmarkKind} value (0-3), as uint8 so that an out-of-range value is
    /// refused with `FundLedgerInvalidEarmarkKind` rather than an empty revert.
    /// @param earmark Zero when `earmarkKind` is None, non-zero otherwise.
    /// @param evidenceHash Hash of the bank line or receipt, kept off chain.
    /// @param donorCommitment keccak256(abi.encode(salt, reference)); non-zero.
    /// @param pledgeId The pledge this gift pays, or zero.
    /// @param publicName The donor's name when they opted in to show it, else empty.
    struct GiftInput {
        bytes32 giftId;
        bytes3 currency;
        uint128 amount;
        uint8 earmarkKind;
        bytes32 earmark;
        bytes32 evidenceHash;
        bytes32 donorCommitment;
        bytes32 pledgeId;
        string publicName;
    }

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice An id of zero was given.
    error FundLedgerZeroId();
    /// @notice `id` was already used; a retried write is refused and changes nothing.
    /// @param id The id already recorded.
    error FundLedgerDuplicateId(bytes32 id);
    /// @notice An amount of zero was given (gift, pledge, allocation or purchase).
    error FundLedgerZeroAmount();
    /// @notice An amount is above the cap every amount shares (2^63 - 1, the mirror's BIGINT).
    /// @param amount The amount given.
    /// @param max The largest amount accepted.
    error FundLedgerAmountTooLarge(uint256 amount, uint256 max);
    /// @notice A running total (a pool's money received, a pledge's amount paid) would pass the cap.
    /// @param id The pool or pledge.
    /// @param total Its total before this write.
    /// @param amount The amount this write adds.
    /// @param max The largest total accepted.
    error FundLedgerTotalTooLarge(bytes32 id, uint256 total, uint256 amount, uint256 max);
    /// @notice `currency` is not three upper-case ASCII letters.
    /// @param currency The code given.
    error FundLedgerInvalidCurrency(bytes3 currency);
    /// @notice An earmark kind is not an {EarmarkKind} value (0-3).
    /// @param kind The value given.
    error FundLedgerInvalidEarmarkKind(uint8 kind);
    /// @notice The earmark is malformed (kind None with a value, or a kind with no value).
    /// @param kind The earmark kind given.
    /// @param earmark The earmark value given.
    error FundLedgerInvalidEarmark(EarmarkKind kind, bytes32 earmark);
    /// @notice The donor commitment is zero; every gift needs one so the donor can find it.
    /// @param giftId The gift or pledge without a commitment.
    error FundLedgerMissingDonorCommitment(bytes32 giftId);
    /// @notice A batch was empty.
    error FundLedgerEmptyBatch();
    /// @notice No pledge `pledgeId` exists.
    /// @param pledgeId The pledge named.
    error FundLedgerUnknownPledge(bytes32 pledgeId);
    /// @notice The gift's currency differs from the pledge's.
    /// @param pledgeId The pledge paid.
    /// @param pledged The pledge's currency.
    /// @param given The gift's currency.
    error FundLedgerPledgeCurrencyMismatch(bytes32 pledgeId, bytes3 pledged, bytes3 given);
    /// @notice The pool holds less than requested.
    /// @param poolId The pool.
    /// @param available What it holds unallocated.
    /// @param requested What was asked for.
    error FundLedgerInsufficientPool(bytes32 poolId, uint256 available, uint256 requested);
    /// @notice The allocation or purchase breaks the pool's earmark.
    /// @param poolId The pool.
    /// @param kind The pool's earmark kind.
    /// @param earmark The pool's earmark.
    /// @param given What the allocation or purchase targets (purpose, region or category).
    error FundLedgerEarmarkMismatch(bytes32 poolId, EarmarkKind kind, bytes32 earmark, bytes32 given);
    /// @notice No allocation `allocationId` exists.
    /// @param allocationId The allocation named.
    error FundLedgerUnknownAllocation(bytes32 allocationId);
    /// @notice The allocation has less unspent than requested (a release of nothing asks for 1).
    /// @param allocationId The allocation.
    /// @param remaining What is neither spent nor released.
    /// @param requested What was asked for.
    error FundLedgerInsufficientAllocation(bytes32 allocationId, uint256 remaining, uint256 requested);
    /// @notice Only the bound supply ledger may spend allocations.
    /// @param caller The account that called `spend`.
    error FundLedgerNotSupplyLedger(address caller);
    /// @notice The allocation names a need that does not exist.
    /// @param needId The need named.
    error FundLedgerUnknownNeed(bytes32 needId);

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice Money was received into pool `poolId` = keccak256(abi.encode(currency, earmarkKind, earmark)).
    /// @param giftId The gift.
    /// @param poolId The pool credited.
    /// @param actor The intake clerk who recorded it.
    /// @param currency ISO 4217 code.
    /// @param amount Minor units received.
    /// @param earmarkKind What the earmark restricts.
    /// @param earmark The earmark value (zero for None).
    /// @param evidenceHash Hash of the off-chain evidence.
    /// @param donorCommitment The donor's salted commitment.
    /// @param pledgeId The pledge paid, or zero.
    /// @param publicName The donor's name if they opted in, else empty.
    /// @param seq Global sequence number.
    /// @param head Ledger head after this event.
    event GiftRecorded(
        bytes32 indexed giftId,
        bytes32 indexed poolId,
        address indexed actor,
        bytes3 currency,
        uint128 amount,
        EarmarkKind earmarkKind,
        bytes32 earmark,
        bytes32 evidenceHash,
        bytes32 donorCommitment,
        bytes32 pledgeId,
        string publicName,
        uint64 seq,
        bytes32 head
    );
    /// @notice A donor promised money; counted apart from money received.
    /// @param pledgeId The pledge.
    /// @param actor The intake clerk who recorded it.
    /// @param currency ISO 4217 code.
    /// @param amount Minor units promised.
    /// @param earmarkKind What the earmark restricts.
    /// @param earmark The earmark value (zero for None).
    /// @param donorCommitment The donor's salted commitment.
    /// @param dueDate Unix time the money is expected, or zero.
    /// @param seq Global sequence number.
    /// @param head Ledger head after this event.
    event PledgeRecorded(
        bytes32 indexed pledgeId,
        address indexed actor,
        bytes3 currency,
        uint128 amount,
        EarmarkKind earmarkKind,
        bytes32 earmark,
        bytes32 donorCommitment,
        uint64 dueDate,
        uint64 seq,
        bytes32 head
    );
    /// @notice `amount` left pool `poolId` for a need (`needId`, or zero) and a purpose code.
    /// @param allocationId The allocation.
    /// @param poolId The pool debited.
    /// @param actor The coordinator.
    /// @param amount Minor units allocated.
    /// @param needId The need served, or zero.
    /// @param purpose The purpose code, or zero.
    /// @param seq Global sequence number.
    /// @param head Ledger head after this event.
    event FundsAllocated(
        bytes32 indexed allocationId,
        bytes32 indexed poolId,
        address indexed actor,
        uint128 amount,
        bytes32 needId,
        bytes32 purpose,
        uint64 seq,
        bytes32 head
    );
    /// @notice A purchase spent `amount` of an allocation.
    /// @param allocationId The allocation spent.
    /// @param purchaseId The purchase (its PurchaseRecorded event follows).
    /// @param actor The coordinator who recorded the purchase.
    /// @param amount Minor units spent.
    /// @param seq Global sequence number.
    /// @param head Ledger head after this event.
    event AllocationSpent(
        bytes32 indexed allocationId, bytes32 indexed purchaseId, address indexed actor, uint128 amount, uint64 seq, bytes32 head
    );
    /// @notice The unspent `amount` of an allocation went back to its pool.
    /// @param allocationId The allocation released.
    /// @param poolId The pool credited back.
    /// @param actor The coordinator.
    /// @param amount Minor units returned.
    /// @param seq Global sequence number.
    /// @param head Ledger head after this event.
    event AllocationReleased(bytes32 indexed allocationId, bytes32 indexed poolId, address indexed actor, uint128 amount, uint64 seq, bytes32 head);

    /*//////////////////////////////////////////////////////////////
                                FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @notice Records one money gift. Intake only.
    /// @param gift The gift; see {GiftInput}.
    function recordGift(GiftInput calldata gift) external;

    /// @notice Records many money gifts in one transaction; any refusal reverts the whole batch. Intake only.
    /// @param gifts At least one gift.
    function recordGifts(GiftInput[] calldata gifts) external;

    /// @notice Records a pledge. Intake only.
    /// @param pledgeId Caller-chosen non-zero id.
    /// @param currency ISO 4217 code.
    /// @param amount Minor units promised, 1 to MAX_VALUE.
    /// @param earmarkKind An {EarmarkKind} value (0-3).
    /// @param earmark Zero when `earmarkKind` is None, non-zero otherwise.
    /// @param donorCommitment The donor's salted commitment; non-zero.
    /// @param dueDate Unix time the money is expected, or zero (a past date is accepted: pledges
    /// may be recorded late).
    function recordPledge(
        bytes32 pledgeId,
        bytes3 currency,
        uint128 amount,
        uint8 earmarkKind,
        bytes32 earmark,
        bytes32 donorCommitment,
        uint64 dueDate
    ) external;

    /// @notice Allocates `amount` from the pool of (`currency`, `earmarkKind`, `earmark`). Coordinator only.
    /// @param allocationId Caller-chosen non-zero id.
    /// @param currency ISO 4217 code of the pool.
    /// @param earmarkKind An {EarmarkKind} value (0-3) of the pool.
    /// @param earmark The pool's earmark.
    /// @param amount Minor units, 1 to what the pool holds unallocated.
    /// @param needId A need the money serves, or zero.
    /// @param purpose A purpose code (e.g. keccak256("masks")), or zero.
    function allocateFunds(
        bytes32 allocationId,
        bytes3 currency,
        uint8 earmarkKind,
        bytes32 earmark,
        uint128 amount,
        bytes32 needId,
        bytes32 purpose
    ) external;

    /// @notice Returns the unspent remainder of an allocation to its pool. Coordinator only.
    /// @param allocationId An allocation with something left; releasing nothing is refused.
    function releaseAllocation(bytes32 allocationId) external;

    /// @notice Spends part of an allocation for a purchase. Only the bound supply ledger calls this.
    /// @param allocationId The allocation spent.
    /// @param purchaseId The purchase.
    /// @param amount Minor units, 1 to what the allocation has left.
    /// @param itemCategory Category of the purchased item, checked against a Category earmark.
    /// @param actor The coordinator who recorded the purchase.
    function spend(bytes32 allocationId, bytes32 purchaseId, uint128 amount, bytes32 itemCategory, address actor)
        external;

    /// @notice The pool id of a currency and earmark.
    /// @param currency ISO 4217 code.
    /// @param earmarkKind The earmark kind.
    /// @param earmark The earmark value.
    /// @return The pool id, keccak256(abi.encode(currency, earmarkKind, earmark)).
    function poolId(bytes3 currency, EarmarkKind earmarkKind, bytes32 earmark) external pure returns (bytes32);

    /// @notice Money received into and allocated (net of releases) out of a pool.
    /// @param poolId_ The pool.
    /// @return received Minor units received.
    /// @return allocated Minor units allocated, net of releases.
    function pool(bytes32 poolId_) external view returns (uint128 received, uint128 allocated);

    /// @notice A pledge: its currency, amount and amount paid so far.
    /// @param pledgeId The pledge.
    /// @return currency ISO 4217 code.
    /// @return amount Minor units promised (zero when unknown).
    /// @return paid Minor units paid by gifts naming it.
    function pledge(bytes32 pledgeId) external view returns (bytes3 currency, uint128 amount, uint128 paid);

    /// @notice An allocation: its pool, amount, spent and released.
    /// @param allocationId The allocation.
    /// @return poolId_ The pool it came from.
    /// @return amount Minor units allocated (zero when unknown).
    /// @return spent Minor units spent by purchases.
    /// @return released Minor units returned to the pool.
    function allocation(bytes32 allocationId)
        external
        view
        returns (bytes32 poolId_, uint128 amount, uint128 spent, uint128 released);

    /// @notice Whether a money gift with this id was recorded.
    /// @param giftId The gift.
    /// @return Whether it exists.
    function giftExists(bytes32 giftId) external view returns (bool);
}

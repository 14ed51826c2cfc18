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
    struct GiftInput {
        bytes32 giftId;
        bytes3 currency;
        uint128 amount;
        EarmarkKind earmarkKind;
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
    error FundLedgerDuplicateId(bytes32 id);
    /// @notice An amount of zero was given.
    error FundLedgerZeroAmount();
    /// @notice `currency` is not three upper-case ASCII letters.
    error FundLedgerInvalidCurrency(bytes3 currency);
    /// @notice The earmark is malformed (kind None with a value, or a kind with no value).
    error FundLedgerInvalidEarmark(EarmarkKind kind, bytes32 earmark);
    /// @notice The donor commitment is zero; every gift needs one so the donor can find it.
    error FundLedgerMissingDonorCommitment(bytes32 giftId);
    /// @notice A batch was empty.
    error FundLedgerEmptyBatch();
    /// @notice No pledge `pledgeId` exists.
    error FundLedgerUnknownPledge(bytes32 pledgeId);
    /// @notice The gift's currency differs from the pledge's.
    error FundLedgerPledgeCurrencyMismatch(bytes32 pledgeId, bytes3 pledged, bytes3 given);
    /// @notice The pool holds less than requested.
    error FundLedgerInsufficientPool(bytes32 poolId, uint256 available, uint256 requested);
    /// @notice The allocation breaks the pool's earmark: `given` is what the allocation targets.
    error FundLedgerEarmarkMismatch(bytes32 poolId, EarmarkKind kind, bytes32 earmark, bytes32 given);
    /// @notice No allocation `allocationId` exists.
    error FundLedgerUnknownAllocation(bytes32 allocationId);
    /// @notice The allocation has less unspent than requested.
    error FundLedgerInsufficientAllocation(bytes32 allocationId, uint256 remaining, uint256 requested);
    /// @notice Only the bound supply ledger may spend allocations.
    error FundLedgerNotSupplyLedger(address caller);
    /// @notice The allocation names a need that does not exist.
    error FundLedgerUnknownNeed(bytes32 needId);

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice Money was received into pool `poolId` = keccak256(abi.encode(currency, earmarkKind, earmark)).
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
    event AllocationSpent(
        bytes32 indexed allocationId, bytes32 indexed purchaseId, address indexed actor, uint128 amount, uint64 seq, bytes32 head
    );
    /// @notice The unspent `amount` of an allocation went back to its pool.
    event AllocationReleased(bytes32 indexed allocationId, bytes32 indexed poolId, address indexed actor, uint128 amount, uint64 seq, bytes32 head);

    /*//////////////////////////////////////////////////////////////
                                FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @notice Records one money gift. Intake only.
    function recordGift(GiftInput calldata gift) external;

    /// @notice Records many money gifts in one transaction; any refusal reverts the whole batch. Intake only.
    function recordGifts(GiftInput[] calldata gifts) external;

    /// @notice Records a pledge. Intake only.
    function recordPledge(
        bytes32 pledgeId,
        bytes3 currency,
        uint128 amount,
        EarmarkKind earmarkKind,
        bytes32 earmark,
        bytes32 donorCommitment,
        uint64 dueDate
    ) external;

    /// @notice Allocates `amount` from the pool of (`currency`, `earmarkKind`, `earmark`). Coordinator only.
    /// @param needId A need the money serves, or zero.
    /// @param purpose A purpose code (e.g. keccak256("masks")), or zero.
    function allocateFunds(
        bytes32 allocationId,
        bytes3 currency,
        EarmarkKind earmarkKind,
        bytes32 earmark,
        uint128 amount,
        bytes32 needId,
        bytes32 purpose
    ) external;

    /// @notice Returns the unspent remainder of an allocation to its pool. Coordinator only.
    function releaseAllocation(bytes32 allocationId) external;

    /// @notice Spends part of an allocation for a purchase. Only the bound supply ledger calls this.
    /// @param itemCategory Category of the purchased item, checked against a Category earmark.
    /// @param actor The coordinator who recorded the purchase.
    function spend(bytes32 allocationId, bytes32 purchaseId, uint128 amount, bytes32 itemCategory, address actor)
        external;

    /// @notice The pool id of a currency and earmark.
    function poolId(bytes3 currency, EarmarkKind earmarkKind, bytes32 earmark) external pure returns (bytes32);

    /// @notice Money received into and allocated (net of releases) out of a pool.
    function pool(bytes32 poolId_) external view returns (uint128 received, uint128 allocated);

    /// @notice A pledge: its currency, amount and amount paid so far.
    function pledge(bytes32 pledgeId) external view returns (bytes3 currency, uint128 amount, uint128 paid);

    /// @notice An allocation: its pool, amount, spent and released.
    function allocation(bytes32 allocationId)
        external
        view
        returns (bytes32 poolId_, uint128 amount, uint128 spent, uint128 released);

    /// @notice Whether a money gift with this id was recorded.
    function giftExists(bytes32 giftId) external view returns (bool);
}

// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @title IAidRegistry
/// @notice The hub of an AidLedger deployment: roles, the emergency pause, organisations, sites,
/// the item catalogue, audit attestations and the global event sequencer. Every AidLedger event
/// (in this contract and in the ledgers bound to it) carries a gapless `seq` and a running
/// `head = keccak256(abi.encode(previousHead, seq, emitter, payloadHash))`, where
/// `payloadHash = keccak256(abi.encode(topic0, <every event argument except seq and head>))`.
/// A third party holding only the ABIs and `eth_getLogs` can therefore detect a missing,
/// reordered or altered event.
interface IAidRegistry {
    /*//////////////////////////////////////////////////////////////
                                 TYPES
    //////////////////////////////////////////////////////////////*/

    /// @notice What a site is used for. Warehouses take intake; recipients post needs and hand over.
    enum SiteKind {
        None,
        Warehouse,
        Recipient
    }

    /// @notice What an organisation is.
    enum OrgKind {
        None,
        ReliefAgency,
        Hospital,
        Community,
        Supplier,
        Government,
        Other
    }

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice An id of zero was given; ids are caller-chosen non-zero bytes32.
    error AidRegistryZeroId();
    /// @notice `id` is already registered; a retried write with the same id is refused.
    error AidRegistryDuplicateId(bytes32 id);
    /// @notice No organisation `orgId` is registered.
    error AidRegistryUnknownOrganisation(bytes32 orgId);
    /// @notice No site `siteId` is registered.
    error AidRegistryUnknownSite(bytes32 siteId);
    /// @notice No item `itemId` is in the catalogue.
    error AidRegistryUnknownItem(bytes32 itemId);
    /// @notice `kind` is not a valid enum value for this entity.
    error AidRegistryInvalidKind(uint8 kind);
    /// @notice A required text field (name, unit) was empty.
    error AidRegistryEmptyText();
    /// @notice `caller` is not one of the ledgers bound to this registry.
    error AidRegistryNotLedger(address caller);
    /// @notice The ledgers were already bound; a deployment binds them exactly once.
    error AidRegistryLedgersAlreadyBound();
    /// @notice A ledger address was zero.
    error AidRegistryZeroAddress();
    /// @notice An attestation's block range is empty or reaches past the current block.
    error AidRegistryInvalidBlockRange(uint64 fromBlock, uint64 toBlock, uint64 currentBlock);
    /// @notice An attestation covers a sequence number that has not been reached yet.
    error AidRegistryFutureSequence(uint64 coveredSeq, uint64 currentSeq);

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice The fund and supply ledgers were bound to this registry (once, at deployment).
    event LedgersBound(address fundLedger, address supplyLedger, address indexed actor, uint64 seq, bytes32 head);
    /// @notice `account` gained (`granted`) or lost a role; mirrors OpenZeppelin's RoleGranted/RoleRevoked.
    event RoleChanged(bytes32 indexed role, address indexed account, bool granted, address indexed actor, uint64 seq, bytes32 head);
    /// @notice The emergency pause was switched on (`paused`) or off.
    event PauseChanged(bool paused, address indexed actor, uint64 seq, bytes32 head);
    /// @notice An organisation was registered. Names are of institutions, never of persons.
    event OrganisationRegistered(bytes32 indexed orgId, OrgKind kind, string name, address indexed actor, uint64 seq, bytes32 head);
    /// @notice A site of organisation `orgId` was registered, with an ISO 3166-2 style region code.
    event SiteRegistered(bytes32 indexed siteId, bytes32 indexed orgId, SiteKind kind, bytes8 region, string name, address indexed actor, uint64 seq, bytes32 head);
    /// @notice An item was added to the catalogue, counted in integer `unit`s.
    event ItemRegistered(bytes32 indexed itemId, bytes32 indexed category, string unit, string name, address indexed actor, uint64 seq, bytes32 head);
    /// @notice An auditor attested a report (`reportHash`) covering a block range and the ledger
    /// up to `coveredSeq` / `coveredHead`.
    event AttestationPosted(bytes32 indexed attestationId, bytes32 reportHash, uint64 fromBlock, uint64 toBlock, uint64 coveredSeq, bytes32 coveredHead, address indexed actor, uint64 seq, bytes32 head);

    /*//////////////////////////////////////////////////////////////
                                FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @notice Binds the two ledgers that may sequence events. Admin only, exactly once.
    function bindLedgers(address fund, address supply) external;

    /// @notice Switches the emergency pause on; every write of every ledger reverts `EnforcedPause`.
    function pause() external;

    /// @notice Switches the emergency pause off.
    function unpause() external;

    /// @notice Registers an organisation. Admin only.
    function registerOrganisation(bytes32 orgId, OrgKind kind, string calldata name) external;

    /// @notice Registers a site of a registered organisation. Admin only.
    function registerSite(bytes32 siteId, bytes32 orgId, SiteKind kind, bytes8 region, string calldata name) external;

    /// @notice Grants the operator role of `siteId` to `account`. Admin only; the site must exist.
    function grantSiteOperator(bytes32 siteId, address account) external;

    /// @notice Adds an item to the catalogue. Coordinator only.
    function registerItem(bytes32 itemId, bytes32 category, string calldata unit, string calldata name) external;

    /// @notice Posts an audit attestation. Auditor only.
    function attest(bytes32 attestationId, bytes32 reportHash, uint64 fromBlock, uint64 toBlock, uint64 coveredSeq, bytes32 coveredHead) external;

    /// @notice Advances the global sequence for an event about to be emitted by a bound ledger.
    /// @param payloadHash keccak256(abi.encode(topic0, event arguments except seq and head)).
    /// @return seq The event's sequence number (1, 2, 3, ...).
    /// @return head The new ledger head.
    function sequence(bytes32 payloadHash) external returns (uint64 seq, bytes32 head);

    /// @notice Reverts `EnforcedPause` when paused, or `AccessControlUnauthorizedAccount` when
    /// `account` lacks `role`. Ledgers call it before every write.
    function checkWrite(address account, bytes32 role) external view;

    /// @notice Like `checkWrite` but passes when `account` holds either role.
    function checkWriteEither(address account, bytes32 role, bytes32 otherRole) external view;

    /// @notice The current sequence number and ledger head.
    function ledgerHead() external view returns (uint64 seq, bytes32 head);

    /// @notice The bound fund ledger (zero before binding).
    function fundLedger() external view returns (address);

    /// @notice The bound supply ledger (zero before binding).
    function supplyLedger() external view returns (address);

    /// @notice Kind and region of a site; kind None when unknown.
    function site(bytes32 siteId) external view returns (SiteKind kind, bytes8 region, bytes32 orgId);

    /// @notice Kind of a site; None when unknown.
    function siteKind(bytes32 siteId) external view returns (SiteKind);

    /// @notice Region code of a site; zero when unknown.
    function siteRegion(bytes32 siteId) external view returns (bytes8);

    /// @notice Category of an item and whether it exists.
    function item(bytes32 itemId) external view returns (bool exists, bytes32 category);

    /// @notice Whether organisation `orgId` exists.
    function organisationExists(bytes32 orgId) external view returns (bool);

    /// @notice The operator role of a site: keccak256(abi.encode("AIDLEDGER_SITE_OPERATOR", siteId)).
    function operatorRole(bytes32 siteId) external pure returns (bytes32);
}

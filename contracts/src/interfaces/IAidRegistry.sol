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
    /// @param id The id already registered.
    error AidRegistryDuplicateId(bytes32 id);
    /// @notice No organisation `orgId` is registered.
    /// @param orgId The organisation given.
    error AidRegistryUnknownOrganisation(bytes32 orgId);
    /// @notice No site `siteId` is registered.
    /// @param siteId The site given.
    error AidRegistryUnknownSite(bytes32 siteId);
    /// @notice No item `itemId` is in the catalogue.
    /// @param itemId The item given.
    error AidRegistryUnknownItem(bytes32 itemId);
    /// @notice `kind` is not a valid, non-None enum value for this entity (OrgKind 1-6, SiteKind 1-2).
    /// @param kind The value given.
    error AidRegistryInvalidKind(uint8 kind);
    /// @notice A required text field (name, unit) was empty.
    error AidRegistryEmptyText();
    /// @notice `caller` is not one of the ledgers bound to this registry.
    /// @param caller The account that asked for a sequence number.
    error AidRegistryNotLedger(address caller);
    /// @notice The ledgers were already bound; a deployment binds them exactly once.
    error AidRegistryLedgersAlreadyBound();
    /// @notice A ledger or administrator address was zero.
    error AidRegistryZeroAddress();
    /// @notice An attestation's report hash is zero: it would attest nothing.
    /// @param attestationId The attestation.
    error AidRegistryMissingReportHash(bytes32 attestationId);
    /// @notice An attestation's block range is empty or reaches past the current block.
    /// @param fromBlock First block covered.
    /// @param toBlock Last block covered.
    /// @param currentBlock The current block.
    error AidRegistryInvalidBlockRange(uint64 fromBlock, uint64 toBlock, uint64 currentBlock);
    /// @notice An attestation covers a sequence number that has not been reached yet.
    /// @param coveredSeq The sequence number claimed.
    /// @param currentSeq The current sequence number.
    error AidRegistryFutureSequence(uint64 coveredSeq, uint64 currentSeq);

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice The fund and supply ledgers were bound to this registry (once, at deployment).
    /// @param fundLedger The FundLedger address.
    /// @param supplyLedger The SupplyLedger address.
    /// @param actor The administrator.
    /// @param seq Global sequence number.
    /// @param head Ledger head after this event.
    event LedgersBound(address fundLedger, address supplyLedger, address indexed actor, uint64 seq, bytes32 head);
    /// @notice `account` gained (`granted`) or lost a role; mirrors OpenZeppelin's RoleGranted/RoleRevoked.
    /// @param role The role.
    /// @param account The account.
    /// @param granted True when granted, false when revoked or renounced.
    /// @param actor Who changed it.
    /// @param seq Global sequence number.
    /// @param head Ledger head after this event.
    event RoleChanged(bytes32 indexed role, address indexed account, bool granted, address indexed actor, uint64 seq, bytes32 head);
    /// @notice The emergency pause was switched on (`paused`) or off.
    /// @param paused Whether the ledger is now paused.
    /// @param actor The administrator.
    /// @param seq Global sequence number.
    /// @param head Ledger head after this event.
    event PauseChanged(bool paused, address indexed actor, uint64 seq, bytes32 head);
    /// @notice An organisation was registered. Names are of institutions, never of persons.
    /// @param orgId The organisation.
    /// @param kind What it is.
    /// @param name Its name.
    /// @param actor The administrator.
    /// @param seq Global sequence number.
    /// @param head Ledger head after this event.
    event OrganisationRegistered(bytes32 indexed orgId, OrgKind kind, string name, address indexed actor, uint64 seq, bytes32 head);
    /// @notice A site of organisation `orgId` was registered, with an ISO 3166-2 style region code.
    /// @param siteId The site.
    /// @param orgId Its organisation.
    /// @param kind Warehouse or Recipient.
    /// @param region ASCII region code, left-aligned and zero-padded (e.g. "CN-HB").
    /// @param name Its name.
    /// @param actor The administrator.
    /// @param seq Global sequence number.
    /// @param head Ledger head after this event.
    event SiteRegistered(bytes32 indexed siteId, bytes32 indexed orgId, SiteKind kind, bytes8 region, string name, address indexed actor, uint64 seq, bytes32 head);
    /// @notice An item was added to the catalogue, counted in integer `unit`s.
    /// @param itemId The item.
    /// @param category Its category (what Category earmarks name).
    /// @param unit What one unit is (e.g. "box of 50").
    /// @param name Its name.
    /// @param actor The coordinator.
    /// @param seq Global sequence number.
    /// @param head Ledger head after this event.
    event ItemRegistered(bytes32 indexed itemId, bytes32 indexed category, string unit, string name, address indexed actor, uint64 seq, bytes32 head);
    /// @notice An auditor attested a report (`reportHash`) covering a block range and the ledger
    /// up to `coveredSeq` / `coveredHead`.
    /// @param attestationId The attestation.
    /// @param reportHash Hash of the audit report.
    /// @param fromBlock First block covered.
    /// @param toBlock Last block covered.
    /// @param coveredSeq Last sequence number covered.
    /// @param coveredHead Ledger head at `coveredSeq`, as the auditor computed it.
    /// @param actor The auditor.
    /// @param seq Global sequence number.
    /// @param head Ledger head after this event.
    event AttestationPosted(bytes32 indexed attestationId, bytes32 reportHash, uint64 fromBlock, uint64 toBlock, uint64 coveredSeq, bytes32 coveredHead, address indexed actor, uint64 seq, bytes32 head);

    /*//////////////////////////////////////////////////////////////
                                FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @notice Binds the two ledgers that may sequence events. Admin only, exactly once.
    /// @param fund The FundLedger address.
    /// @param supply The SupplyLedger address.
    function bindLedgers(address fund, address supply) external;

    /// @notice Switches the emergency pause on; every write of every ledger reverts `EnforcedPause`.
    function pause() external;

    /// @notice Switches the emergency pause off.
    function unpause() external;

    /// @notice Registers an organisation. Admin only.
    /// @param orgId Caller-chosen non-zero id.
    /// @param kind An {OrgKind} value other than None (1-6).
    /// @param name Non-empty name of the institution.
    function registerOrganisation(bytes32 orgId, uint8 kind, string calldata name) external;

    /// @notice Registers a site of a registered organisation. Admin only.
    /// @param siteId Caller-chosen non-zero id.
    /// @param orgId A registered organisation.
    /// @param kind A {SiteKind} value other than None: Warehouse (1) or Recipient (2).
    /// @param region ASCII region code, left-aligned and zero-padded.
    /// @param name Non-empty name.
    function registerSite(bytes32 siteId, bytes32 orgId, uint8 kind, bytes8 region, string calldata name) external;

    /// @notice Grants the operator role of `siteId` to `account`. Admin only; the site must exist.
    /// @param siteId A registered site.
    /// @param account The staff account.
    function grantSiteOperator(bytes32 siteId, address account) external;

    /// @notice Adds an item to the catalogue. Coordinator only.
    /// @param itemId Caller-chosen non-zero id.
    /// @param category Its category code.
    /// @param unit Non-empty name of one unit.
    /// @param name Non-empty name.
    function registerItem(bytes32 itemId, bytes32 category, string calldata unit, string calldata name) external;

    /// @notice Posts an audit attestation. Auditor only.
    /// @param attestationId Caller-chosen non-zero id.
    /// @param reportHash Hash of the audit report; non-zero.
    /// @param fromBlock First block covered.
    /// @param toBlock Last block covered, at least `fromBlock` and at most the current block.
    /// @param coveredSeq Last sequence number covered, at most the current one.
    /// @param coveredHead Ledger head at `coveredSeq`.
    function attest(bytes32 attestationId, bytes32 reportHash, uint64 fromBlock, uint64 toBlock, uint64 coveredSeq, bytes32 coveredHead) external;

    /// @notice Advances the global sequence for an event about to be emitted by a bound ledger.
    /// @param payloadHash keccak256(abi.encode(topic0, event arguments except seq and head)).
    /// @return seq The event's sequence number (1, 2, 3, ...).
    /// @return head The new ledger head.
    function sequence(bytes32 payloadHash) external returns (uint64 seq, bytes32 head);

    /// @notice Reverts `EnforcedPause` when paused, or `AccessControlUnauthorizedAccount` when
    /// `account` lacks `role`. Ledgers call it before every write.
    /// @param account The account writing.
    /// @param role The role it needs.
    function checkWrite(address account, bytes32 role) external view;

    /// @notice Like `checkWrite` but passes when `account` holds either role.
    /// @param account The account writing.
    /// @param role One role that suffices (reported when both are missing).
    /// @param otherRole The other role that suffices.
    function checkWriteEither(address account, bytes32 role, bytes32 otherRole) external view;

    /// @notice The current sequence number and ledger head.
    /// @return seq The last sequence number given (0 before any event).
    /// @return head The ledger head after it.
    function ledgerHead() external view returns (uint64 seq, bytes32 head);

    /// @notice The bound fund ledger (zero before binding).
    /// @return The FundLedger address.
    function fundLedger() external view returns (address);

    /// @notice The bound supply ledger (zero before binding).
    /// @return The SupplyLedger address.
    function supplyLedger() external view returns (address);

    /// @notice Kind and region of a site; kind None when unknown.
    /// @param siteId The site.
    /// @return kind Its kind.
    /// @return region Its region code.
    /// @return orgId Its organisation.
    function site(bytes32 siteId) external view returns (SiteKind kind, bytes8 region, bytes32 orgId);

    /// @notice Kind of a site; None when unknown.
    /// @param siteId The site.
    /// @return Its kind.
    function siteKind(bytes32 siteId) external view returns (SiteKind);

    /// @notice Region code of a site; zero when unknown.
    /// @param siteId The site.
    /// @return Its region code.
    function siteRegion(bytes32 siteId) external view returns (bytes8);

    /// @notice Category of an item and whether it exists.
    /// @param itemId The item.
    /// @return exists Whether it is in the catalogue.
    /// @return category Its category.
    function item(bytes32 itemId) external view returns (bool exists, bytes32 category);

    /// @notice Whether organisation `orgId` exists.
    /// @param orgId The organisation.
    /// @return Whether it is registered.
    function organisationExists(bytes32 orgId) external view returns (bool);

    /// @notice The operator role of a site: keccak256(abi.encode("AIDLEDGER_SITE_OPERATOR", siteId)).
    /// @param siteId The site.
    /// @return The role id.
    function operatorRole(bytes32 siteId) external pure returns (bytes32);
}

// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {IAidRegistry} from "./interfaces/IAidRegistry.sol";

/// @title AidRegistry
/// @notice Roles, pause, organisations, sites, items, attestations and the global event sequencer
/// of one AidLedger deployment. See {IAidRegistry} for the meaning of every function and event.
contract AidRegistry is IAidRegistry, AccessControl, Pausable {
    /*//////////////////////////////////////////////////////////////
                                 ROLES
    //////////////////////////////////////////////////////////////*/

    /// @notice Records money gifts, pledges and in-kind gifts.
    bytes32 public constant INTAKE_ROLE = keccak256("AIDLEDGER_INTAKE");
    /// @notice Manages the catalogue, allocates funds, records purchases, posts needs.
    bytes32 public constant COORDINATOR_ROLE = keccak256("AIDLEDGER_COORDINATOR");
    /// @notice Posts audit attestations.
    bytes32 public constant AUDITOR_ROLE = keccak256("AIDLEDGER_AUDITOR");

    /*//////////////////////////////////////////////////////////////
                                 STORAGE
    //////////////////////////////////////////////////////////////*/

    struct SiteRecord {
        SiteKind kind;
        bytes8 region;
        bytes32 orgId;
    }

    struct ItemRecord {
        bool exists;
        bytes32 category;
    }

    address private _fundLedger;
    uint64 private _seq;
    address private _supplyLedger;
    bytes32 private _head;

    mapping(bytes32 orgId => bool) private _organisations;
    mapping(bytes32 siteId => SiteRecord) private _sites;
    mapping(bytes32 itemId => ItemRecord) private _items;
    mapping(bytes32 attestationId => bool) private _attestations;

    /*//////////////////////////////////////////////////////////////
                               CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    /// @param admin The first administrator; it can grant every role.
    constructor(address admin) {
        if (admin == address(0)) revert AidRegistryZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /*//////////////////////////////////////////////////////////////
                              ADMINISTRATION
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IAidRegistry
    function bindLedgers(address fund, address supply) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (_fundLedger != address(0)) revert AidRegistryLedgersAlreadyBound();
        if (fund == address(0) || supply == address(0)) revert AidRegistryZeroAddress();
        _fundLedger = fund;
        _supplyLedger = supply;
        _emitLedgersBound(fund, supply);
    }

    /// @inheritdoc IAidRegistry
    function pause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _pause();
        _emitPauseChanged(true);
    }

    /// @inheritdoc IAidRegistry
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
        _emitPauseChanged(false);
    }

    /// @inheritdoc IAidRegistry
    function registerOrganisation(bytes32 orgId, uint8 kind, string calldata name)
        external
        onlyRole(DEFAULT_ADMIN_ROLE)
    {
        _requireNewId(orgId, _organisations[orgId]);
        if (kind == uint8(OrgKind.None) || kind > uint8(type(OrgKind).max)) revert AidRegistryInvalidKind(kind);
        if (bytes(name).length == 0) revert AidRegistryEmptyText();
        _organisations[orgId] = true;
        _emitOrganisationRegistered(orgId, OrgKind(kind), name);
    }

    /// @inheritdoc IAidRegistry
    function registerSite(bytes32 siteId, bytes32 orgId, uint8 kind, bytes8 region, string calldata name)
        external
        onlyRole(DEFAULT_ADMIN_ROLE)
    {
        _requireNewId(siteId, _sites[siteId].kind != SiteKind.None);
        if (!_organisations[orgId]) revert AidRegistryUnknownOrganisation(orgId);
        if (kind == uint8(SiteKind.None) || kind > uint8(type(SiteKind).max)) revert AidRegistryInvalidKind(kind);
        if (bytes(name).length == 0) revert AidRegistryEmptyText();
        _sites[siteId] = SiteRecord(SiteKind(kind), region, orgId);
        _emitSiteRegistered(siteId, orgId, SiteKind(kind), region, name);
    }

    /// @inheritdoc IAidRegistry
    function grantSiteOperator(bytes32 siteId, address account) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (_sites[siteId].kind == SiteKind.None) revert AidRegistryUnknownSite(siteId);
        _grantRole(operatorRole(siteId), account);
    }

    /// @inheritdoc IAidRegistry
    function registerItem(bytes32 itemId, bytes32 category, string calldata unit, string calldata name)
        external
        onlyRole(COORDINATOR_ROLE)
    {
        _requireNewId(itemId, _items[itemId].exists);
        if (bytes(unit).length == 0 || bytes(name).length == 0) revert AidRegistryEmptyText();
        _items[itemId] = ItemRecord(true, category);
        _emitItemRegistered(itemId, category, unit, name);
    }

    /// @inheritdoc IAidRegistry
    function attest(
        bytes32 attestationId,
        bytes32 reportHash,
        uint64 fromBlock,
        uint64 toBlock,
        uint64 coveredSeq,
        bytes32 coveredHead
    ) external onlyRole(AUDITOR_ROLE) {
        _requireNewId(attestationId, _attestations[attestationId]);
        if (reportHash == bytes32(0)) revert AidRegistryMissingReportHash(attestationId);
        if (fromBlock > toBlock || toBlock > block.number) {
            revert AidRegistryInvalidBlockRange(fromBlock, toBlock, uint64(block.number));
        }
        if (coveredSeq > _seq) revert AidRegistryFutureSequence(coveredSeq, _seq);
        _attestations[attestationId] = true;
        _emitAttestationPosted(attestationId, reportHash, fromBlock, toBlock, coveredSeq, coveredHead);
    }

    /*//////////////////////////////////////////////////////////////
                                SEQUENCER
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IAidRegistry
    function sequence(bytes32 payloadHash) external whenNotPaused returns (uint64 seq, bytes32 head) {
        if (msg.sender != _fundLedger && msg.sender != _supplyLedger) revert AidRegistryNotLedger(msg.sender);
        return _advanceFrom(msg.sender, payloadHash);
    }

    /// @inheritdoc IAidRegistry
    function checkWrite(address account, bytes32 role) external view whenNotPaused {
        _checkRole(role, account);
    }

    /// @inheritdoc IAidRegistry
    function checkWriteEither(address account, bytes32 role, bytes32 otherRole) external view whenNotPaused {
        if (!hasRole(otherRole, account)) _checkRole(role, account);
    }

    /*//////////////////////////////////////////////////////////////
                                  VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IAidRegistry
    function ledgerHead() external view returns (uint64 seq, bytes32 head) {
        return (_seq, _head);
    }

    /// @inheritdoc IAidRegistry
    function fundLedger() external view returns (address) {
        return _fundLedger;
    }

    /// @inheritdoc IAidRegistry
    function supplyLedger() external view returns (address) {
        return _supplyLedger;
    }

    /// @inheritdoc IAidRegistry
    function site(bytes32 siteId) external view returns (SiteKind kind, bytes8 region, bytes32 orgId) {
        SiteRecord storage s = _sites[siteId];
        return (s.kind, s.region, s.orgId);
    }

    /// @inheritdoc IAidRegistry
    function siteKind(bytes32 siteId) external view returns (SiteKind) {
        return _sites[siteId].kind;
    }

    /// @inheritdoc IAidRegistry
    function siteRegion(bytes32 siteId) external view returns (bytes8) {
        return _sites[siteId].region;
    }

    /// @inheritdoc IAidRegistry
    function item(bytes32 itemId) external view returns (bool exists, bytes32 category) {
        ItemRecord storage i = _items[itemId];
        return (i.exists, i.category);
    }

    /// @inheritdoc IAidRegistry
    function organisationExists(bytes32 orgId) external view returns (bool) {
        return _organisations[orgId];
    }

    /// @inheritdoc IAidRegistry
    function operatorRole(bytes32 siteId) public pure returns (bytes32) {
        return keccak256(abi.encode("AIDLEDGER_SITE_OPERATOR", siteId));
    }

    /*//////////////////////////////////////////////////////////////
                                INTERNALS
    //////////////////////////////////////////////////////////////*/

    /// @dev Every role change is also a sequenced ledger event, so the role history is in the record.
    function _grantRole(bytes32 role, address account) internal override returns (bool granted) {
        granted = super._grantRole(role, account);
        if (granted) _emitRoleChanged(role, account, true);
    }

    function _revokeRole(bytes32 role, address account) internal override returns (bool revoked) {
        revoked = super._revokeRole(role, account);
        if (revoked) _emitRoleChanged(role, account, false);
    }

    /*//////////////////////////////////////////////////////////////
                     EVENTS (each sequenced and emitted once)
    //////////////////////////////////////////////////////////////*/

    /// @dev Recorded even while paused, like the pause: the role history must be complete.
    function _emitRoleChanged(bytes32 role, address account, bool granted) private {
        (uint64 seq, bytes32 head) =
            _advanceUnpaused(keccak256(abi.encode(RoleChanged.selector, role, account, granted, msg.sender)));
        emit RoleChanged(role, account, granted, msg.sender, seq, head);
    }

    function _emitLedgersBound(address fund, address supply) private {
        (uint64 seq, bytes32 head) = _advance(keccak256(abi.encode(LedgersBound.selector, fund, supply, msg.sender)));
        emit LedgersBound(fund, supply, msg.sender, seq, head);
    }

    /// @dev Recorded even while paused: the pause itself must be in the record.
    function _emitPauseChanged(bool paused_) private {
        (uint64 seq, bytes32 head) = _advanceUnpaused(keccak256(abi.encode(PauseChanged.selector, paused_, msg.sender)));
        emit PauseChanged(paused_, msg.sender, seq, head);
    }

    function _emitOrganisationRegistered(bytes32 orgId, OrgKind kind, string calldata name) private {
        (uint64 seq, bytes32 head) =
            _advance(keccak256(abi.encode(OrganisationRegistered.selector, orgId, kind, name, msg.sender)));
        emit OrganisationRegistered(orgId, kind, name, msg.sender, seq, head);
    }

    function _emitSiteRegistered(bytes32 siteId, bytes32 orgId, SiteKind kind, bytes8 region, string calldata name)
        private
    {
        (uint64 seq, bytes32 head) =
            _advance(keccak256(abi.encode(SiteRegistered.selector, siteId, orgId, kind, region, name, msg.sender)));
        emit SiteRegistered(siteId, orgId, kind, region, name, msg.sender, seq, head);
    }

    function _emitItemRegistered(bytes32 itemId, bytes32 category, string calldata unit, string calldata name) private {
        (uint64 seq, bytes32 head) =
            _advance(keccak256(abi.encode(ItemRegistered.selector, itemId, category, unit, name, msg.sender)));
        emit ItemRegistered(itemId, category, unit, name, msg.sender, seq, head);
    }

    function _emitAttestationPosted(
        bytes32 attestationId,
        bytes32 reportHash,
        uint64 fromBlock,
        uint64 toBlock,
        uint64 coveredSeq,
        bytes32 coveredHead
    ) private {
        (uint64 seq, bytes32 head) = _advance(
            keccak256(
                abi.encode(
                    AttestationPosted.selector,
                    attestationId,
                    reportHash,
                    fromBlock,
                    toBlock,
                    coveredSeq,
                    coveredHead,
                    msg.sender
                )
            )
        );
        emit AttestationPosted(attestationId, reportHash, fromBlock, toBlock, coveredSeq, coveredHead, msg.sender, seq, head);
    }

    /*//////////////////////////////////////////////////////////////
                                 CHECKS
    //////////////////////////////////////////////////////////////*/

    function _requireNewId(bytes32 id, bool taken) private pure {
        if (id == bytes32(0)) revert AidRegistryZeroId();
        if (taken) revert AidRegistryDuplicateId(id);
    }

    function _advance(bytes32 payloadHash) private whenNotPaused returns (uint64, bytes32) {
        return _advanceFrom(address(this), payloadHash);
    }

    /// @dev For events that must be recorded even while paused (the pause itself, role changes).
    function _advanceUnpaused(bytes32 payloadHash) private returns (uint64, bytes32) {
        return _advanceFrom(address(this), payloadHash);
    }

    function _advanceFrom(address emitter, bytes32 payloadHash) private returns (uint64 seq, bytes32 head) {
        // Cannot overflow: one increment per event, and 2^64 events exceed any chain's lifetime.
        unchecked {
            seq = _seq + 1;
        }
        head = keccak256(abi.encode(_head, seq, emitter, payloadHash));
        _seq = seq;
        _head = head;
    }
}

// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {IAidRegistry} from "./interfaces/IAidRegistry.sol";

/// @title LedgerBase
/// @notice What every ledger shares: its registry, role checks (which also enforce the pause)
/// and the funnel through which every event gets its sequence number and ledger head.
abstract contract LedgerBase {
    /// @notice The registry holding roles, sites, items and the sequencer.
    IAidRegistry public immutable registry;

    /// @notice The largest amount, quantity or running total a ledger accepts: 2^63 - 1, the
    /// largest signed 64-bit integer, so that every value on chain fits the mirror's BIGINT columns.
    uint256 public constant MAX_VALUE = uint256(uint64(type(int64).max));

    bytes32 internal constant _INTAKE_ROLE = keccak256("AIDLEDGER_INTAKE");
    bytes32 internal constant _COORDINATOR_ROLE = keccak256("AIDLEDGER_COORDINATOR");

    constructor(IAidRegistry registry_) {
        registry = registry_;
    }

    /// @dev Reverts `EnforcedPause` or `AccessControlUnauthorizedAccount` (bubbled from the registry).
    modifier onlyRole(bytes32 role) {
        registry.checkWrite(msg.sender, role);
        _;
    }

    function _checkOperatorOrCoordinator(bytes32 siteId) internal view {
        registry.checkWriteEither(msg.sender, registry.operatorRole(siteId), _COORDINATOR_ROLE);
    }

    function _checkOperator(bytes32 siteId) internal view {
        registry.checkWrite(msg.sender, registry.operatorRole(siteId));
    }

    /// @dev Takes the next (seq, head) for an event whose payload hash is given.
    function _sequence(bytes32 payloadHash) internal returns (uint64 seq, bytes32 head) {
        return registry.sequence(payloadHash);
    }
}

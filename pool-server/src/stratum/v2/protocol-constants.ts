/**
 * Protocol numbers, versions, SetupConnection flags and the error codes the specification
 * suggests, each tagged with where it is defined. [sv2 3.5] Error codes are strings a peer
 * must not act on automatically; these are the ones this pool sends.
 */

/** [sv2 3.6.1] SetupConnection.protocol. */
export const Sv2ProtocolId = {
  mining: 0,
  jobDeclaration: 1,
  templateDistribution: 2,
  jobDistribution: 3,
} as const;

/** [sv2 3.6.1] The only version of the protocol there is: min_version and max_version are 2. */
export const SV2_PROTOCOL_VERSION = 2;

/** [sv2 5.3.1] SetupConnection.flags (and SetupConnection.Error flags) for the Mining protocol. */
export const MiningSetupFlags = {
  requiresStandardJobs: 1 << 0,
  requiresWorkSelection: 1 << 1,
  requiresVersionRolling: 1 << 2,
} as const;

/** [sv2 5.3.1] SetupConnection.Success flags for the Mining protocol. */
export const MiningSetupSuccessFlags = {
  requiresFixedVersion: 1 << 0,
  requiresExtendedChannels: 1 << 1,
} as const;

/** [sv2 6.4.1] SetupConnection.flags for the Job Declaration protocol (none for .Success). */
export const JobDeclarationSetupFlags = {
  declareTxData: 1 << 0,
} as const;

/** [sv2 3.6.3] SetupConnection.Error error_code. */
export const SetupConnectionErrorCode = {
  unsupportedFeatureFlags: 'unsupported-feature-flags',
  unsupportedProtocol: 'unsupported-protocol',
  protocolVersionMismatch: 'protocol-version-mismatch',
} as const;

/**
 * [sv2 5.3.6] OpenMiningChannel.Error error_code. The last three are the reference
 * implementation's (stratum-mining/stratum mining_sv2), for what the spec's list misses.
 */
export const OpenMiningChannelErrorCode = {
  unknownUser: 'unknown-user',
  maxTargetOutOfRange: 'max-target-out-of-range',
  invalidUserIdentity: 'invalid-user-identity',
  invalidNominalHashrate: 'invalid-nominal-hashrate',
  minExtranonceSizeTooLarge: 'min-extranonce-size-too-large',
} as const;

/** [sv2 5.3.8] UpdateChannel.Error error_code. */
export const UpdateChannelErrorCode = {
  maxTargetOutOfRange: 'max-target-out-of-range',
  invalidChannelId: 'invalid-channel-id',
} as const;

/**
 * [sv2 5.3.14] SubmitShares.Error error_code. `duplicate-share` and `bad-extranonce-size` are
 * the reference implementation's names for rejects the spec's list does not cover.
 */
export const SubmitSharesErrorCode = {
  invalidChannelId: 'invalid-channel-id',
  staleShare: 'stale-share',
  difficultyTooLow: 'difficulty-too-low',
  invalidJobId: 'invalid-job-id',
  duplicateShare: 'duplicate-share',
  badExtranonceSize: 'bad-extranonce-size',
} as const;

/** [sv2 5.3.20] SetCustomMiningJob.Error error_code; see `invalidJobParamValue` for the third. */
export const SetCustomMiningJobErrorCode = {
  invalidChannelId: 'invalid-channel-id',
  invalidMiningJobToken: 'invalid-mining-job-token',
} as const;

/** [sv2 6.4.6] DeclareMiningJob.Error error_code; see `invalidJobParamValue` for the second. */
export const DeclareMiningJobErrorCode = {
  invalidMiningJobToken: 'invalid-mining-job-token',
} as const;

/** [sv2 5.3.20, 6.4.6] `invalid-job-param-value-{}`, {} being the field the server refused. */
export function invalidJobParamValue(field: string): string {
  return `invalid-job-param-value-${field}`;
}

/**
 * [sv2 3.6.1–3.6.3] The answer to SetupConnection on a port that serves one protocol: the
 * Mining protocol (5.3.1) or the Job Declaration protocol (6.4.1). Pure.
 */
import type { MessageOf } from './message-table.ts';
import {
  JobDeclarationSetupFlags,
  MiningSetupFlags,
  MiningSetupSuccessFlags,
  SetupConnectionErrorCode,
  SV2_PROTOCOL_VERSION,
  Sv2ProtocolId,
} from './protocol-constants.ts';

/** What the peer said of itself in SetupConnection, recorded with its shares. */
export interface Sv2Device {
  readonly flags: number;
  readonly vendor: string;
  readonly hardwareVersion: string;
  readonly firmware: string;
  readonly deviceId: string;
  /** The ledger's user agent, every share's: who made the device and what it runs; undefined when it said neither. */
  readonly userAgent: string | undefined;
}

export interface SetupPolicy {
  /** The protocol this port serves. */
  readonly protocol: 'mining' | 'job-declaration';
  /** [BIP320] the version bits a miner may roll now; 0 for none. */
  readonly versionMask: number;
  /** The pool takes SetCustomMiningJob (its Job Declaration Server runs). */
  readonly workSelection: boolean;
  /** [sv2 6.3.1] Job Declarator Clients may withhold their transactions (stratum.jdsCoinbaseOnly). */
  readonly coinbaseOnly: boolean;
}

export type SetupAnswer =
  | { readonly ok: true; readonly device: Sv2Device; readonly reply: MessageOf<'SetupConnection.Success'> }
  | { readonly ok: false; readonly reply: MessageOf<'SetupConnection.Error'> };

function refuse(code: string, flags: number): SetupAnswer {
  return { ok: false, reply: { type: 'SetupConnection.Error', flags, error_code: code } };
}

export function answerSetup(message: MessageOf<'SetupConnection'>, policy: SetupPolicy): SetupAnswer {
  const mining = policy.protocol === 'mining';
  if (message.protocol !== (mining ? Sv2ProtocolId.mining : Sv2ProtocolId.jobDeclaration)) {
    return refuse(SetupConnectionErrorCode.unsupportedProtocol, 0);
  }
  if (message.min_version > SV2_PROTOCOL_VERSION || message.max_version < SV2_PROTOCOL_VERSION) {
    return refuse(SetupConnectionErrorCode.protocolVersionMismatch, 0);
  }
  let unsupported = 0;
  if (mining) {
    // Jobs are the pool's unless its Job Declaration Server runs; version rolling needs BIP320 bits it grants.
    if (!policy.workSelection) {
      unsupported |= message.flags & MiningSetupFlags.requiresWorkSelection;
    }
    if ((message.flags & MiningSetupFlags.requiresVersionRolling) !== 0 && policy.versionMask === 0) {
      unsupported |= MiningSetupFlags.requiresVersionRolling;
    }
  } else if (!policy.coinbaseOnly && (message.flags & JobDeclarationSetupFlags.declareTxData) === 0) {
    // [sv2 6.3.2] Full-Template mode only, unless the pool takes Coinbase-only jobs (6.3.1).
    unsupported = JobDeclarationSetupFlags.declareTxData;
  }
  if (unsupported !== 0) {
    return refuse(SetupConnectionErrorCode.unsupportedFeatureFlags, unsupported);
  }
  return {
    ok: true,
    device: {
      flags: message.flags,
      vendor: message.vendor,
      hardwareVersion: message.hardware_version,
      firmware: message.firmware,
      deviceId: message.device_id,
      userAgent:
        [message.vendor, message.hardware_version, message.firmware].filter((part) => part).join(' ') ||
        undefined,
    },
    reply: {
      type: 'SetupConnection.Success',
      used_version: SV2_PROTOCOL_VERSION,
      flags: mining && policy.versionMask === 0 ? MiningSetupSuccessFlags.requiresFixedVersion : 0,
    },
  };
}

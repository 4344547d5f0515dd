/**
 * A Stratum environment on a real template (public-pool's testnet3 recording), for
 * session tests without sockets.
 */
import { ExtranonceAllocator } from '../../src/stratum/extranonce.ts';
import { JobFeed } from '../../src/stratum/job-feed.ts';
import { encodeResult, type RequestId } from '../../src/stratum/messages.ts';
import type {
  ConnectedWorker,
  CreditedShare,
  RejectedSubmit,
  SessionSink,
  StratumEnvironment,
  StratumSettings,
} from '../../src/stratum/session-context.ts';
import { DEFAULT_VARDIFF } from '../../src/stratum/vardiff.ts';
import { createAddressAuthorizer } from '../../src/stratum/worker-identity.ts';
import { payoutScript } from '../../src/work/address.ts';
import { createShareHasher } from '../../src/work/share-hasher.ts';
import { prepareTemplate, type BlockTemplate, type PreparedTemplate } from '../../src/work/template.ts';
import { BIP320_VERSION_MASK } from '../../src/work/version-rolling.ts';
import { templateVectors } from './vectors.ts';

/** Real testnet3 addresses (BIP173 test vector; public-pool's test miner). */
export const TESTNET_ADDRESS = 'tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx';
export const OTHER_TESTNET_ADDRESS = 'tb1qumezefzdeqqwn5zfvgdrhxjzc5ylr39uhuxcz4';
/** The one named account the test pool knows a payout address for. */
export const REGISTERED_ACCOUNT = 'alice';

const recorded = templateVectors.find((vector) => vector.id.startsWith('public-pool-testnet3'))?.response;
if (!recorded) {
  throw new Error('the public-pool testnet3 template vector is missing');
}

export function scriptOf(address: string): Buffer {
  const result = payoutScript(address, 'test');
  if (!result.ok) {
    throw new Error(result.message);
  }
  return result.script;
}

/** The recorded template with another nbits and, optionally, another previous block. */
export function testTemplate(bits = '1d00ffff', previousblockhash?: string): PreparedTemplate {
  const changed: BlockTemplate = {
    ...recorded,
    bits,
    ...(previousblockhash !== undefined && { previousblockhash }),
  } as BlockTemplate;
  return prepareTemplate(changed);
}

export interface EventLog {
  readonly accepted: CreditedShare[];
  readonly rejected: RejectedSubmit[];
  /** 'block' or 'share', in the order the events came. */
  readonly order: string[];
  readonly problems: string[];
  readonly connected: ConnectedWorker[];
}

/** The pool pays TESTNET_ADDRESS, and takes 1 % of SOLO blocks. */
export function testEnvironment(
  settings: Partial<StratumSettings> = {},
  template: PreparedTemplate = testTemplate(),
): { env: StratumEnvironment; log: EventLog; feed: JobFeed } {
  const feed = new JobFeed({
    poolTag: Buffer.from('/hashwatt/'),
    extranonce2Size: 8,
    poolScript: scriptOf(TESTNET_ADDRESS),
    soloFeeBasisPoints: 100,
  });
  feed.setTemplate(template);
  const log: EventLog = { accepted: [], rejected: [], order: [], problems: [], connected: [] };
  const env: StratumEnvironment = {
    settings: {
      extranonce2Size: 8,
      versionMask: BIP320_VERSION_MASK,
      vardiff: { ...DEFAULT_VARDIFF, startDifficulty: 1e-6, minDifficulty: 1e-9 },
      maxWorkersPerConnection: 4,
      maxRequestsBeforeAuthorize: 5,
      soloByDefault: false,
      ...settings,
    },
    extranonces: new ExtranonceAllocator(1),
    feed,
    hasher: createShareHasher(),
    authorizer: createAddressAuthorizer('test', new Set([REGISTERED_ACCOUNT])),
    events: {
      blockFound(found) {
        log.order.push('block');
        log.accepted.push(found);
      },
      shareAccepted(share) {
        log.order.push('share');
        if (!share.share.isBlock) {
          log.accepted.push(share);
        }
      },
      shareRejected(reject) {
        log.rejected.push(reject);
      },
      workerConnected(connected) {
        log.connected.push(connected);
      },
      problem(message) {
        log.problems.push(message);
      },
      commitShares() {
        log.order.push('commit');
        return true;
      },
    },
  };
  return { env, log, feed };
}

/** Collects what a session writes, parsed. */
export class RecordingSink implements SessionSink {
  readonly messages: Record<string, unknown>[] = [];
  readonly penalties: { points: number; reason: string }[] = [];
  closedWith: string | undefined;

  send(line: string | Buffer): void {
    const text = line.toString();
    if (!text.endsWith('\n')) {
      throw new Error(`a Stratum line must end with a newline: ${text}`);
    }
    this.messages.push(JSON.parse(text) as Record<string, unknown>);
  }

  acknowledgeShare(id: RequestId): void {
    this.send(encodeResult(id, true));
  }

  close(reason: string): void {
    this.closedWith = reason;
  }

  penalize(points: number, reason: string): void {
    this.penalties.push({ points, reason });
  }

  /** Removes and returns what was written since the last call. */
  take(): Record<string, unknown>[] {
    return this.messages.splice(0);
  }
}

/** A Stratum node's claim on its node id when the pool is scaled out through NATS. */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { LedgerBus } from '../ledger/share-stream.ts';
import {
  claimFreeNodeId,
  claimNodeId,
  NodeIdTaken,
  nodeInstance,
  type NodeClaim,
} from '../stratum/node-claim.ts';

/** How long a starting Stratum node waits for NATS before serving without it. */
const CLAIM_WAIT_MS = 5_000;

/**
 * With NATS, a Stratum node claims its node id before serving, and a start whose id
 * another node holds fails. NATS not reached within CLAIM_WAIT_MS, the node serves at
 * once (its shares wait in the journal) and claims the id when NATS answers. An id
 * taken from the node while it runs (it could not renew its claim, and a node
 * configured with the same id took it) makes it claim a free id and move its sessions
 * there (`moveTo`); with no id free, it stops serving (`stop`).
 */
export async function claimNode(
  config: Config,
  bus: LedgerBus,
  log: Logger,
  hooks: { moveTo(nodeId: number): void; stop(): void },
): Promise<{ release(): Promise<void> }> {
  let held: NodeClaim | undefined;
  const settings = {
    bucket: `${config.nats.stream}_NODES`,
    nodeId: config.stratum.nodeId,
    instance: nodeInstance(config.dataDir),
    ttlMs: config.nats.nodeLeaseSeconds * 1000,
  };
  const relocate = (taken: Error): void => {
    log.error({ problem: taken.message }, 'stratum: this node lost its node id; moving to a free one');
    bus
      .ready()
      .then((nc) => claimFreeNodeId(nc, { ...settings, nodeId: held?.nodeId ?? settings.nodeId }, relocate))
      .then(
        (claim) => {
          held = claim;
          hooks.moveTo(claim.nodeId);
        },
        (error: unknown) => {
          log.fatal(
            { problem: (error as Error).message },
            'stratum: no node id to move to; the node stops serving',
          );
          hooks.stop();
        },
      );
  };
  const claiming = bus
    .ready()
    .then((nc) => claimNodeId(nc, settings, relocate))
    .then((claim) => {
      held = claim;
      log.info({ nodeId: claim.nodeId }, 'stratum: node id claimed');
    });
  const first = await Promise.race([claiming, sleep(CLAIM_WAIT_MS, 'waiting' as const, { ref: false })]);
  if (first === 'waiting') {
    log.warn(
      { nats: config.nats.url },
      'nats: not reached yet; serving miners, the node id is claimed when it answers',
    );
    claiming.catch((error: unknown) => {
      if (error instanceof NodeIdTaken) {
        relocate(error);
      } else {
        // The bus closed first (a stop), or the bucket is out of reach: the node keeps serving.
        log.error({ problem: (error as Error).message }, 'stratum: the node id could not be claimed');
      }
    });
  }
  return {
    async release() {
      await held?.release();
    },
  };
}

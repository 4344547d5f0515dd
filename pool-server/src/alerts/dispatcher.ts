/**
 * Sends the deliveries that are due, each through its channel, within the rate limits,
 * and records every outcome: sent; failed and tried again after a doubling wait; failed
 * for good after the last attempt; suppressed by its subscription's hourly limit; or left
 * for the next round when its channel's limit for the minute is reached.
 */
import type { AlertChannel } from '@hashwatt/schemas';
import type { Logger } from 'pino';
import type { Database } from '../db/pool.ts';
import type { Sender } from './deliveries/message.ts';
import type { AlertSecretKeys } from './secret-keys.ts';
import {
  claimDue,
  recentSends,
  recordOutcome,
  type ClaimedDelivery,
  type DueDelivery,
  type Outcome,
} from './store.ts';

export type Senders = Readonly<Record<AlertChannel, Sender>>;

export interface DispatchLimits {
  readonly maxAttempts: number;
  readonly retryBaseMs: number;
  readonly perSubscriptionPerHour: number;
  readonly perChannelPerMinute: number;
  /** How long a claimed delivery is held from other processes: longer than one attempt can take. */
  readonly leaseMs: number;
}

/** Deliveries taken per round; the rest wait for the next. */
const BATCH = 100;

/** The delivery with its subscription's secret opened; throws when the key cannot open it. */
function withSecret(claimed: ClaimedDelivery, keys: AlertSecretKeys): DueDelivery {
  const { sealedSecret, plainSecret, ...delivery } = claimed;
  return {
    ...delivery,
    secret: sealedSecret === null ? plainSecret : keys.open(sealedSecret, claimed.subscriptionId),
  };
}

/** After the attempt just failed (`attempts` made so far, it included): when to try again, or null to give up. */
function retryAt(attempts: number, limits: DispatchLimits, nowMs: number): number | null {
  return attempts >= limits.maxAttempts ? null : nowMs + limits.retryBaseMs * 2 ** (attempts - 1);
}

export async function dispatchDue(
  db: Database,
  senders: Senders,
  limits: DispatchLimits,
  now: () => number,
  log: Logger,
  keys: AlertSecretKeys,
): Promise<Record<Outcome['status'], number>> {
  const counts: Record<Outcome['status'], number> = { sent: 0, retry: 0, suppressed: 0, deferred: 0 };
  const due = await claimDue(db, BATCH, limits.leaseMs);
  if (due.length === 0) {
    return counts;
  }
  const { bySubscription, byChannel } = await recentSends(db);
  for (const delivery of due) {
    let outcome: Outcome;
    if ((bySubscription.get(delivery.subscriptionId) ?? 0) >= limits.perSubscriptionPerHour) {
      outcome = {
        status: 'suppressed',
        reason: `rate limit: ${String(limits.perSubscriptionPerHour)} deliveries an hour for this subscription`,
      };
    } else if ((byChannel.get(delivery.channel) ?? 0) >= limits.perChannelPerMinute) {
      outcome = { status: 'deferred' };
    } else {
      try {
        // A secret that does not open is this attempt's error: never a request without it.
        await senders[delivery.channel](withSecret(delivery, keys));
        outcome = { status: 'sent' };
        bySubscription.set(delivery.subscriptionId, (bySubscription.get(delivery.subscriptionId) ?? 0) + 1);
        byChannel.set(delivery.channel, (byChannel.get(delivery.channel) ?? 0) + 1);
      } catch (error) {
        const message = (error instanceof Error ? error.message : String(error)).slice(0, 500);
        outcome = {
          status: 'retry',
          error: message,
          retryAtMs: retryAt(delivery.attempts + 1, limits, now()),
        };
        // The target may be an address or chat id; the secret never leaves the delivery.
        log.warn(
          {
            delivery: delivery.id,
            subscription: delivery.subscriptionId,
            channel: delivery.channel,
            attempt: delivery.attempts + 1,
            error: message,
            givenUp: outcome.retryAtMs === null,
          },
          'alerts: a delivery failed',
        );
      }
    }
    await recordOutcome(db, delivery, outcome);
    counts[outcome.status] += 1;
  }
  return counts;
}

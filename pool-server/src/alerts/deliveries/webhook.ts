/**
 * Webhook delivery: a JSON POST signed as Stripe and GitHub sign theirs, so a receiver can
 * tell it came from this pool and is not a replay.
 *
 * - `X-Hashwatt-Timestamp`: seconds since the epoch when it was sent;
 * - `X-Hashwatt-Signature`: `v1=` and the hex HMAC-SHA256, keyed by the subscription's
 *   secret, of `<timestamp>.<body>`;
 * - `X-Hashwatt-Delivery`: the delivery's id, the same on every retry (for idempotency).
 *
 * A receiver recomputes the signature over the raw body, compares it in constant time and
 * refuses a timestamp further than its replay window (5 minutes) from its clock:
 * `verifyWebhook` below does all three.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { requestError, webhookBody, type Sender } from './message.ts';

export const SIGNATURE_HEADER = 'x-hashwatt-signature';
export const TIMESTAMP_HEADER = 'x-hashwatt-timestamp';
export const DELIVERY_HEADER = 'x-hashwatt-delivery';
/** How far a receiver lets a timestamp be from its clock. */
export const REPLAY_WINDOW_SECONDS = 300;

export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** A receiver's check: the signature is ours and the timestamp within the replay window. */
export function verifyWebhook(input: {
  readonly secret: string;
  readonly timestamp: string | undefined;
  readonly signature: string | undefined;
  readonly body: string;
  readonly nowMs: number;
  readonly windowSeconds?: number;
}): boolean {
  const { timestamp, signature } = input;
  if (timestamp === undefined || signature === undefined || !/^\d{1,12}$/.test(timestamp)) {
    return false;
  }
  if (Math.abs(input.nowMs / 1000 - Number(timestamp)) > (input.windowSeconds ?? REPLAY_WINDOW_SECONDS)) {
    return false;
  }
  const expected = Buffer.from(signWebhook(input.secret, timestamp, input.body));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Loopback, private, shared, link-local and unspecified ranges [RFC 6890]. */
const PRIVATE = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const) {
  PRIVATE.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['::ffff:0:0', 96],
  ['fc00::', 7],
  ['fe80::', 10],
] as const) {
  PRIVATE.addSubnet(network, prefix, 'ipv6');
}

/**
 * Refuses a host that is, or resolves to, a private address. A name that resolves
 * differently by the time of the request (DNS rebinding) is not caught here.
 */
async function checkPublicHost(url: string): Promise<void> {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  const addresses =
    isIP(host) === 0 ? await lookup(host, { all: true }) : [{ address: host, family: isIP(host) }];
  for (const { address, family } of addresses) {
    if (PRIVATE.check(address, family === 6 ? 'ipv6' : 'ipv4')) {
      throw new Error(
        `refused: the webhook's host is a private or loopback address (${address}); see alerts.webhookPrivateTargets`,
      );
    }
  }
}

export function webhookSender(options: {
  readonly timeoutMs: number;
  readonly privateTargets: boolean;
  readonly now: () => number;
}): Sender {
  return async (delivery) => {
    if (delivery.secret === null) {
      throw new Error('the subscription has no signing secret');
    }
    if (!options.privateTargets) {
      await checkPublicHost(delivery.target).catch((error: unknown) => {
        throw error instanceof Error && error.message.startsWith('refused:')
          ? error
          : new Error(requestError(error), { cause: error });
      });
    }
    const sentAtMs = options.now();
    const body = webhookBody(delivery, sentAtMs);
    const timestamp = String(Math.floor(sentAtMs / 1000));
    let response: Response;
    try {
      response = await fetch(delivery.target, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'hashwatt-alerts',
          [TIMESTAMP_HEADER]: timestamp,
          [SIGNATURE_HEADER]: signWebhook(delivery.secret, timestamp, body),
          [DELIVERY_HEADER]: delivery.id,
        },
        // A redirect would carry the signed body somewhere the subscriber did not name.
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      throw new Error(requestError(error), { cause: error });
    }
    await response.body?.cancel();
    if (response.status < 200 || response.status > 299) {
      throw new Error(`HTTP ${String(response.status)}`);
    }
  };
}

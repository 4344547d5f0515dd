import { describe, expect, test } from 'vitest';
import type { DueDelivery } from '../store.ts';
import { signWebhook, verifyWebhook, webhookSender } from './webhook.ts';

const delivery = (target: string): DueDelivery => ({
  id: '1',
  subscriptionId: '1',
  channel: 'webhook',
  notice: 'opened',
  attempts: 0,
  target,
  secret: 'secret',
  language: 'en',
  alertId: '1',
  rule: 'block-found',
  subject: 'block:ab',
  summary: 'block 1 found',
  facts: {},
  openedAt: new Date(0),
  resolvedAt: null,
});

describe('webhook signatures', () => {
  const body = '{"alert":1}';
  const at = 1_765_000_000;

  test('v1= and the hex HMAC-SHA256 of "<timestamp>.<body>"', () => {
    // printf '%s' '1765000000.{"alert":1}' | openssl dgst -sha256 -hmac secret
    expect(signWebhook('secret', String(at), body)).toBe(
      'v1=83c6fe096feccb62bfb6d71c54dc82789f4b0d67f4a685a372c8431026a51ea9',
    );
  });

  test('a receiver accepts it within the window, and nothing else', () => {
    const signed = {
      secret: 'secret',
      timestamp: String(at),
      signature: signWebhook('secret', String(at), body),
      body,
    };
    expect(verifyWebhook({ ...signed, nowMs: at * 1000 + 299_000 })).toBe(true);
    expect(verifyWebhook({ ...signed, nowMs: at * 1000 - 299_000 })).toBe(true);
    expect(verifyWebhook({ ...signed, nowMs: at * 1000 + 301_000 })).toBe(false);
    expect(verifyWebhook({ ...signed, timestamp: undefined, nowMs: at * 1000 })).toBe(false);
    expect(verifyWebhook({ ...signed, timestamp: '1e9', nowMs: at * 1000 })).toBe(false);
    expect(verifyWebhook({ ...signed, signature: 'v1=00', nowMs: at * 1000 })).toBe(false);
  });
});

describe('webhook targets', () => {
  const send = webhookSender({ timeoutMs: 1_000, privateTargets: false, now: () => 0 });

  test.each([
    'http://127.0.0.1:5432/',
    'http://localhost:8080/hook',
    'http://[::1]/hook',
    'https://10.1.2.3/hook',
    'https://192.168.0.10/hook',
    'http://169.254.169.254/latest/meta-data/',
    'http://[::ffff:127.0.0.1]/hook',
  ])('%s is refused without a request', async (target) => {
    await expect(send(delivery(target))).rejects.toThrow(
      /^refused: the webhook's host is a private or loopback address/,
    );
  });
});

/**
 * Starts: the HTTP API on a real PostgreSQL database, a local webhook receiver, a local
 * SMTP server (smtp-server) and a stand-in for the Telegram Bot API, each once. Alerts are
 * subscribed to through the API, then each round (evaluate + deliver) is driven directly:
 * what the receivers got, and what the deliveries recorded.
 */
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import type { Static } from 'typebox';
import Value from 'typebox/value';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertDelivery, AlertSubscriptionCreated, AlertSubscriptionList } from '@hashwatt/schemas';
import { verifyWebhook } from '../../src/alerts/deliveries/webhook.ts';
import { AlertSecretKeys } from '../../src/alerts/secret-keys.ts';
import { openNew } from '../../src/alerts/store.ts';
import {
  createSubscription,
  MAX_SUBSCRIPTIONS_PER_OWNER,
  resealSecrets,
} from '../../src/alerts/subscriptions.ts';
import { withTransaction } from '../../src/db/transaction.ts';
import { AlertsSettings } from '../../src/config/alerts.ts';
import { ingestTelemetry } from '../../src/farms/telemetry-ingest.ts';
import { alertsRound } from '../../src/roles/alerts.ts';
import { farmOfOperator, startTestApi, type FarmOfOperator, type TestApi } from '../helpers/api.ts';
import { bareSample } from '../helpers/samples.ts';

interface Received {
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** An HTTP server that records each request and answers with the next queued reply (else 200 `{"ok":true}`). */
async function receiver(): Promise<{
  server: Server;
  url: string;
  got: Received[];
  replies: [number, string][];
}> {
  const got: Received[] = [];
  const replies: [number, string][] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      got.push({
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const [status, body] = replies.shift() ?? [200, '{"ok":true}'];
      response.writeHead(status, { 'content-type': 'application/json' }).end(body);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`, got, replies };
}

const BOT_TOKEN = '123456:test-token-never-shown';

describe('alerts', () => {
  let api: TestApi;
  let farm: FarmOfOperator;
  let webhook: Awaited<ReturnType<typeof receiver>>;
  let telegram: Awaited<ReturnType<typeof receiver>>;
  let smtp: SMTPServer;
  const mails: { to: string[]; text: string }[] = [];
  let round: ReturnType<typeof alertsRound>;
  let alerts: Static<typeof AlertsSettings>;
  let dataDir: string;
  let blocks = 0;

  beforeAll(async () => {
    api = await startTestApi();
    farm = await farmOfOperator(api, 'op@alerts.test');
    webhook = await receiver();
    telegram = await receiver();
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          mails.push({
            to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
            text: Buffer.concat(chunks).toString('utf8'),
          });
          callback();
        });
      },
    });
    smtp.listen(0, '127.0.0.1');
    await once(smtp.server, 'listening');
    alerts = Value.Parse(
      AlertsSettings,
      Value.Default(AlertsSettings, {
        smtp: {
          host: '127.0.0.1',
          port: (smtp.server.address() as AddressInfo).port,
          from: 'pool <alerts@pool.test>',
        },
        telegram: { apiBaseUrl: telegram.url, botToken: BOT_TOKEN },
        maxAttempts: 2,
        perSubscriptionPerHour: 4,
        // The receivers are on this machine: a pool's default refuses private addresses.
        webhookPrivateTargets: true,
      }),
    );
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'hashwatt-alerts-'));
    round = alertsRound(
      // No Stratum node here: journals are made by hand where a test needs them.
      { alerts, gapAlertPercent: 10, dataDir, secrets: api.alertSecrets },
      api.database.db,
      pino({ level: 'silent' }),
    );
    // The first round marks where events start: nothing before it is news.
    await round.run();
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
    round.close();
    smtp.close();
    webhook.server.close();
    telegram.server.close();
    await api.close();
  });

  const subscribe = (payload: object, headers = farm.operator) =>
    api.app.inject({ method: 'POST', url: '/api/alerts/subscriptions', headers, payload });

  async function deliveries(): Promise<AlertDelivery[]> {
    const response = await api.app.inject({
      method: 'GET',
      url: '/api/alerts/deliveries',
      headers: farm.operator,
    });
    return response.json<{ items: AlertDelivery[] }>().items;
  }

  async function foundBlock(): Promise<string> {
    blocks += 1;
    const hash = blocks.toString(16).padStart(64, '0');
    await api.database.db.query(
      `INSERT INTO blocks (hash, height, reward, fees, finder_worker, network_difficulty, scheme, status, found_at)
       VALUES ($1, $2, 312500000, 0, 'rig1', 1, 'pplns', 'pending', now())`,
      [hash, 900_000 + blocks],
    );
    return hash;
  }

  let secret = '';
  let webhookId = '';

  it('makes a webhook subscription for the organisation, its secret shown once', async () => {
    const response = await subscribe({
      organisationId: farm.organisationId,
      channel: 'webhook',
      target: `${webhook.url}/hooks/pool`,
      rules: ['device-silent', 'block-found'],
      sendResolved: true,
      label: 'on-call',
    });
    expect(response.statusCode).toBe(201);
    const created = response.json<AlertSubscriptionCreated>();
    expect(created.webhookSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    secret = created.webhookSecret ?? '';
    webhookId = created.subscription.id;
    const listed = await api.app.inject({
      method: 'GET',
      url: '/api/alerts/subscriptions',
      headers: farm.operator,
    });
    expect(listed.json<AlertSubscriptionList>().items.map((item) => item.id)).toEqual([webhookId]);
    expect(listed.body).not.toContain(secret);
    const audit = await api.database.db.query(
      "SELECT after::text FROM audit_log WHERE action = 'alert-subscription.create'",
    );
    expect(audit.rows).toHaveLength(1);
    expect(JSON.stringify(audit.rows)).not.toContain(secret);
    // At rest the row holds it sealed under the pool's key, never in plain.
    const { rows } = await api.database.db.query<{ row: string; secret: string | null; sealed: string }>(
      'SELECT row_to_json(s)::text AS row, s.secret, s.sealed_secret AS sealed FROM alert_subscriptions s WHERE id = $1',
      [webhookId],
    );
    expect(rows[0]?.row).not.toContain(secret);
    expect(rows[0]?.secret).toBeNull();
    expect(rows[0]?.sealed.startsWith(`hwseal1.${api.alertSecrets.currentId}.`)).toBe(true);
  });

  it('refuses bad subscriptions, naming the field, and stores nothing', async () => {
    const bad = [
      [{ channel: 'webhook', target: 'ftp://example.org/x', rules: ['block-found'] }, 'body.target'],
      [{ channel: 'webhook', target: 'https://user:pw@example.org/', rules: ['block-found'] }, 'body.target'],
      [{ channel: 'email', target: 'not an address', rules: ['block-found'] }, 'body.target'],
      [{ channel: 'telegram', target: 'chat', rules: ['block-found'] }, 'body.target'],
      [{ channel: 'email', target: 'a@b.test', rules: ['block-found'], botToken: '1:x' }, 'body.botToken'],
      [{ channel: 'email', target: 'a@b.test', rules: ['no-such-rule'] }, undefined],
      [{ channel: 'email', target: 'a@b.test', rules: [] }, undefined],
    ] as const;
    for (const [payload, field] of bad) {
      const response = await subscribe(payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      if (field !== undefined) {
        expect(response.json<{ field: string }>().field).toBe(field);
      }
    }
    const { rows } = await api.database.db.query('SELECT count(*)::int AS n FROM alert_subscriptions');
    expect(rows[0]).toEqual({ n: 1 });
  });

  it("keeps other organisations and strangers out of an organisation's subscriptions", async () => {
    const other = await farmOfOperator(api, 'op@other.test', { organisation: 'Other Co', farm: 'Hall B' });
    const intrude = await subscribe(
      {
        organisationId: farm.organisationId,
        channel: 'email',
        target: 'x@other.test',
        rules: ['block-found'],
      },
      other.operator,
    );
    expect(intrude.statusCode).toBe(404);
    const remove = await api.app.inject({
      method: 'DELETE',
      url: `/api/alerts/subscriptions/${webhookId}`,
      headers: other.operator,
    });
    expect(remove.statusCode).toBe(404);
    const listed = await api.app.inject({
      method: 'GET',
      url: '/api/alerts/subscriptions',
      headers: other.operator,
    });
    expect(listed.json<AlertSubscriptionList>().items).toEqual([]);
    // Regulators are refused every alerts route (403): api-roles.test.ts walks each route for each role.
    const anonymous = await api.app.inject({ method: 'GET', url: '/api/alerts/subscriptions' });
    expect(anonymous.statusCode).toBe(401);
  });

  it('sends a silent device once, signed, and its resolution when it reports again', async () => {
    const now = Date.now();
    await ingestTelemetry(api.database.db, farm.farmId, {
      batchId: '00000000-0000-4000-8000-00000000a1e1',
      agentVersion: 'test',
      miners: [bareSample('10.0.4.17:4028', new Date(now - 20 * 60_000).toISOString())],
      meters: [],
      dropped: 0,
    });
    await round.run();
    await round.run();
    expect(webhook.got).toHaveLength(1);
    const [request] = webhook.got;
    const body = JSON.parse(request?.body ?? '') as {
      notice: string;
      alert: { rule: string; summary: string };
    };
    expect(request?.url).toBe('/hooks/pool');
    expect(body.notice).toBe('opened');
    expect(body.alert.rule).toBe('device-silent');
    expect(body.alert.summary).toMatch(/^Hall A: 10\.0\.4\.17:4028 has not reported for 2\d minutes$/);
    const signed = {
      secret,
      timestamp: request?.headers['x-hashwatt-timestamp'] as string,
      signature: request?.headers['x-hashwatt-signature'] as string,
      body: request?.body ?? '',
    };
    expect(verifyWebhook({ ...signed, nowMs: Date.now() })).toBe(true);
    // A changed body, another secret, or the same request replayed later than the window: refused.
    expect(
      verifyWebhook({ ...signed, body: signed.body.replace('opened', 'resolved'), nowMs: Date.now() }),
    ).toBe(false);
    expect(verifyWebhook({ ...signed, secret: 'another', nowMs: Date.now() })).toBe(false);
    expect(verifyWebhook({ ...signed, nowMs: Date.now() + 301_000 })).toBe(false);
    expect(request?.headers['x-hashwatt-delivery']).toMatch(/^\d+$/);

    await ingestTelemetry(api.database.db, farm.farmId, {
      batchId: '00000000-0000-4000-8000-00000000a1e2',
      agentVersion: 'test',
      miners: [bareSample('10.0.4.17:4028', new Date().toISOString())],
      meters: [],
      dropped: 0,
    });
    await round.run();
    expect(webhook.got).toHaveLength(2);
    expect(JSON.parse(webhook.got[1]?.body ?? '')).toMatchObject({
      notice: 'resolved',
      alert: { rule: 'device-silent' },
    });
    expect((await deliveries()).map((d) => [d.notice, d.status, d.attempts])).toEqual([
      ['resolved', 'sent', 1],
      ['opened', 'sent', 1],
    ]);
  });

  it('retries a failing webhook after a wait, then records it failed after the last attempt', async () => {
    webhook.replies.push([500, 'down'], [503, 'still down']);
    const hash = await foundBlock();
    await round.run();
    const [first] = await deliveries();
    expect(first).toMatchObject({
      rule: 'block-found',
      subject: `block:${hash}`,
      status: 'pending',
      attempts: 1,
      lastError: 'HTTP 500',
    });
    const { rows } = await api.database.db.query<{ wait: number }>(
      `SELECT extract(epoch FROM next_attempt_at - now())::float AS wait FROM alert_deliveries WHERE id = $1`,
      [first?.id],
    );
    expect(rows[0]?.wait).toBeGreaterThan(20);
    // Not yet due: nothing is sent.
    await round.run();
    expect(webhook.got).toHaveLength(3);
    // The wait is over.
    await api.database.db.query('UPDATE alert_deliveries SET next_attempt_at = now() WHERE id = $1', [
      first?.id,
    ]);
    await round.run();
    expect(webhook.got).toHaveLength(4);
    expect((await deliveries())[0]).toMatchObject({ status: 'failed', attempts: 2, lastError: 'HTTP 503' });
    // The same delivery id on each attempt: a receiver can drop a repeat.
    expect(webhook.got[3]?.headers['x-hashwatt-delivery']).toBe(
      webhook.got[2]?.headers['x-hashwatt-delivery'],
    );
  });

  it('sends e-mail through the SMTP server', async () => {
    const response = await subscribe({
      channel: 'email',
      target: 'night-shift@farm.test',
      rules: ['block-found'],
    });
    expect(response.statusCode).toBe(201);
    expect(response.json<AlertSubscriptionCreated>().webhookSecret).toBeNull();
    await foundBlock();
    await round.run();
    expect(mails).toHaveLength(1);
    expect(mails[0]?.to).toEqual(['night-shift@farm.test']);
    expect(mails[0]?.text).toMatch(/Subject: Alert: block 90000\d found by \.rig1/);
    expect((await deliveries()).find((d) => d.channel === 'email')).toMatchObject({ status: 'sent' });
  });

  it("sends Telegram messages through the Bot API in the subscription's language, and records its refusal without the token", async () => {
    const response = await subscribe({
      channel: 'telegram',
      target: '-1001234567890',
      rules: ['block-found'],
      language: 'fa',
    });
    expect(response.statusCode).toBe(201);
    expect(response.json<AlertSubscriptionCreated>().subscription.language).toBe('fa');
    await foundBlock();
    await round.run();
    const sent = telegram.got.at(-1);
    expect(sent?.url).toBe(`/bot${BOT_TOKEN}/sendMessage`);
    const message = JSON.parse(sent?.body ?? '') as { chat_id: string; text: string };
    expect(message.chat_id).toBe('-1001234567890');
    // Persian words and digits, the amount in bitcoin: worded from the alert's facts.
    expect(message.text).toMatch(/^هشدار: بلاک ۹۰۰٬?۰۰[۰-۹] را \.rig1 یافت \([۰-۹]+٫[۰-۹]{8} بیت‌کوین\)\n/);
    expect(message.text).toContain('قاعده: یافتن بلاک (block-found)');
    telegram.replies.push([
      403,
      '{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}',
    ]);
    await foundBlock();
    await round.run();
    const refused = (await deliveries()).find((d) => d.channel === 'telegram' && d.status !== 'sent');
    expect(refused).toMatchObject({
      status: 'pending',
      lastError: 'Telegram 403: Forbidden: bot was blocked by the user',
    });
    const { rows } = await api.database.db.query(
      "SELECT last_error FROM alert_deliveries WHERE last_error LIKE '%test-token%'",
    );
    expect(rows).toEqual([]);
  });

  it("keeps an admins' alert (a failing TimescaleDB job) from an operator's subscription", async () => {
    const response = await subscribe({
      channel: 'email',
      target: 'dba@farm.test',
      rules: ['timescale-job-failing'],
    });
    expect(response.statusCode).toBe(201);
    const [opened] = await openNew(api.database.db, [
      {
        rule: 'timescale-job-failing',
        subject: 'timescale-job:1002',
        once: false,
        audience: 'admin',
        organisationId: null,
        farmId: null,
        summary: 'TimescaleDB job Compression Policy [1002] is failing',
        facts: {},
      },
    ]);
    expect(opened).toMatch(/^\d+$/);
    const { rows } = await api.database.db.query('SELECT 1 FROM alert_deliveries WHERE alert_id = $1', [
      opened,
    ]);
    expect(rows).toEqual([]);
  });

  it("opens an admins' alert while shares wait in a node's journal, and resolves it once stored", async () => {
    const journal = path.join(dataDir, 'journal', 'node-5');
    const file = path.join(journal, 'journal-000000000001.ndjson');
    await mkdir(journal, { recursive: true });
    await writeFile(file, '["b","batch",1]\n');
    const sealedAt = new Date(Date.now() - 15 * 60_000);
    await utimes(file, sealedAt, sealedAt);
    const lagAlerts = async () =>
      (
        await api.database.db.query<{ audience: string; summary: string; resolved: boolean }>(
          `SELECT audience, summary, resolved_at IS NOT NULL AS resolved FROM alerts
            WHERE rule = 'ledger-lag' AND subject = 'journal:node-5'`,
        )
      ).rows;
    await round.run();
    expect(await lagAlerts()).toEqual([
      {
        audience: 'admin',
        summary: expect.stringMatching(
          /^shares accepted by Stratum node 5 have waited 1[56] minutes for the database \(1 journal files, 0\.0 MiB\)$/,
        ) as string,
        resolved: false,
      },
    ]);
    await rm(file);
    await round.run();
    expect((await lagAlerts()).map((alert) => alert.resolved)).toEqual([true]);
  });

  it("suppresses what is over a subscription's hourly limit, and says so", async () => {
    // The e-mail subscription has been sent 3 blocks; the limit is 4 an hour.
    await foundBlock();
    await foundBlock();
    await round.run();
    const email = (await deliveries()).filter((d) => d.channel === 'email');
    expect(email.map((d) => d.status).sort()).toEqual(['sent', 'sent', 'sent', 'sent', 'suppressed']);
    expect(email.find((d) => d.status === 'suppressed')?.lastError).toBe(
      'rate limit: 4 deliveries an hour for this subscription',
    );
  });

  it("refuses a subscription past the owner's limit, storing nothing", async () => {
    const db = api.database.db;
    const mine = async () =>
      (
        await db.query<{ count: number }>(
          'SELECT count(*)::int AS count FROM alert_subscriptions WHERE user_id = $1',
          [farm.operatorId],
        )
      ).rows[0]?.count ?? 0;
    const filler: string[] = [];
    while ((await mine()) < MAX_SUBSCRIPTIONS_PER_OWNER) {
      const made = await createSubscription(
        db,
        { channel: 'email', target: `filler-${String(filler.length)}@farm.test`, rules: ['payout-sent'] },
        { userId: farm.operatorId },
        farm.operatorId,
        api.alertSecrets,
      );
      filler.push(made.subscription.id);
    }
    const refused = await subscribe({
      channel: 'email',
      target: 'one-more@farm.test',
      rules: ['block-found'],
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.json<{ error: string }>().error).toBe('HW_ERR_ALERT_SUBSCRIPTION_LIMIT');
    expect(await mine()).toBe(MAX_SUBSCRIPTIONS_PER_OWNER);
    await db.query('DELETE FROM alert_subscriptions WHERE id = ANY($1::bigint[])', [filler]);
  });

  /** A round like the pool's, with `secrets` as its alert secret key. */
  const roundWith = (secrets: AlertSecretKeys) =>
    alertsRound(
      { alerts, gapAlertPercent: 10, dataDir, secrets },
      api.database.db,
      pino({ level: 'silent' }),
    );

  it('refuses to send a webhook whose secret another key sealed, saying which key, never unsigned', async () => {
    const wrong = roundWith(AlertSecretKeys.open(path.join(dataDir, 'another-alert-secret.key')));
    // The hourly limit (4) was reached by the tests above: their sends are moved an hour back.
    await api.database.db.query(
      "UPDATE alert_deliveries SET sent_at = sent_at - interval '1 hour' WHERE subscription_id = $1",
      [webhookId],
    );
    const before = webhook.got.length;
    const hash = await foundBlock();
    await wrong.run();
    wrong.close();
    expect(webhook.got).toHaveLength(before);
    const [refused] = (await deliveries()).filter(
      (d) => d.subject === `block:${hash}` && d.channel === 'webhook',
    );
    expect(refused).toMatchObject({ status: 'pending', attempts: 1 });
    expect(refused?.lastError).toBe(
      `the secret of subscription ${webhookId} was sealed under alert secret key ${api.alertSecrets.currentId}, but ${path.join(dataDir, 'another-alert-secret.key')} holds key ${
        AlertSecretKeys.open(path.join(dataDir, 'another-alert-secret.key')).currentId
      } and no key retired beside it is ${api.alertSecrets.currentId}: put that key file back (a backup carries it)`,
    );
    // With the pool's own key the next attempt goes, signed as ever.
    await api.database.db.query('UPDATE alert_deliveries SET next_attempt_at = now() WHERE id = $1', [
      refused?.id,
    ]);
    await round.run();
    const sent = webhook.got.at(-1);
    expect(JSON.parse(sent?.body ?? '{}')).toMatchObject({ alert: { subject: `block:${hash}` } });
    expect(
      verifyWebhook({
        secret,
        timestamp: sent?.headers['x-hashwatt-timestamp'] as string,
        signature: sent?.headers['x-hashwatt-signature'] as string,
        body: sent?.body ?? '',
        nowMs: Date.now(),
      }),
    ).toBe(true);
  });

  it('seals a secret kept in plain before 0030 at its first round, and seals all again after a rotation', async () => {
    const db = api.database.db;
    const plain = 'a-secret-stored-before-0030-xxxxxxxxxxxxxxx';
    await db.query(
      `INSERT INTO alert_subscriptions (user_id, channel, target, secret, rules, created_by)
       VALUES ($1, 'webhook', $2, $3, '{payout-sent}', $1)`,
      [farm.operatorId, `${webhook.url}/hooks/old`, plain],
    );
    const keyFile = path.join(dataDir, 'rotated', 'alert-secret.key');
    const first = AlertSecretKeys.open(keyFile);
    await db.query(`UPDATE alert_subscriptions SET sealed_secret = NULL, secret = $2 WHERE id = $1`, [
      webhookId,
      secret,
    ]);
    const fresh = roundWith(first);
    await fresh.run();
    fresh.close();
    const stored = async () =>
      (
        await db.query<{ id: string; secret: string | null; sealed_secret: string }>(
          "SELECT id::text, secret, sealed_secret FROM alert_subscriptions WHERE channel = 'webhook' ORDER BY id",
        )
      ).rows;
    const sealedOnce = await stored();
    expect(sealedOnce.map((row) => row.secret)).toEqual([null, null]);
    expect(sealedOnce.map((row) => first.open(row.sealed_secret, row.id))).toEqual([secret, plain]);

    const { keys: rotated, retiredAs } = AlertSecretKeys.rotate(keyFile);
    expect(retiredAs).toBe(`${keyFile}.retired-${first.currentId}`);
    expect(await withTransaction(db, (tx) => resealSecrets(tx, rotated))).toBe(2);
    const sealedAgain = await stored();
    expect(sealedAgain.map((row) => row.sealed_secret.split('.')[1])).toEqual([
      rotated.currentId,
      rotated.currentId,
    ]);
    expect(sealedAgain.map((row) => rotated.open(row.sealed_secret, row.id))).toEqual([secret, plain]);
    // Nothing left to seal: a second pass changes nothing.
    expect(await withTransaction(db, (tx) => resealSecrets(tx, rotated))).toBe(0);
    await db.query("DELETE FROM alert_subscriptions WHERE target LIKE '%/hooks/old'");
    await db.query('UPDATE alert_subscriptions SET sealed_secret = $2 WHERE id = $1', [
      webhookId,
      api.alertSecrets.seal(secret, webhookId),
    ]);
  });
});

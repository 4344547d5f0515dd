/**
 * Alerts on the writer's timer, never on the Stratum thread: every alerts.intervalSeconds
 * the rules are evaluated against the domains' facts, then due deliveries are sent by
 * webhook, e-mail and Telegram.
 */
import type { Logger } from 'pino';
import { dispatchDue } from '../alerts/dispatcher.ts';
import { smtpSender } from '../alerts/deliveries/smtp.ts';
import { telegramSender } from '../alerts/deliveries/telegram.ts';
import { webhookSender } from '../alerts/deliveries/webhook.ts';
import { evaluateAlerts } from '../alerts/evaluate.ts';
import type { AlertSecretKeys } from '../alerts/secret-keys.ts';
import { sealPlainSecrets } from '../alerts/subscriptions.ts';
import { withTransaction } from '../db/transaction.ts';
import { poolAlertThresholds } from '../farms/alert-thresholds.ts';
import type { Static } from 'typebox';
import type { AlertsSettings } from '../config/alerts.ts';
import type { Database } from '../db/pool.ts';
import { Schedule } from '../ledger/schedule.ts';
import { journalSizes } from './metrics-sources.ts';

export interface RunningAlerts {
  /** Evaluates and delivers once now (or joins the round under way). */
  runNow(): Promise<void>;
  stop(): Promise<void>;
}

export interface AlertsRoleSettings {
  /** config.alerts */
  readonly alerts: Static<typeof AlertsSettings>;
  /** config.farms.hashrateGapAlertPercent: a device's reported and pool hashrate this far apart is an alert. */
  readonly gapAlertPercent: number;
  /** config.dataDir: the share journals of this host's Stratum nodes are read there. */
  readonly dataDir: string;
  /** Opens the subscriptions' sealed secrets, and seals those stored before they were. */
  readonly secrets: AlertSecretKeys;
}

/** The alerts' evaluation and delivery as one round, as the schedule runs it. */
export function alertsRound(
  settings: AlertsRoleSettings,
  db: Database,
  log: Logger,
  now: () => number = Date.now,
) {
  const { alerts, gapAlertPercent, dataDir, secrets } = settings;
  // Secrets stored in plain before 0030 (or under a rotated key) are sealed by the first round.
  let sealed = false;
  const timeoutMs = alerts.timeoutSeconds * 1_000;
  const smtp = smtpSender(alerts.smtp, timeoutMs);
  const senders = {
    webhook: webhookSender({ timeoutMs, privateTargets: alerts.webhookPrivateTargets, now }),
    email: smtp.send,
    telegram: telegramSender({ ...alerts.telegram, timeoutMs }),
  };
  return {
    async run(): Promise<void> {
      if (!sealed) {
        // A failure here is logged and tried again next round: deliveries still go.
        await withTransaction(db, (tx) => sealPlainSecrets(tx, secrets)).then(
          (count) => {
            sealed = true;
            if (count > 0) {
              log.info({ count }, 'alerts: subscription secrets sealed under the alert secret key');
            }
          },
          (error: unknown) => {
            log.error({ err: error }, 'alerts: the plain subscription secrets could not be sealed');
          },
        );
      }
      // A round whose evaluation fails still sends what is due: earlier alerts are not held up.
      const evaluated = await evaluateAlerts(
        db,
        {
          thresholds: {
            ...poolAlertThresholds(alerts, gapAlertPercent),
            ledgerLagMinutes: alerts.ledgerLagMinutes,
          },
          journals: () => journalSizes(dataDir),
        },
        now(),
      ).catch((error: unknown) => {
        log.error({ err: error }, 'alerts: the rules could not be evaluated; due deliveries are still sent');
        return { opened: 0, resolved: 0 };
      });
      const delivered = await dispatchDue(
        db,
        senders,
        {
          maxAttempts: alerts.maxAttempts,
          retryBaseMs: alerts.retryBaseSeconds * 1_000,
          perSubscriptionPerHour: alerts.perSubscriptionPerHour,
          perChannelPerMinute: alerts.perChannelPerMinute,
          leaseMs: 3 * timeoutMs,
        },
        now,
        log,
        secrets,
      );
      if (evaluated.opened + evaluated.resolved + delivered.sent + delivered.retry > 0) {
        log.info({ ...evaluated, ...delivered }, 'alerts: evaluated and delivered');
      }
    },
    close: () => {
      smtp.close();
    },
  };
}

export function startAlerts(settings: AlertsRoleSettings, db: Database, log: Logger): RunningAlerts {
  const round = alertsRound(settings, db, log);
  const schedule = new Schedule(
    [{ name: 'alerts', intervalMs: settings.alerts.intervalSeconds * 1_000, run: () => round.run() }],
    log,
  );
  schedule.start();
  return {
    runNow: () => schedule.runNow('alerts'),
    async stop() {
      await schedule.stop();
      round.close();
    },
  };
}

import type { DueDelivery } from '../store.ts';

/** A channel hands one delivery to its receiver, or throws why it could not. */
export type Sender = (delivery: DueDelivery) => Promise<void>;

/** The one-line subject of an e-mail or the first line of a chat message. */
export function headline(delivery: DueDelivery): string {
  return `${delivery.notice === 'resolved' ? 'Resolved' : 'Alert'}: ${delivery.summary}`;
}

/** The plain text of an e-mail or a chat message. */
export function plainText(delivery: DueDelivery): string {
  const lines = [
    headline(delivery),
    '',
    `Rule: ${delivery.rule}`,
    `Subject: ${delivery.subject}`,
    `Opened: ${delivery.openedAt.toISOString()}`,
  ];
  if (delivery.resolvedAt !== null && delivery.notice === 'resolved') {
    lines.push(`Resolved: ${delivery.resolvedAt.toISOString()}`);
  }
  return lines.join('\n');
}

/** The JSON a webhook receives. */
export function webhookBody(delivery: DueDelivery, sentAtMs: number): string {
  return JSON.stringify({
    delivery: delivery.id,
    notice: delivery.notice,
    sentAt: new Date(sentAtMs).toISOString(),
    alert: {
      id: delivery.alertId,
      rule: delivery.rule,
      subject: delivery.subject,
      summary: delivery.summary,
      facts: delivery.facts,
      openedAt: delivery.openedAt.toISOString(),
      resolvedAt: delivery.resolvedAt?.toISOString() ?? null,
    },
  });
}

/** Why an HTTP request failed, without its URL (a Telegram URL holds the bot token). */
export function requestError(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') {
    return 'timed out';
  }
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (typeof cause?.code === 'string') {
    return cause.code;
  }
  return error instanceof Error ? error.message : String(error);
}

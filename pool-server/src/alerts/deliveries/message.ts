import type { DueDelivery } from '../store.ts';
import { sentenceOf } from './wording/index.ts';

/** A channel hands one delivery to its receiver, or throws why it could not. */
export type Sender = (delivery: DueDelivery) => Promise<void>;

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
      // The subscription's language: what a chat bridge behind the webhook would show.
      language: delivery.language,
      text: sentenceOf(delivery),
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

/**
 * Telegram delivery through the Bot API's sendMessage: the subscription's own bot token,
 * else the pool's (alerts.telegram.botToken), to the subscription's chat id. The token is
 * part of the URL, so no error recorded or logged ever includes the URL.
 */
import { requestError, type Sender } from './message.ts';
import { bodyOf } from './wording/index.ts';

/** The Bot API's answer (https://core.telegram.org/bots/api#making-requests). */
interface BotApiReply {
  readonly ok?: boolean;
  readonly error_code?: number;
  readonly description?: string;
}

/** Telegram caps a message at 4096 characters. */
const MAX_TEXT = 4_096;

export function telegramSender(options: {
  readonly apiBaseUrl: string;
  readonly botToken?: string;
  readonly timeoutMs: number;
}): Sender {
  const base = options.apiBaseUrl.replace(/\/+$/, '');
  return async (delivery) => {
    const token = delivery.secret ?? options.botToken;
    if (token === undefined) {
      throw new Error('no Telegram bot token: set alerts.telegram.botToken or give the subscription one');
    }
    let response: Response;
    try {
      response = await fetch(`${base}/bot${token}/sendMessage`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          chat_id: delivery.target,
          text: bodyOf(delivery).slice(0, MAX_TEXT),
          disable_web_page_preview: true,
        }),
        redirect: 'error',
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      throw new Error(requestError(error), { cause: error });
    }
    const reply = (await response.json().catch(() => ({}))) as BotApiReply;
    if (!response.ok || reply.ok !== true) {
      const description = typeof reply.description === 'string' ? `: ${reply.description.slice(0, 200)}` : '';
      throw new Error(`Telegram ${String(reply.error_code ?? response.status)}${description}`);
    }
  };
}

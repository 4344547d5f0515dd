/** E-mail delivery over SMTP with nodemailer: one transport for the process, from alerts.smtp. */
import { createTransport } from 'nodemailer';
import type { Sender } from './message.ts';
import { bodyOf, headlineOf } from './wording/index.ts';

export interface SmtpSettings {
  readonly host?: string;
  readonly port: number;
  readonly secure: boolean;
  readonly user?: string;
  readonly password?: string;
  readonly from: string;
}

export interface SmtpSender {
  readonly send: Sender;
  close(): void;
}

export function smtpSender(settings: SmtpSettings, timeoutMs: number): SmtpSender {
  const { host } = settings;
  if (host === undefined) {
    return {
      send: () => Promise.reject(new Error('no SMTP server: set alerts.smtp.host')),
      close() {
        // No transport was made: nothing to close.
      },
    };
  }
  const transport = createTransport({
    host,
    port: settings.port,
    secure: settings.secure,
    ...(settings.user !== undefined && { auth: { user: settings.user, pass: settings.password ?? '' } }),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  return {
    async send(delivery) {
      await transport.sendMail({
        from: settings.from,
        to: delivery.target,
        subject: headlineOf(delivery).slice(0, 200),
        text: bodyOf(delivery),
      });
    },
    close() {
      transport.close();
    },
  };
}

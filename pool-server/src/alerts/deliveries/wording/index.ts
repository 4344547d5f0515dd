/**
 * An alert's words in the subscriber's language (en, fa, ru), made from its facts when
 * it is delivered: an operator in Isfahan or Irkutsk reads the Telegram message or the
 * e-mail in their own language and digits. An alert whose facts lack what its sentence
 * needs (one opened before the fact was kept) keeps the English summary it was stored with.
 */
import type { AlertLanguage, AlertRule } from '@hashwatt/schemas';
import { ENGLISH } from './en.ts';
import { PERSIAN } from './fa.ts';
import { Facts, OPENED_AT, Writer, type Wording } from './parts.ts';
import { RUSSIAN } from './ru.ts';

const WORDINGS: Readonly<Record<AlertLanguage, Wording>> = { en: ENGLISH, fa: PERSIAN, ru: RUSSIAN };

/** What a channel needs to word one notice. */
export interface AlertNotice {
  readonly language: AlertLanguage;
  readonly notice: 'opened' | 'resolved';
  readonly rule: AlertRule;
  readonly subject: string;
  /** The English sentence stored with the alert: the words when the facts cannot make them. */
  readonly summary: string;
  readonly facts: Readonly<Record<string, unknown>>;
  readonly openedAt: Date;
  readonly resolvedAt: Date | null;
}

/** The alert's sentence in the notice's language, or the stored English one. */
export function sentenceOf(notice: AlertNotice): string {
  const facts = new Facts({ ...notice.facts, [OPENED_AT]: notice.openedAt.toISOString() });
  return (
    WORDINGS[notice.language].rules[notice.rule].sentence(facts, new Writer(notice.language)) ??
    notice.summary
  );
}

/** The one-line subject of an e-mail or the first line of a chat message. */
export function headlineOf(notice: AlertNotice): string {
  const wording = WORDINGS[notice.language];
  return `${notice.notice === 'resolved' ? wording.resolved : wording.opened}: ${sentenceOf(notice)}`;
}

/** The plain text of an e-mail or a chat message. */
export function bodyOf(notice: AlertNotice): string {
  const wording = WORDINGS[notice.language];
  const write = new Writer(notice.language);
  const lines = [
    headlineOf(notice),
    '',
    `${wording.labels.rule}: ${wording.rules[notice.rule].name} (${notice.rule})`,
    `${wording.labels.subject}: ${notice.subject}`,
    `${wording.labels.opened}: ${write.time(notice.openedAt.toISOString()) ?? ''}`,
  ];
  if (notice.resolvedAt !== null && notice.notice === 'resolved') {
    lines.push(`${wording.labels.resolved}: ${write.time(notice.resolvedAt.toISOString()) ?? ''}`);
  }
  return lines.join('\n');
}

/**
 * An alert's words in the subscriber's language (en, fa, ru), made from its facts when
 * it is delivered: an operator in Isfahan or Irkutsk reads the Telegram message or the
 * e-mail in their own language and digits. An alert whose facts lack what its sentence
 * needs (one opened before the fact was kept) keeps the English summary it was stored with.
 */
import type { AlertLanguage, AlertRule } from '@hashwatt/schemas';
import { ENGLISH } from './en.ts';
import { PERSIAN } from './fa.ts';
import {
  FARM_RULES,
  farmNameOf,
  PARTS,
  Writer,
  type RuleParts,
  type Wording,
  type WordedRule,
} from './parts.ts';
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

/**
 * One rule's sentence: its parts from the facts, then the language's template over them.
 * R ties PARTS[rule] to sentences[rule] (TypeScript's correlated mapped types); with
 * the union alone the two could be any rule's.
 */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- see above: R correlates two lookups.
function worded<R extends WordedRule>(rule: R, notice: AlertNotice): string | undefined {
  const parts: RuleParts[R] | undefined = PARTS[rule](notice.facts, notice.openedAt.getTime());
  if (parts === undefined) {
    return undefined;
  }
  const sentence = WORDINGS[notice.language].sentences[rule](parts, new Writer(notice.language));
  if (!FARM_RULES.has(rule)) {
    return sentence;
  }
  const farm = farmNameOf(notice.facts);
  return farm === undefined ? undefined : `${farm}: ${sentence}`;
}

/** The alert's sentence in the notice's language, or the stored English one. */
export function sentenceOf(notice: AlertNotice): string {
  return worded(notice.rule, notice) ?? notice.summary;
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
    `${wording.labels.rule}: ${wording.names[notice.rule]} (${notice.rule})`,
    `${wording.labels.subject}: ${notice.subject}`,
    `${wording.labels.opened}: ${write.time(notice.openedAt.getTime())}`,
  ];
  if (notice.resolvedAt !== null && notice.notice === 'resolved') {
    lines.push(`${wording.labels.resolved}: ${write.time(notice.resolvedAt.getTime())}`);
  }
  return lines.join('\n');
}

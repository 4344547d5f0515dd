import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { ApiError } from './api-client.ts';

/**
 * The rules the API's validator words (ajv's messages after the field's path), each in
 * the reader's language; any other message is shown as the API wrote it.
 */
const RULES: readonly [RegExp, string][] = [
  [/^must be (?<operator>>=|>|<=|<) (?<limit>-?[\d.e+]+)$/, 'limit'],
  [/^must match format "(?<format>[\w-]+)"$/, 'format'],
  [/^must match pattern/, 'pattern'],
  [/^must NOT have fewer than (?<limit>\d+) (characters|items)$/, 'tooShort'],
  [/^must NOT have more than (?<limit>\d+) (characters|items)$/, 'tooLong'],
  [/^must have required property/, 'required'],
  [/^must be (integer|number|string|boolean)$/, 'type'],
  [/^must be equal to one of the allowed values$/, 'choice'],
];

function ruleText(t: TFunction, rule: string): string | undefined {
  for (const [pattern, key] of RULES) {
    const match = pattern.exec(rule);
    if (match) {
      return t(`fieldErrors.${key}`, { ...match.groups });
    }
  }
  return undefined;
}

/** The API's error when it names `path` or a part inside it (`body.bands` holds `body.bands.0.name`). */
export function errorAt(error: unknown, path: string): ApiError | undefined {
  if (!(error instanceof ApiError) || error.field === undefined) {
    return undefined;
  }
  return error.field === path || error.field.startsWith(`${path}.`) ? error : undefined;
}

/**
 * The API's refusal of one field, next to it: the code in the reader's words, and the
 * rule the value broke (translated where the validator worded it) or the API's reason.
 */
export function FieldError({ error, path }: { error: unknown; path: string }) {
  const { t, i18n } = useTranslation();
  const found = errorAt(error, path);
  if (!found) {
    return null;
  }
  const rule = found.message.startsWith(`${found.field ?? ''} `)
    ? found.message.slice((found.field ?? '').length + 1)
    : found.message;
  const translated = ruleText(t, rule);
  const lead = i18n.exists(`fieldErrors.${found.code}`) ? t(`fieldErrors.${found.code}`) : null;
  return (
    <span className="field-error" role="alert">
      {lead === null ? null : `${lead} `}
      {translated ?? <span dir="ltr">{rule}</span>}
    </span>
  );
}

import type { i18n as I18n, TFunction } from 'i18next';
import type { ApiError } from './api-client.ts';

/** An API error in the reader's language by its code; the API's own message for a code the catalogue lacks. */
export function errorText(t: TFunction, i18n: I18n, error: ApiError): string {
  return i18n.exists(`errors.${error.code}`)
    ? t(`errors.${error.code}`, { message: error.message })
    : t('errors.other', { message: error.message });
}

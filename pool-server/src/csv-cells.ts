/**
 * CSV cells any export writes (regulator reports, the audit log): quoted as RFC 4180 says
 * and made inert against spreadsheet formulas. A leaf module like errors.ts, because both
 * farms/ and accounts/ export CSV and neither may import the other's files.
 */

/** [OWASP CSV injection] A text cell starting with = + - @ tab or CR gets a leading apostrophe. */
export function inertText(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** [RFC 4180] A cell quoted when it holds a quote, a comma or a line break. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

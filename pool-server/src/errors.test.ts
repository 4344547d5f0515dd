import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { API_ERRORS, errorsReference, HwError } from './errors.ts';

describe('docs/errors.md', () => {
  const written = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');

  it('is what the code says (pnpm write-docs writes it)', () => {
    expect(written).toBe(errorsReference());
  });

  it('lists every code the API sends, and no code it does not', () => {
    const documented = [...written.matchAll(/`(HW_ERR_[A-Z_]+)`/g)].map((match) => match[1]);
    expect(new Set(documented)).toEqual(new Set(Object.keys(API_ERRORS)));
  });

  it('gives every code a status between 400 and 599 and a message that says what to do', () => {
    for (const [code, { status, message }] of Object.entries(API_ERRORS)) {
      expect(status, code).toBeGreaterThanOrEqual(400);
      expect(status, code).toBeLessThan(600);
      expect(message.endsWith('.'), code).toBe(true);
    }
  });
});

describe('HwError', () => {
  it('carries its code, status, message and field', () => {
    const error = new HwError('HW_ERR_EMAIL_TAKEN', undefined, 'body.email');
    expect({
      code: error.code,
      statusCode: error.statusCode,
      field: error.field,
      message: error.message,
    }).toEqual({
      code: 'HW_ERR_EMAIL_TAKEN',
      statusCode: 409,
      field: 'body.email',
      message: 'A user with this email exists already.',
    });
  });
});

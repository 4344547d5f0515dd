/**
 * Every error the API answers with: a stable code, its HTTP status, and a message that
 * says what to do. docs/errors.md lists them; a test keeps the two in step.
 */
export const API_ERRORS = {
  HW_ERR_VALIDATION: { status: 400, message: 'The request is not valid; see the field named.' },
  HW_ERR_BAD_JSON: { status: 400, message: 'The body is not valid JSON.' },
  HW_ERR_UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Send the body as application/json.' },
  HW_ERR_BODY_TOO_LARGE: { status: 413, message: 'The body is larger than the API accepts.' },
  HW_ERR_NOT_FOUND: { status: 404, message: 'No such route.' },
  HW_ERR_MINER_NOT_FOUND: {
    status: 404,
    message: 'No shares were ever received for this account or address.',
  },
  HW_ERR_WORKER_NOT_FOUND: {
    status: 404,
    message: 'This account has no worker of that name with a share in the last 24 hours.',
  },
  HW_ERR_USER_NOT_FOUND: { status: 404, message: 'No such user.' },
  HW_ERR_ORGANISATION_NOT_FOUND: { status: 404, message: 'No such organisation, or not yours.' },
  HW_ERR_FARM_NOT_FOUND: { status: 404, message: 'No such farm, or not yours.' },
  HW_ERR_API_KEY_NOT_FOUND: { status: 404, message: 'No such API key on this farm.' },
  HW_ERR_DEVICE_NOT_FOUND: { status: 404, message: 'No such device on this farm.' },
  HW_ERR_PRICE_NOT_FOUND: {
    status: 404,
    message: 'No price of this pair and rate type at or before that moment; an admin can enter one.',
  },
  HW_ERR_REPORT_NOT_FOUND: { status: 404, message: 'No such report, or not one you may see.' },
  HW_ERR_AUDIT_EXPORT_TOO_LARGE: {
    status: 400,
    message: 'More than 100 000 audit log entries match: narrow the period (from, to) or the filters.',
  },
  HW_ERR_REPORT_NOT_ISSUED: {
    status: 404,
    message:
      'This pool issued no report with this SHA-256: the file was changed after it was issued, or it is not one of ours.',
  },
  HW_ERR_REPORT_KEY_RETIRED: {
    status: 503,
    message:
      "This pool's report signing key is not the key registry's current one (it was rotated since the pool started): restart the pool to load the new key file.",
  },
  HW_ERR_NETWORK_UNKNOWN: {
    status: 404,
    message:
      'The pool saw no block template at or before that moment: no network difficulty to price hashes with.',
  },
  HW_ERR_COMMAND_NOT_FOUND: { status: 404, message: 'No such command sent to this farm.' },
  HW_ERR_TARIFF_NOT_FOUND: { status: 404, message: 'No such tariff on this farm.' },
  HW_ERR_RESTRICTED_WINDOW_NOT_FOUND: {
    status: 404,
    message:
      "No such restricted window set for this farm; a country's or region's window is not a farm's to remove.",
  },
  HW_ERR_CURTAILMENT_ORDER_NOT_FOUND: { status: 404, message: 'No such curtailment order on this farm.' },
  HW_ERR_CURTAILMENT_ORDER_STARTED: {
    status: 409,
    message:
      'This order has started: it stays on record and is judged when it ends. If the grid operator lifted it, wake the farm.',
  },
  HW_ERR_ALERT_SUBSCRIPTION_LIMIT: {
    status: 409,
    message: 'This user or organisation has as many alert subscriptions as it may: remove one first.',
  },
  HW_ERR_ALERT_SUBSCRIPTION_NOT_FOUND: { status: 404, message: 'No such alert subscription, or not yours.' },
  HW_ERR_ACTION_UNSUPPORTED: {
    status: 409,
    message:
      "The device's agent declared that it cannot carry out this action (the device's `commands` say why); nothing was queued.",
  },
  HW_ERR_ACTION_PARAMS: {
    status: 400,
    message:
      'set-power-target needs params.powerTargetW; switch-pool needs params.poolUrl and params.poolUser; set-fan needs params.fanMode, and params.fanPercent when it is manual.',
  },
  HW_ERR_UNAUTHENTICATED: { status: 401, message: 'Sign in first (POST /api/auth/login).' },
  HW_ERR_BAD_CREDENTIALS: { status: 401, message: 'The email or the password is wrong.' },
  HW_ERR_BAD_API_KEY: {
    status: 401,
    message: 'The API key is unknown or revoked; ask the farm operator for a new one.',
  },
  HW_ERR_SIGN_IN_THROTTLED: {
    status: 429,
    message:
      'Too many wrong passwords for this account or from this address: try again after the seconds in Retry-After.',
  },
  HW_ERR_SIGN_IN_BUSY: {
    status: 503,
    message: 'The pool is checking too many passwords at once: try again after the seconds in Retry-After.',
  },
  HW_ERR_CURRENT_PASSWORD: {
    status: 403,
    message: 'The current password is wrong; nothing was changed.',
  },
  HW_ERR_PASSWORD_UNCHANGED: {
    status: 400,
    message: 'The new password is the current one: choose another.',
  },
  HW_ERR_RATE_LIMITED: { status: 429, message: 'Too many requests; slow down and retry later.' },
  HW_ERR_ROLE_FORBIDDEN: { status: 403, message: 'Your role may not use this route.' },
  HW_ERR_TWO_FACTOR_REQUIRED: {
    status: 403,
    message:
      'Your role or organisation requires two-factor sign-in: set it up first (POST /api/auth/two-factor/enrolment, then /api/auth/two-factor/enrolment/confirm with a code); until then this session may do nothing else.',
  },
  HW_ERR_TWO_FACTOR_CODE: {
    status: 401,
    message:
      'The code is wrong or was used already: type the current 6-digit code of your authenticator app, or an unused recovery code.',
  },
  HW_ERR_TWO_FACTOR_CHALLENGE: {
    status: 401,
    message:
      'This two-factor sign-in has expired, was used, or had too many wrong codes: sign in with your password again.',
  },
  HW_ERR_TWO_FACTOR_ENABLED: {
    status: 409,
    message: 'Two-factor sign-in is on already: turn it off first to set up another authenticator.',
  },
  HW_ERR_TWO_FACTOR_NOT_ENROLLING: {
    status: 409,
    message: 'No authenticator waits for its first code: start with POST /api/auth/two-factor/enrolment.',
  },
  HW_ERR_TWO_FACTOR_OFF: { status: 409, message: 'Two-factor sign-in is not on for this user.' },
  HW_ERR_TWO_FACTOR_MANDATORY: {
    status: 409,
    message:
      'Your role or organisation requires two-factor sign-in, so it stays on: renew the recovery codes instead, or ask an admin to reset it for a new phone.',
  },
  HW_ERR_CSRF: {
    status: 403,
    message:
      'Send the x-csrf-token header with the token from POST /api/auth/login or GET /api/auth/session.',
  },
  HW_ERR_EMAIL_TAKEN: { status: 409, message: 'A user with this email exists already.' },
  HW_ERR_NAME_TAKEN: { status: 409, message: 'This name is taken already.' },
  HW_ERR_LAST_ADMIN: {
    status: 409,
    message:
      'This is the only active admin: enable or add another admin before disabling this one or changing its role.',
  },
  HW_ERR_ROLE_MISMATCH: {
    status: 400,
    message: 'An operator needs an organisation, a regulator a jurisdiction, and an admin neither.',
  },
  HW_ERR_INTERNAL: { status: 500, message: 'Something went wrong on the pool; it is logged.' },
  HW_ERR_UNAVAILABLE: { status: 503, message: 'The pool cannot reach its database; retry shortly.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ApiErrorCode = keyof typeof API_ERRORS;

/** An expected failure, answered as {error, message, field?} with its code's status. */
export class HwError extends Error {
  readonly code: ApiErrorCode;
  readonly statusCode: number;
  readonly field: string | undefined;
  /** Sent as Retry-After: when a refused request (429, 503) may come back. */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    code: ApiErrorCode,
    message: string = API_ERRORS[code].message,
    field?: string,
    retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'HwError';
    this.code = code;
    this.statusCode = API_ERRORS[code].status;
    this.field = field;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** docs/errors.md: every code, its status and what to do. */
export function errorsReference(): string {
  const rows = Object.entries(API_ERRORS).map(
    ([code, { status, message }]) =>
      `| \`${code}\` | ${String(status)} | ${message.replaceAll('|', '\\|')} |`,
  );
  return [
    '# API errors',
    '',
    'Generated from `pool-server/src/errors.ts` by `pnpm write-docs`; a test fails when it is out of date.',
    '',
    'Every error the API sends is JSON: `{"error": "<code>", "message": "…", "field": "body.email"}`.',
    '`field` names the part of the request at fault (`body.…`, `query.…`, `params.…`) when there is one.',
    'Server errors (5xx) carry no detail; the pool logs it with the request id (`x-request-id`).',
    '',
    '| code | status | meaning, and what to do |',
    '| --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

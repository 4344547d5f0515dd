import { ErrorBody } from '@hashwatt/schemas';

/**
 * The error answers a route declares, by the kind of route: the OpenAPI document lists
 * them, and fastify serializes each with ErrorBody.
 */
export const PUBLIC_ERRORS = {
  400: ErrorBody,
  404: ErrorBody,
  429: ErrorBody,
  500: ErrorBody,
  503: ErrorBody,
};
export const SIGN_IN_ERRORS = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  429: ErrorBody,
  500: ErrorBody,
  503: ErrorBody,
};
export const SIGNED_IN_ERRORS = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  429: ErrorBody,
  500: ErrorBody,
};
/** For routes that create or rename what must stay unique. */
export const WRITE_ERRORS = { ...SIGNED_IN_ERRORS, 409: ErrorBody };

import type { SessionView } from '@hashwatt/schemas';

/**
 * Who may call a route. Every route declares one (config.access); registering a route
 * without one fails, so nothing is open by omission.
 *   public     anyone, miners included
 *   user       any signed-in user
 *   operator   operators (their own organisation only) and admins
 *   regulator  regulators (their own jurisdiction only) and admins
 *   admin      admins
 *   agent      a farm agent with its farm's API key
 */
export type Access = 'public' | 'user' | 'operator' | 'regulator' | 'admin' | 'agent';

export type Caller =
  | { readonly kind: 'anonymous' }
  | { readonly kind: 'user'; readonly session: SessionView; readonly token: string }
  | { readonly kind: 'agent'; readonly farmId: string; readonly keyId: string };

/** A route as the API declares it: what the role matrix test walks. */
export interface RouteEntry {
  readonly method: string;
  readonly url: string;
  readonly access: Access;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every /api route with its access, in the order registered. */
    readonly routeTable: readonly RouteEntry[];
  }
  interface FastifyContextConfig {
    access?: Access;
    /**
     * Open to a session limited to setting up the second factor its user must have
     * (signing out, the session itself, enrolment); every other non-public route
     * refuses such a session with HW_ERR_TWO_FACTOR_REQUIRED.
     */
    beforeTwoFactor?: true;
  }
  interface FastifyRequest {
    caller: Caller;
  }
}

/** Whether a caller's role opens a route; scoping to an organisation or jurisdiction is the route's own check. */
export function mayCall(access: Access, caller: Caller): boolean {
  if (access === 'public') {
    return true;
  }
  if (access === 'agent') {
    return caller.kind === 'agent';
  }
  if (caller.kind !== 'user') {
    return false;
  }
  const { role } = caller.session.user;
  return access === 'user' || role === 'admin' || role === access;
}

/**
 * What a rule raises: an alert's rule, subject, audience and facts, before the store
 * says whether it is new (rules.ts, device-rules.ts).
 */
import type { AlertRule } from '@hashwatt/schemas';

/** Where a farm's alert goes: the farm's organisation. */
export interface FarmRef {
  readonly farmId: string;
  readonly farmName: string;
  readonly organisationId: string;
}

/**
 * Who may hear of an alert: a farm's organisation, everyone subscribed to the rule, or
 * admins alone (the pool's own machinery: its database's jobs).
 */
export type AlertAudience = 'organisation' | 'pool' | 'admin';

export interface AlertCandidate {
  readonly rule: AlertRule;
  /** What it is about, unique within the rule: `device:12`, `block:<hash>`. */
  readonly subject: string;
  /** An event, sent once; otherwise it lasts until its condition clears. */
  readonly once: boolean;
  readonly audience: AlertAudience;
  readonly organisationId: string | null;
  readonly farmId: string | null;
  readonly summary: string;
  readonly facts: Readonly<Record<string, unknown>>;
}

export function farmAlert(
  ref: FarmRef,
  rule: AlertRule,
  subject: string,
  once: boolean,
  summary: string,
  facts: Record<string, unknown>,
): AlertCandidate {
  return {
    rule,
    subject,
    once,
    audience: 'organisation',
    organisationId: ref.organisationId,
    farmId: ref.farmId,
    summary: `${ref.farmName}: ${summary}`,
    facts: { farmId: ref.farmId, farmName: ref.farmName, ...facts },
  };
}

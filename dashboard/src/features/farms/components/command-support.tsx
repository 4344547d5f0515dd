import type { CommandSupport, DeviceAction, FarmDevice } from '@hashwatt/schemas';
import { useTranslation } from 'react-i18next';

/**
 * Whether a device can carry out an action, as its agent declared: an action it declared
 * unsupported is not offered (shown disabled with the reason); one it never declared
 * (an older agent, a device not read yet) is offered and said to be unknown, never hidden.
 */
export type Support =
  | { readonly kind: 'supported' }
  | { readonly kind: 'unsupported'; readonly declared: CommandSupport }
  | { readonly kind: 'unknown' };

export function supportOf(device: FarmDevice, action: DeviceAction): Support {
  const declarations = device.commands?.filter((support) => support.action === action) ?? [];
  // An agent that says both is taken at its "cannot", as the pool takes it: offering the
  // action would only get it refused.
  const declared = declarations.find((support) => !support.supported) ?? declarations[0];
  if (declared === undefined) {
    return { kind: 'unknown' };
  }
  return declared.supported ? { kind: 'supported' } : { kind: 'unsupported', declared };
}

/** Why an action is not offered, or that nobody knows whether it can be; nothing when it can. */
export function SupportNote({ device, action }: { device: FarmDevice; action: DeviceAction }) {
  const { t } = useTranslation();
  const support = supportOf(device, action);
  // One note says it for every action when the agent declared none at all.
  if (support.kind === 'supported' || (support.kind === 'unknown' && device.commands === null)) {
    return null;
  }
  const name = t(`devices.actions.${action}`);
  if (support.kind === 'unknown') {
    return <p className="muted">{t('devices.support.unknown', { action: name })}</p>;
  }
  const { reason, note } = support.declared;
  return (
    <p className="muted" id={`support-${action}`}>
      {t('devices.support.unsupported', {
        action: name,
        reason: t(`devices.support.reasons.${reason ?? 'firmware'}`),
      })}
      {note === undefined || note === '' ? null : <span dir="ltr"> ({note})</span>}
    </p>
  );
}

/** The note for a device whose agent declared nothing: every command is offered, its outcome will tell. */
export function UnknownSupport({ device }: { device: FarmDevice }) {
  const { t } = useTranslation();
  return device.commands === null ? <p className="muted">{t('devices.support.unknownAll')}</p> : null;
}

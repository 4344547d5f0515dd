import { useCallback, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useFormat } from '../../../lib/format.ts';

/** How sure a figure is: as the API says it (power, efficiency, energy). */
export type Basis = 'measured' | 'estimated' | 'partial' | 'unknown';

const BADGE: Record<Exclude<Basis, 'measured'>, string> = {
  estimated: 'badge',
  partial: 'badge',
  unknown: 'badge bad',
};

/**
 * A figure as the API gives it: its value when there is one, labelled when it is an
 * estimate or partial, and the reason when it is not plainly measured. Missing shows as
 * unknown with why, never as 0.
 */
export function Figure({
  value,
  basis,
  reason,
}: {
  value: string | null;
  basis: Basis;
  reason?: string | null;
}): ReactNode {
  const { t } = useTranslation();
  return (
    <span className="figure">
      {value ?? t('common.unknown')}
      {basis === 'measured' ? null : <span className={BADGE[basis]}> {t(`farms.basis.${basis}`)}</span>}
      {reason === null || reason === undefined || basis === 'measured' ? null : (
        <small className="muted figure-reason" dir="ltr">
          {' '}
          {reason}
        </small>
      )}
    </span>
  );
}

/** Watts in W below a kilowatt, in kW above: a CPU miner's 36 W is not "0.0 kW". */
export function usePowerText(): (watts: number) => string {
  const { t } = useTranslation();
  const format = useFormat();
  return useCallback(
    (watts: number) =>
      watts < 1000
        ? t('farms.w', { value: format.number(watts, 0) })
        : t('farms.kw', { value: format.number(watts / 1000, watts < 10_000 ? 2 : 1) }),
    [t, format],
  );
}

import { useCallback, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useFormat } from '../../lib/format.ts';

/** How sure a figure is: as the API says it (power, efficiency, energy). */
export type Basis = 'measured' | 'estimated' | 'partial' | 'unknown';

const BADGE: Record<Exclude<Basis, 'measured'>, string> = {
  estimated: 'badge',
  partial: 'badge',
  unknown: 'badge bad',
};

/**
 * A figure as the API gives it: its value when there is one, labelled when it is an
 * estimate or partial, and the reason when it is not plainly measured (written out, or
 * only as a tooltip where a table would repeat it on every cell). Missing shows as
 * unknown with why, never as 0.
 */
export function Figure({
  value,
  basis,
  reason,
  explain = true,
}: {
  value: string | null;
  basis: Basis;
  reason?: string | null;
  explain?: boolean;
}): ReactNode {
  const { t } = useTranslation();
  const label = value === null ? 'unknown' : basis;
  const why = reason === null || reason === undefined || label === 'measured' ? null : reason;
  return (
    <span className="figure" title={why ?? undefined}>
      {value ?? t('common.unknown')}
      {label === 'measured' ? null : <span className={BADGE[label]}> {t(`farms.basis.${label}`)}</span>}
      {why === null || !explain ? null : (
        <small className="muted figure-reason" dir="ltr">
          {' '}
          {why}
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

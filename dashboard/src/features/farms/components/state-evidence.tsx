import type { FarmDevice, StateReason } from '@hashwatt/schemas';
import type { TFunction } from 'i18next';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useFormat } from '../../../lib/format.ts';

/** What the agent inferred the state from, in the reader's language; undefined when the reason lacks its figures. */
function inferred(t: TFunction, reason: StateReason): string | undefined {
  const hashrate = reason.hashrate === 'none' ? 'None' : 'Zero';
  switch (reason.code) {
    case 'hashing':
      return t('devices.stateReasons.hashing');
    case 'starting':
      return reason.uptimeSeconds === undefined
        ? undefined
        : t(`devices.stateReasons.starting${hashrate}`, { seconds: reason.uptimeSeconds });
    case 'pools-dead':
      return reason.pools === undefined
        ? undefined
        : t(`devices.stateReasons.poolsDead${hashrate}`, { count: reason.pools });
    case 'no-hashrate':
      return t(`devices.stateReasons.noHashrate${hashrate}`);
    default:
      return undefined;
  }
}

/**
 * What a device's state was read from, in the reader's language: the firmware's own words
 * as it gave them (left to right, never translated), and what the agent inferred where the
 * firmware did not say. A reading stored with text only (from an agent older than the
 * codes) shows its text.
 */
export function StateEvidence({
  device,
}: {
  readonly device: Pick<FarmDevice, 'stateEvidence' | 'stateReason'>;
}): ReactNode {
  const { t } = useTranslation();
  const format = useFormat();
  const reason = device.stateReason;
  const quote = reason?.quote === undefined ? undefined : <bdi dir="ltr">{reason.quote}</bdi>;
  if (reason?.code === 'reported' && quote !== undefined) {
    return (
      <>
        {t('devices.stateEvidence')}: {quote}
      </>
    );
  }
  const why = reason === null ? undefined : inferred(t, reason);
  if (why !== undefined) {
    return (
      <>
        {t('devices.stateInferred')}: {why}
        {quote !== undefined && (
          <>
            {format.separator}
            {t('devices.stateFirmwareSaid')}: {quote}
          </>
        )}
      </>
    );
  }
  if (device.stateEvidence === null) {
    return t('devices.noStateEvidence');
  }
  return (
    <>
      {t('devices.stateEvidence')}: <bdi dir="ltr">{device.stateEvidence}</bdi>
    </>
  );
}

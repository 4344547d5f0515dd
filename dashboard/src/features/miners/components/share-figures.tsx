import type { EarningsEstimate, ShareCounts } from '@hashwatt/schemas';
import { useTranslation } from 'react-i18next';
import { Stat } from '../../../components/ui/stat.tsx';
import { useFormat } from '../../../lib/format.ts';

/** Shares by outcome over the last day: accepted, then each kind of refusal, then the rate. */
export function ShareStats({ shares }: { shares: ShareCounts }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <div className="stats">
      <Stat label={t('miners.accepted')} value={format.number(shares.accepted)} />
      <Stat label={t('miners.rejectedStale')} value={format.number(shares.stale)} />
      <Stat label={t('miners.rejectedDuplicate')} value={format.number(shares.duplicate)} />
      <Stat label={t('miners.rejectedLowDifficulty')} value={format.number(shares.lowDifficulty)} />
      <Stat
        label={t('miners.rejectedInvalid')}
        value={format.number(shares.invalid)}
        hint={t('miners.rejectedInvalidHint')}
      />
      <Stat
        label={t('miners.rejectRate')}
        value={shares.rejectRate === null ? t('common.unknown') : format.percent(shares.rejectRate)}
        hint={shares.rejectRate === null ? t('miners.noShares') : undefined}
      />
    </div>
  );
}

/** The day's expected earnings, said to be an estimate and on what it rests; unknown, with why, when it cannot be made. */
export function EarningsStat({ earnings }: { earnings: EarningsEstimate }) {
  const { t } = useTranslation();
  const format = useFormat();
  const { basis } = earnings;
  return (
    <Stat
      label={t('miners.earnings')}
      value={
        earnings.satsPerDay === null
          ? t('common.unknown')
          : `≈ ${format.btc(Math.round(earnings.satsPerDay))}`
      }
      hint={
        earnings.unknownReason === null
          ? t('miners.earningsBasis', {
              hashrate: format.hashrate(basis.hashrate),
              // Known whenever the estimate is: the API says why otherwise.
              hashprice: format.btc(Math.round(basis.hashpriceSatsPerThDay ?? Number.NaN)),
              difficulty: format.difficulty(basis.networkDifficulty ?? Number.NaN),
              blocks: format.number(basis.feeWindowBlocks),
              fee: format.percent(basis.feePercent / 100),
              scheme: t(`pool.schemes.${basis.scheme}`),
            })
          : t(`miners.earningsUnknown.${earnings.unknownReason}`)
      }
    />
  );
}

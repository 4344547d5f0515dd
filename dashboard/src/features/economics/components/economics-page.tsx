import type { EnergyBasis, RateType } from '@hashwatt/schemas';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { DateInput } from '../../../components/ui/date-input.tsx';
import { Section, Stat } from '../../../components/ui/stat.tsx';
import { useFormat } from '../../../lib/format.ts';
import { addDays, localIsoDay } from '../../../lib/solar-hijri.ts';
import { useEconomics } from '../api/get-economics.ts';

const CURRENCIES = ['BTC', 'USD', 'IRR', 'RUB'] as const;
const RATE_TYPES: readonly RateType[] = ['market', 'official', 'sana', 'nima', 'free_market'];
export function EconomicsPage() {
  const { t } = useTranslation();
  const format = useFormat();
  const { id = '' } = useParams();
  const [currency, setCurrency] = useState<(typeof CURRENCIES)[number]>('USD');
  const [rateType, setRateType] = useState<RateType>('market');
  // The last seven days up to today, which is what an operator looks at first (today so far included).
  const [to, setTo] = useState(() => localIsoDay(Date.now()));
  const [from, setFrom] = useState(() => addDays(to, -6));
  const { data } = useEconomics({ farmId: id, from, to, currency, rateType });
  const money = (value: number | null): string =>
    value === null ? t('common.unknown') : format.money(value, currency);
  // A card is narrow: a total of ten or more digits (IRR) shows compact, in full on hover.
  const cardMoney = (value: number | null) =>
    value === null ? (
      t('common.unknown')
    ) : (
      <span title={format.money(value, currency)}>{format.compactMoney(value, currency)}</span>
    );
  // Partly metered energy is a lower bound and says so; unmetered energy is unknown, never 0.
  const energyText = (kwh: number | null, basis: EnergyBasis) => (
    <>
      {kwh === null ? t('common.unknown') : t('farms.kwh', { value: format.number(kwh, kwh < 10 ? 2 : 0) })}
      {basis === 'measured' ? null : <span className="badge"> {t(`farms.basis.${basis}`)}</span>}
    </>
  );
  return (
    <div className="page">
      <h1>{t('economics.title')}</h1>
      <form
        className="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
        }}
      >
        <label>
          {t('common.from')}
          <DateInput name="from" required value={from} onChange={setFrom} />
        </label>
        <label>
          {t('common.to')}
          <DateInput name="to" required value={to} onChange={setTo} />
        </label>
        <div role="group" aria-label={t('common.currency')} className="segmented">
          {CURRENCIES.map((option) => (
            <button
              key={option}
              type="button"
              aria-pressed={option === currency}
              onClick={() => {
                setCurrency(option);
              }}
            >
              {option}
            </button>
          ))}
        </div>
        <label>
          {t('common.rateType')}
          <select
            value={rateType}
            onChange={(event) => {
              setRateType(event.target.value as RateType);
            }}
          >
            {RATE_TYPES.map((option) => (
              <option key={option} value={option}>
                {t(`rateTypes.${option}`)}
              </option>
            ))}
          </select>
        </label>
      </form>
      {!data ? (
        <p aria-busy="true">{t('app.loading')}</p>
      ) : (
        <>
          <div className="stats">
            <Stat
              label={t('economics.energy')}
              value={energyText(data.total.energyKwh, data.total.energyBasis)}
            />
            <Stat label={t('economics.revenue')} value={cardMoney(data.total.revenue)} />
            <Stat label={t('economics.cost')} value={cardMoney(data.total.powerCost)} />
            <Stat label={t('economics.profit')} value={cardMoney(data.total.profit)} />
            <Stat label={t('economics.breakEven')} value={cardMoney(data.total.breakEvenPerKwh)} />
            <Stat label={t('economics.mined')} value={format.btc(data.total.minedSats)} />
          </div>
          {data.total.daysMissing > 0 ? (
            <p role="note">{t('economics.missing', { count: data.total.daysMissing })}</p>
          ) : null}
          <Section title={t('economics.title')}>
            <table>
              <thead>
                <tr>
                  <th>{t('economics.day')}</th>
                  <th>{t('farms.hashratePool')}</th>
                  <th>{t('economics.hashprice')}</th>
                  <th>{t('economics.expected')}</th>
                  <th>{t('economics.energy')}</th>
                  <th>{t('economics.revenue')}</th>
                  <th>{t('economics.cost')}</th>
                  <th>{t('economics.profit')}</th>
                  <th>{t('farms.efficiency')}</th>
                  <th>{t('economics.why')}</th>
                </tr>
              </thead>
              <tbody>
                {data.days.map((day) => (
                  <tr key={day.date}>
                    <td>{format.date(`${day.date}T12:00:00Z`)}</td>
                    <td>
                      {day.hashrate.pool === null ? t('common.unknown') : format.hashrate(day.hashrate.pool)}
                    </td>
                    <td>
                      {day.network === null
                        ? t('common.unknown')
                        : t('economics.satsPerTh', {
                            value: format.number(day.network.hashpriceSatsPerThDay, 1),
                          })}
                    </td>
                    <td>{day.expectedSats === null ? t('common.unknown') : format.btc(day.expectedSats)}</td>
                    <td>{energyText(day.energyKwh, day.energyBasis)}</td>
                    <td>{money(day.revenue)}</td>
                    <td>{money(day.powerCost)}</td>
                    <td>{money(day.profit)}</td>
                    <td>
                      {day.joulesPerTh === null
                        ? t('common.unknown')
                        : t('farms.jPerTh', { value: format.number(day.joulesPerTh, 1) })}
                    </td>
                    <td>
                      {day.missing.length === 0 ? null : (
                        <ul dir="ltr" className="muted">
                          {day.missing.map((reason) => (
                            <li key={reason}>{reason}</li>
                          ))}
                        </ul>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Section>
        </>
      )}
    </div>
  );
}

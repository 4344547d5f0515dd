import type { SeriesRange } from '@hashwatt/schemas';
import { useTranslation } from 'react-i18next';

const SERIES_RANGES: readonly SeriesRange[] = ['24h', '7d', '30d'];

/** The last 24 hours, 7 days or 30 days: the choice every history chart offers. */
export function RangeSwitch({
  range,
  onChange,
}: {
  range: SeriesRange;
  onChange: (range: SeriesRange) => void;
}) {
  const { t } = useTranslation();
  return (
    <div role="group" className="segmented" aria-label={t('charts.range')}>
      {SERIES_RANGES.map((option) => (
        <button
          key={option}
          type="button"
          aria-pressed={option === range}
          onClick={() => {
            onChange(option);
          }}
        >
          {t(`charts.ranges.${option}`)}
        </button>
      ))}
    </div>
  );
}

import type { DeviceSeries, SeriesRange } from '@hashwatt/schemas';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { usePowerText } from '../../../components/ui/figure.tsx';
import { RangeSwitch } from '../../../components/ui/range-switch.tsx';
import { Section } from '../../../components/ui/stat.tsx';
import { TimeChart, type ChartSeries } from '../../../components/ui/time-chart.tsx';
import { useFormat } from '../../../lib/format.ts';
import { useDeviceSeries } from '../api/get-series.ts';

const BOARD_COLORS = ['#8e44ad', '#16a085', '#2c7be5', '#d35400'];

/** Each board's hottest chip, one line a board, for the boards the range holds. */
function boardLines(series: DeviceSeries, label: (slot: number) => string): ChartSeries[] {
  const slots = [...new Set(series.points.flatMap((point) => point.boards.map((board) => board.slot)))].sort(
    (a, b) => a - b,
  );
  return slots.map((slot, index) => ({
    label: label(slot),
    color: BOARD_COLORS[index % BOARD_COLORS.length] ?? '#888',
    values: series.points.map(
      (point) => point.boards.find((board) => board.slot === slot)?.chipTempC ?? null,
    ),
  }));
}

/** A device's history: hashrate, temperatures (the hottest and each board's), power and fans. */
export function DeviceHistory({ farmId, deviceId }: { farmId: string; deviceId: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const power = usePowerText();
  const [range, setRange] = useState<SeriesRange>('24h');
  const { data, isError } = useDeviceSeries(farmId, deviceId, range);
  const charts = useMemo(() => {
    if (!data) {
      return undefined;
    }
    const column = (pick: (point: DeviceSeries['points'][number]) => number | null) => data.points.map(pick);
    return {
      times: data.points.map((point) => Date.parse(point.time)),
      hashrate: [
        { label: t('charts.hashrateReported'), color: '#f7931a', values: column((point) => point.hashrate) },
      ],
      temperatures: [
        { label: t('charts.chipHottest'), color: '#c62828', values: column((point) => point.chipTempC) },
        { label: t('charts.boardHottest'), color: '#ef8c00', values: column((point) => point.boardTempC) },
        ...boardLines(data, (slot) => t('charts.boardChip', { board: format.number(slot + 1) })),
      ],
      power: [{ label: t('charts.power'), color: '#2c7be5', values: column((point) => point.powerW) }],
      fans: [
        { label: t('charts.fanSlowest'), color: '#c62828', values: column((point) => point.fanRpmMin) },
        { label: t('charts.fanFastest'), color: '#16a085', values: column((point) => point.fanRpmMax) },
      ],
    };
  }, [data, t, format]);
  const celsius = useMemo(
    () => (value: number) => t('charts.celsius', { value: format.number(value, 1) }),
    [t, format],
  );
  const rpm = useMemo(() => (value: number) => t('charts.rpm', { value: format.number(value) }), [t, format]);
  return (
    <Section title={t('charts.history')} actions={<RangeSwitch range={range} onChange={setRange} />}>
      {isError ? <p role="alert">{t('charts.failed')}</p> : null}
      {charts ? (
        <div className="charts">
          <TimeChart
            caption
            title={t('charts.hashrate')}
            times={charts.times}
            series={charts.hashrate}
            valueLabel={format.hashrate}
          />
          <TimeChart
            caption
            title={t('charts.temperatures')}
            times={charts.times}
            series={charts.temperatures}
            valueLabel={celsius}
          />
          <TimeChart
            caption
            title={t('charts.power')}
            times={charts.times}
            series={charts.power}
            valueLabel={power}
          />
          <TimeChart
            caption
            title={t('charts.fans')}
            times={charts.times}
            series={charts.fans}
            valueLabel={rpm}
          />
        </div>
      ) : (
        <p aria-busy="true">{t('app.loading')}</p>
      )}
    </Section>
  );
}

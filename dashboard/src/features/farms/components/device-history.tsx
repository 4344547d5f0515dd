import type { DeviceSeries, SeriesRange } from '@hashwatt/schemas';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { usePowerText } from '../../../components/ui/figure.tsx';
import { HistorySection, type HistoryChart } from '../../../components/ui/history-section.tsx';
import type { ChartSeries } from '../../../components/ui/time-chart.tsx';
import { useFormat } from '../../../lib/format.ts';
import { useDeviceSeries } from '../api/get-series.ts';

const BOARD_COLORS = ['#8e44ad', '#16a085', '#2c7be5', '#d35400'];
const NO_TIMES: readonly number[] = [];

type Point = DeviceSeries['points'][number];

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
  const times = useMemo(() => data?.points.map((point) => Date.parse(point.time)) ?? NO_TIMES, [data]);
  const charts = useMemo((): HistoryChart[] | undefined => {
    if (!data) {
      return undefined;
    }
    const line = (label: string, color: string, pick: (point: Point) => number | null): ChartSeries => ({
      label,
      color,
      values: data.points.map(pick),
    });
    return [
      {
        title: t('charts.hashrate'),
        series: [line(t('charts.hashrateReported'), '#f7931a', (point) => point.hashrate)],
        valueLabel: format.hashrate,
      },
      {
        title: t('charts.temperatures'),
        series: [
          line(t('charts.chipHottest'), '#c62828', (point) => point.chipTempC),
          line(t('charts.boardHottest'), '#ef8c00', (point) => point.boardTempC),
          ...boardLines(data, (slot) => t('charts.boardChip', { board: format.number(slot + 1) })),
        ],
        valueLabel: (value) => t('charts.celsius', { value: format.number(value, 1) }),
      },
      {
        title: t('charts.power'),
        series: [line(t('charts.power'), '#2c7be5', (point) => point.powerW)],
        valueLabel: power,
      },
      {
        title: t('charts.fans'),
        series: [
          line(t('charts.fanSlowest'), '#c62828', (point) => point.fanRpmMin),
          line(t('charts.fanFastest'), '#16a085', (point) => point.fanRpmMax),
        ],
        valueLabel: (value) => t('charts.rpm', { value: format.number(value) }),
      },
    ];
  }, [data, t, format, power]);
  return <HistorySection range={range} onRange={setRange} failed={isError} times={times} charts={charts} />;
}

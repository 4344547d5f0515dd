import type { FarmDevice } from '@hashwatt/schemas';
import { useTranslation } from 'react-i18next';
import { useFormat } from '../../../lib/format.ts';

/** Blue at 40 °C and below, red at 90 °C and above: where hashboards start to throttle. */
function colourOf(celsius: number | null): string {
  if (celsius === null) {
    return 'var(--muted-bg)';
  }
  const share = Math.min(1, Math.max(0, (celsius - 40) / 50));
  return `hsl(${String(Math.round(220 - share * 220))} 75% 50%)`;
}

/** Each rack a grid of its shelves and slots, each device coloured by its hottest chip. */
export function RackHeatmap({ devices }: { devices: readonly FarmDevice[] }) {
  const { t } = useTranslation();
  const format = useFormat();
  const racks = new Map<string, FarmDevice[]>();
  for (const device of devices) {
    const rack = device.location.rack ?? '';
    racks.set(rack, [...(racks.get(rack) ?? []), device]);
  }
  return (
    <div className="heatmap">
      {[...racks.entries()]
        .sort(([a], [b]) => (a === '' ? 1 : b === '' ? -1 : a.localeCompare(b)))
        .map(([rack, members]) => (
          <figure key={rack} className="rack">
            <figcaption>{rack === '' ? t('farms.unplaced') : t('farms.rack', { rack })}</figcaption>
            <div className="rack-cells">
              {members
                .sort((a, b) =>
                  `${a.location.shelf ?? ''}${a.location.slot ?? ''}`.localeCompare(
                    `${b.location.shelf ?? ''}${b.location.slot ?? ''}`,
                  ),
                )
                .map((device) => (
                  <span
                    key={device.id}
                    className="rack-cell"
                    style={{ background: colourOf(device.chipTempC) }}
                    title={format.join([
                      device.device,
                      device.chipTempC === null
                        ? t('common.unknown')
                        : `${format.number(device.chipTempC)} °C`,
                    ])}
                  />
                ))}
            </div>
          </figure>
        ))}
    </div>
  );
}

import type { AlgorithmHashrate, FarmPower } from '@hashwatt/schemas';
import { useTranslation } from 'react-i18next';
import { Stat } from '../../../components/ui/stat.tsx';
import { useFormat, type Formats } from '../../../lib/format.ts';

/** A hashrate in its algorithm's unit: Equihash counts solutions, so its prefixes go on Sol/s. */
export function algorithmRate(format: Formats, other: Pick<AlgorithmHashrate, 'hashrate' | 'unit'>): string {
  const text = format.hashrate(other.hashrate);
  return other.unit === 'Sol/s' ? text.replace(/H\/s$/, 'Sol/s') : text;
}

/**
 * A device's hashrate as it may be read: a SHA-256 miner's plainly, another algorithm's in
 * its own unit and named, so that 16.4 GH/s of X11 is never taken for a Bitcoin figure.
 */
export function deviceRate(format: Formats, algorithm: string, hashrate: number): string {
  if (algorithm === 'sha256d') {
    return format.hashrate(hashrate);
  }
  return `${algorithmRate(format, { hashrate, unit: algorithm === 'equihash' ? 'Sol/s' : 'H/s' })} (${algorithm})`;
}

/**
 * What the farm's devices that mine something else than Bitcoin hash, each algorithm
 * apart and in its own unit: never part of the farm's Bitcoin hashrate.
 */
export function OtherAlgorithms({ power }: { power: FarmPower | undefined }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <>
      {(power?.otherAlgorithms ?? []).map((other) => (
        <Stat
          key={other.algorithm}
          label={t('farms.otherAlgorithm', {
            algorithm: other.algorithm === 'unknown' ? t('farms.algorithmUnknown') : other.algorithm,
          })}
          value={algorithmRate(format, other)}
          hint={t('farms.otherAlgorithmDevices', { count: other.devices })}
        />
      ))}
    </>
  );
}

import type { ComplianceFinding } from '@hashwatt/schemas';
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { useFormat } from '../../../lib/format.ts';
import { usePowerText } from '../../../components/ui/figure.tsx';

/** An order's finding as a sentence in the reader's language, its figures in the reader's digits. */
export function useFindingText(): (finding: ComplianceFinding) => string {
  const { t } = useTranslation();
  const format = useFormat();
  const power = usePowerText();
  return useCallback(
    (finding: ComplianceFinding): string => {
      const kw = (value: number): string => power(value * 1000);
      const key = `farms.findings.${finding.code}`;
      switch (finding.code) {
        case 'no-readings-during-order':
        case 'no-baseline':
          return t(key);
        case 'meter-gap':
          return t(key, { from: format.dateTime(finding.from), to: format.dateTime(finding.to) });
        case 'load-never-fell':
          return t(key, { allowed: kw(finding.allowedKw) });
        case 'reached-late':
          return t(key, { allowed: kw(finding.allowedKw), minutes: format.number(finding.minutesLate, 1) });
        case 'demand-rose-again':
          return t(key, { peak: kw(finding.peakKw) });
        case 'meter-suspect':
          return finding.peakKw === null
            ? t('farms.findings.meter-suspect-unknown')
            : t(key, { peak: kw(finding.peakKw) });
        case 'hashing-after-sleep':
        case 'hashing-during-order':
          return t(key, { device: finding.device });
        case 'pool-contradicts':
          return t(key, {
            during: format.hashrate(finding.duringHs),
            before: format.hashrate(finding.beforeHs),
            most: format.hashrate(finding.mostHs),
          });
        case 'command-failed': {
          const said = t(finding.status === 'failed' ? key : 'farms.findings.command-unanswered', {
            action: finding.action,
            device: finding.device,
            error: finding.error ?? t('farms.findings.no-error'),
          });
          return finding.unrecovered ? `${said}; ${t('farms.findings.unrecovered')}` : said;
        }
      }
    },
    [t, format, power],
  );
}

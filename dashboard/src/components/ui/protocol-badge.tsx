import type { WorkerProtocol } from '@hashwatt/schemas';
import { useTranslation } from 'react-i18next';

/** The protocol of a worker's latest connection, its meaning on hover; unknown, saying why, when not recorded. */
export function ProtocolBadge({ protocol }: { protocol: WorkerProtocol | null }) {
  const { t } = useTranslation();
  if (protocol === null) {
    return <span title={t('miners.protocolUnknown')}>{t('common.unknown')}</span>;
  }
  return (
    <span className="badge" title={t(`miners.protocolHints.${protocol}`)}>
      {t(`miners.protocols.${protocol}`)}
    </span>
  );
}

import type { DeviceCommand } from '@hashwatt/schemas';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useFormat } from '../../../lib/format.ts';
import { notify } from '../../../lib/notify.ts';
import { useCommands } from '../api/device-actions.ts';

const FINISHED: ReadonlySet<DeviceCommand['status']> = new Set(['done', 'failed', 'unsupported']);

/**
 * How a sleep or a wake of many devices is going, as their agent reports each one: how
 * many are done, failed or still waiting (the page asks again while any waits), each
 * failure with the agent's own words, and one toast when the last has ended.
 */
export function CurtailmentProgress({
  farmId,
  curtailment,
  total,
}: {
  farmId: string;
  curtailment: string;
  total: number;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const ofThis = (commands: readonly DeviceCommand[]) =>
    commands.filter((command) => command.curtailment === curtailment);
  const { data = [] } = useCommands(farmId, (commands) =>
    ofThis(commands).some((command) => !FINISHED.has(command.status)),
  );
  const commands = ofThis(data);
  const count = (statuses: readonly DeviceCommand['status'][]) =>
    commands.filter((command) => statuses.includes(command.status)).length;
  const done = count(['done']);
  const failed = commands.filter(
    (command) => command.status === 'failed' || command.status === 'unsupported',
  );
  const waiting = total - done - failed.length;
  const told = useRef(false);
  useEffect(() => {
    if (!told.current && total > 0 && waiting === 0) {
      told.current = true;
      notify(
        t('curtailment.finished', { done: format.number(done), failed: format.number(failed.length) }),
        failed.length === 0 ? 'ok' : 'bad',
      );
    }
  }, [waiting, total, done, failed.length, t, format]);
  return (
    <div role="status" aria-label={t('curtailment.progress')}>
      <p>
        {t('curtailment.progressCounts', {
          done: format.number(done),
          failed: format.number(failed.length),
          waiting: format.number(waiting),
        })}
      </p>
      {failed.length === 0 ? null : (
        <ul className="alerts">
          {failed.map((command) => (
            <li key={command.id}>
              <span dir="ltr">{command.device}</span>:{' '}
              {command.status === 'unsupported'
                ? t('commands.unsupported')
                : (command.outcome ?? t('commands.noReason'))}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

import type { DeviceAction, DeviceCommand, FarmDevice } from '@hashwatt/schemas';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useConfirm } from '../../../components/ui/confirm-dialog.tsx';
import { Section } from '../../../components/ui/stat.tsx';
import { useFormat } from '../../../lib/format.ts';
import { notify } from '../../../lib/notify.ts';
import { useCommands, useSendCommand } from '../api/device-actions.ts';
import { FanSetting } from './fan-setting.tsx';

const ACTIONS: readonly DeviceAction[] = ['sleep', 'resume', 'reboot'];
/** Actions that stop the machine hashing: asked first. */
const STOPS: ReadonlySet<DeviceAction> = new Set(['sleep', 'reboot']);
const FINISHED: ReadonlySet<DeviceCommand['status']> = new Set(['done', 'failed', 'unsupported']);

/**
 * A command's end in words: the agent's own error after a failure (as it wrote it), and
 * for an unsupported one that the device's firmware has no such command.
 */
function CommandOutcome({ command }: { command: DeviceCommand }) {
  const { t } = useTranslation();
  const failed = command.status === 'failed' || command.status === 'unsupported';
  return (
    <span className={failed ? 'alert-text' : undefined}>
      {t(`devices.statuses.${command.status}`)}
      {command.status === 'unsupported' ? ` – ${t('commands.unsupported')}` : null}
      {command.status === 'failed' ? ` – ${t('commands.failedBecause')} ` : null}
      {command.outcome === null ? null : (
        <span dir="ltr">{command.status === 'done' ? ` (${command.outcome})` : command.outcome}</span>
      )}
    </span>
  );
}

/**
 * A device's commands: sleep and reboot asked first; each one's status follows the
 * agent's report (the list is polled while one is under way), and how it ended is
 * toasted once.
 */
export function DeviceCommands({ farmId, device }: { farmId: string; device: FarmDevice }) {
  const { t } = useTranslation();
  const format = useFormat();
  const { data: commands = [] } = useCommands(farmId, (all) =>
    all.some((command) => command.deviceId === device.id && !FINISHED.has(command.status)),
  );
  const send = useSendCommand(farmId, device.id);
  const { ask, dialog } = useConfirm();
  const mine = commands.filter((command) => command.deviceId === device.id);
  // The commands sent from this page whose end is still to be toasted: state, so that adding
  // one renders again (its end may be in already); the ref keeps each toast to one.
  const [awaited, setAwaited] = useState<readonly string[]>([]);
  const toasted = useRef(new Set<string>());
  useEffect(() => {
    const ended = mine.filter(
      (command) =>
        awaited.includes(command.id) && FINISHED.has(command.status) && !toasted.current.has(command.id),
    );
    for (const command of ended) {
      toasted.current.add(command.id);
      const action = t(`devices.actions.${command.action}`);
      notify(
        command.status === 'done'
          ? t('commands.done', { action, device: device.device })
          : t('commands.failed', {
              action,
              device: device.device,
              reason:
                command.status === 'unsupported'
                  ? t('commands.unsupported')
                  : (command.outcome ?? t('commands.noReason')),
            }),
        command.status === 'done' ? 'ok' : 'bad',
      );
    }
  }, [mine, awaited, t, device.device]);
  const latest = mine[0];
  return (
    <Section
      title={t('devices.commands')}
      actions={
        <div className="segmented">
          {ACTIONS.map((action) => (
            <button
              key={action}
              type="button"
              disabled={send.isPending}
              onClick={() => {
                void (async () => {
                  const name = t(`devices.actions.${action}`);
                  if (
                    STOPS.has(action) &&
                    !(await ask({
                      title: t('commands.confirmTitle', { action: name }),
                      body: t(`commands.confirm.${action}`, { count: 1, device: device.device }),
                      confirm: name,
                    }))
                  ) {
                    return;
                  }
                  send.mutate(
                    { action },
                    {
                      onSuccess: (queued) => {
                        setAwaited((ids) => [...ids, queued.id]);
                        notify(t('commands.queued', { action: name, device: device.device }));
                      },
                    },
                  );
                })();
              }}
            >
              {t(`devices.actions.${action}`)}
            </button>
          ))}
        </div>
      }
    >
      <FanSetting
        send={send}
        onQueued={(queued) => {
          setAwaited((ids) => [...ids, queued.id]);
        }}
      />
      {latest === undefined ? null : (
        <p role="status" aria-label={t('commands.latest')}>
          {t(`devices.actions.${latest.action}`)}: <CommandOutcome command={latest} />
        </p>
      )}
      <table>
        <tbody>
          {mine.map((command) => (
            <tr key={command.id}>
              <td>{t(`devices.actions.${command.action}`)}</td>
              <td>{format.dateTime(command.orderedAt)}</td>
              <td dir="ltr">{command.orderedBy}</td>
              <td>
                <CommandOutcome command={command} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {dialog}
    </Section>
  );
}

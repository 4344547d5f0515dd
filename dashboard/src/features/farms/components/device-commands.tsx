import type { DeviceAction, DeviceCommand, FarmDevice } from '@hashwatt/schemas';
import { Fragment, useEffect, useRef, useState, type ComponentType } from 'react';
import { useTranslation } from 'react-i18next';
import { useConfirm } from '../../../components/ui/confirm-dialog.tsx';
import { Section } from '../../../components/ui/stat.tsx';
import { useFormat } from '../../../lib/format.ts';
import { notify } from '../../../lib/notify.ts';
import { useCommands, useSendCommand } from '../api/device-actions.ts';
import { SupportNote, supportOf, UnknownSupport } from './command-support.tsx';
import type { CommandFormProps } from './confirmed-order.tsx';
import { FanSetting } from './fan-setting.tsx';
import { PoolSwitch } from './pool-switch.tsx';
import { PowerTarget } from './power-target.tsx';

const ACTIONS: readonly DeviceAction[] = ['sleep', 'resume', 'reboot'];
/** Actions that stop the machine hashing: asked first. */
const STOPS: ReadonlySet<DeviceAction> = new Set(['sleep', 'reboot']);
/** The commands that take a form, each shown disabled where the device cannot. */
const FORMS: readonly (readonly [DeviceAction, ComponentType<CommandFormProps>])[] = [
  ['set-fan', FanSetting],
  ['switch-pool', PoolSwitch],
  ['set-power-target', PowerTarget],
];
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
 * A device's commands: sleep, reboot, a pool switch and a power target asked first; each
 * one's status follows the agent's report (the list is polled while one is under way),
 * and how it ended is toasted once. What the device's agent declared it cannot do is
 * shown disabled with the reason; what it never declared is offered and said unknown.
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
  const queued = (command: DeviceCommand) => {
    setAwaited((ids) => [...ids, command.id]);
  };
  return (
    <Section
      title={t('devices.commands')}
      actions={
        <div className="segmented">
          {ACTIONS.map((action) => (
            <button
              key={action}
              type="button"
              disabled={send.isPending || supportOf(device, action).kind === 'unsupported'}
              aria-describedby={
                supportOf(device, action).kind === 'unsupported' ? `support-${action}` : undefined
              }
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
      <UnknownSupport device={device} />
      {ACTIONS.map((action) => (
        <SupportNote key={action} device={device} action={action} />
      ))}
      {FORMS.map(([action, Form]) => (
        <Fragment key={action}>
          <Form
            device={device}
            send={send}
            onQueued={queued}
            disabled={supportOf(device, action).kind === 'unsupported'}
          />
          <SupportNote device={device} action={action} />
        </Fragment>
      ))}
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

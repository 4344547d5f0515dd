import type {
  CurtailmentOrder,
  CurtailmentOrderCreate,
  CurtailmentUnable,
  FarmDevice,
} from '@hashwatt/schemas';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useConfirm } from '../../../components/ui/confirm-dialog.tsx';
import { FieldError } from '../../../lib/field-error.tsx';
import { useFormat } from '../../../lib/format.ts';
import { notify } from '../../../lib/notify.ts';
import { useAddOrder, useCurtail, useWithdrawOrder } from '../api/farm-changes.ts';
import { CurtailmentProgress } from './curtailment-progress.tsx';
import { supportOf } from './command-support.tsx';
import { TextField } from '../../../components/ui/text-field.tsx';
import { DateTimeInput } from '../../../components/ui/date-input.tsx';
import { ZoneNote } from '../../../components/ui/zone-note.tsx';

/** A `datetime-local` value (the reader's own clock) as the API's timestamp; '' when empty or unreadable. */
function isoOf(local: string): string {
  const ms = Date.parse(local);
  return Number.isNaN(ms) ? '' : new Date(ms).toISOString();
}

/** Every device (none ticked), or only those ticked: what a sleep or a wake reaches. */
function DeviceChooser({
  devices,
  chosen,
  onChange,
  error,
}: {
  devices: readonly FarmDevice[];
  chosen: readonly string[];
  onChange: (chosen: readonly string[]) => void;
  error: unknown;
}) {
  const { t } = useTranslation();
  return (
    <details>
      <summary>
        {chosen.length === 0
          ? t('curtailment.allDevices')
          : t('curtailment.someDevices', { count: chosen.length })}
      </summary>
      <fieldset className="stack">
        <legend>{t('curtailment.chooseDevices')}</legend>
        {devices.map((device) => (
          <label key={device.id} className="check">
            <input
              type="checkbox"
              checked={chosen.includes(device.id)}
              onChange={(event) => {
                onChange(
                  event.target.checked ? [...chosen, device.id] : chosen.filter((kept) => kept !== device.id),
                );
              }}
            />
            <span dir="ltr">{device.device}</span>
          </label>
        ))}
      </fieldset>
      <FieldError error={error} path="body.deviceIds" />
    </details>
  );
}

/** What a sleep or wake reaches: every device or those ticked, less those whose agent declared they cannot. */
function reach(
  devices: readonly FarmDevice[],
  chosen: readonly string[],
  action: 'sleep' | 'resume',
): { count: number; unable: number } {
  const targets = chosen.length === 0 ? devices : devices.filter((device) => chosen.includes(device.id));
  const unable = targets.filter((device) => supportOf(device, action).kind === 'unsupported').length;
  return { count: targets.length - unable, unable };
}

/** Adds to a confirmation how many of the devices chosen are left out because they cannot. */
function useWithUnable(): (text: string, action: 'sleep' | 'resume', unable: number) => string {
  const { t } = useTranslation();
  return (text, action, unable) =>
    unable === 0 ? text : `${text} ${t(`curtailment.unableAhead.${action}`, { count: unable })}`;
}

/** A farm of one stock firmware may leave out thousands: the notice names this many, then counts the rest. */
const NAMED_IN_NOTICE = 5;

/** Names the devices a sleep or wake left out because their agent declared they cannot: they need a hand. */
function useUnableNotice(): (action: 'sleep' | 'resume', unable: readonly CurtailmentUnable[]) => void {
  const { t } = useTranslation();
  const format = useFormat();
  return (action, unable) => {
    if (unable.length > 0) {
      notify(
        t(`curtailment.unable.${action}`, {
          count: unable.length,
          devices: format.list([
            ...unable.slice(0, NAMED_IN_NOTICE).map((device) => `${device.device} (${device.why})`),
            ...(unable.length > NAMED_IN_NOTICE
              ? [t('curtailment.unableMore', { count: unable.length - NAMED_IN_NOTICE })]
              : []),
          ]),
        }),
        'bad',
      );
    }
  };
}

/**
 * A grid operator's order, recorded; with the farm put to sleep for it when asked (after a
 * confirmation). Its times are typed on the reader's clock, named, in the reader's calendar.
 */
export function OrderForm({ farmId, devices }: { farmId: string; devices: readonly FarmDevice[] }) {
  const { t } = useTranslation();
  const format = useFormat();
  const add = useAddOrder(farmId);
  const noticeUnable = useUnableNotice();
  const { ask, dialog } = useConfirm();
  const [startsAt, setStartsAt] = useState('');
  const [endsAt, setEndsAt] = useState('');
  const [reductionKw, setReductionKw] = useState('');
  const [noticeRef, setNoticeRef] = useState('');
  const [sleep, setSleep] = useState(false);
  const [stagger, setStagger] = useState('10');
  const [chosen, setChosen] = useState<readonly string[]>([]);
  const reached = reach(devices, chosen, 'sleep');
  const withUnable = useWithUnable();
  // The one check the API makes that the form can make first: [body.endsAt] "An order ends after it starts."
  const endsTooEarly = startsAt !== '' && endsAt !== '' && Date.parse(endsAt) <= Date.parse(startsAt);
  return (
    <form
      className="inline-form"
      aria-label={t('curtailment.newOrder')}
      onSubmit={(event) => {
        event.preventDefault();
        const order: CurtailmentOrderCreate = {
          startsAt: isoOf(startsAt),
          endsAt: isoOf(endsAt),
          reductionKw: Number(reductionKw),
          ...(noticeRef.trim() === '' ? {} : { noticeRef: noticeRef.trim() }),
          ...(sleep ? { staggerMinutes: Number(stagger) } : {}),
          ...(sleep && chosen.length > 0 ? { deviceIds: [...chosen] } : {}),
        };
        void (async () => {
          if (
            sleep &&
            !(await ask({
              title: t('curtailment.confirmOrderTitle'),
              body: withUnable(
                t('curtailment.confirmSleep', {
                  count: reached.count,
                  minutes: format.number(Number(stagger)),
                }),
                'sleep',
                reached.unable,
              ),
              confirm: t('curtailment.recordAndSleep'),
            }))
          ) {
            return;
          }
          add.mutate(order, {
            onSuccess: (recorded) => {
              notify(t('curtailment.orderRecorded'));
              noticeUnable('sleep', recorded.unable);
              setReductionKw('');
              setNoticeRef('');
            },
          });
        })();
      }}
    >
      <ZoneNote />
      <label>
        {t('curtailment.startsAt')}
        <DateTimeInput name="startsAt" required value={startsAt} onChange={setStartsAt} />
        <FieldError error={add.error} path="body.startsAt" />
      </label>
      <label>
        {t('curtailment.endsAt')}
        <DateTimeInput name="endsAt" required invalid={endsTooEarly} value={endsAt} onChange={setEndsAt} />
        {endsTooEarly ? (
          <span className="field-error" role="alert">
            {t('curtailment.endsAfterStarts')}
          </span>
        ) : (
          <FieldError error={add.error} path="body.endsAt" />
        )}
      </label>
      <TextField
        label={t('curtailment.reductionKw')}
        name="reductionKw"
        type="number"
        inputMode="decimal"
        required
        value={reductionKw}
        onValue={setReductionKw}
        error={add.error}
        path="body.reductionKw"
      />
      <TextField
        label={t('curtailment.noticeRef')}
        name="noticeRef"
        value={noticeRef}
        onValue={setNoticeRef}
        error={add.error}
        path="body.noticeRef"
      />
      <label className="check">
        <input
          type="checkbox"
          name="sleep"
          checked={sleep}
          onChange={(event) => {
            setSleep(event.target.checked);
          }}
        />
        {t('curtailment.sleepForIt')}
      </label>
      {sleep ? (
        <TextField
          label={t('curtailment.staggerMinutes')}
          name="staggerMinutes"
          type="number"
          inputMode="numeric"
          value={stagger}
          onValue={setStagger}
          error={add.error}
          path="body.staggerMinutes"
        />
      ) : null}
      {sleep ? (
        <DeviceChooser devices={devices} chosen={chosen} onChange={setChosen} error={add.error} />
      ) : null}
      <button type="submit" disabled={add.isPending || endsTooEarly}>
        {t('curtailment.record')}
      </button>
      {dialog}
    </form>
  );
}

/** Withdraws an order that has not started, after a confirmation; one that has started stays. */
export function WithdrawOrder({
  farmId,
  order,
  nowMs,
}: {
  farmId: string;
  order: CurtailmentOrder;
  nowMs: number;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const withdraw = useWithdrawOrder(farmId);
  const { ask, dialog } = useConfirm();
  if (Date.parse(order.startsAt) <= nowMs) {
    return null;
  }
  return (
    <>
      <button
        type="button"
        disabled={withdraw.isPending}
        onClick={() => {
          void (async () => {
            const confirmed = await ask({
              title: t('curtailment.withdrawTitle'),
              body: t('curtailment.withdrawBody', {
                start: format.dateTime(order.startsAt),
                reduction: format.number(order.reductionKw),
              }),
              confirm: t('curtailment.withdraw'),
            });
            if (confirmed) {
              withdraw.mutate(order.id, {
                onSuccess: (done) => {
                  notify(
                    t('curtailment.withdrawn', {
                      withdrawn: format.number(done.commandsWithdrawn),
                      sent: format.number(done.commandsSent),
                    }),
                  );
                },
              });
            }
          })();
        }}
      >
        {t('curtailment.withdraw')}
      </button>
      {dialog}
    </>
  );
}

/** The whole farm, or the devices ticked, to sleep or awake, staggered; always after a confirmation naming how many. */
export function CurtailForm({ farmId, devices }: { farmId: string; devices: readonly FarmDevice[] }) {
  const { t } = useTranslation();
  const format = useFormat();
  const curtail = useCurtail(farmId);
  const noticeUnable = useUnableNotice();
  const { ask, dialog } = useConfirm();
  const [action, setAction] = useState<'sleep' | 'resume'>('sleep');
  const [stagger, setStagger] = useState('10');
  const [chosen, setChosen] = useState<readonly string[]>([]);
  const { count, unable } = reach(devices, chosen, action);
  const withUnable = useWithUnable();
  return (
    <form
      className="inline-form"
      aria-label={t('curtailment.farmWide')}
      onSubmit={(event) => {
        event.preventDefault();
        void (async () => {
          const confirmed = await ask({
            title: t(`curtailment.confirm.${action}Title`),
            body: withUnable(
              t(`curtailment.confirm.${action}`, {
                count,
                minutes: format.number(Number(stagger)),
              }),
              action,
              unable,
            ),
            confirm: t(`devices.actions.${action}`),
          });
          if (!confirmed) {
            return;
          }
          curtail.mutate(
            {
              action,
              staggerMinutes: Number(stagger),
              ...(chosen.length === 0 ? {} : { deviceIds: [...chosen] }),
            },
            {
              onSuccess: (queued) => {
                notify(
                  t('curtailment.queued', {
                    count: queued.commands,
                    last: format.dateTime(queued.lastAt),
                  }),
                );
                noticeUnable(action, queued.unable);
              },
            },
          );
        })();
      }}
    >
      <label>
        {t('curtailment.action')}
        <select
          name="action"
          value={action}
          onChange={(event) => {
            setAction(event.target.value === 'resume' ? 'resume' : 'sleep');
          }}
        >
          <option value="sleep">{t('devices.actions.sleep')}</option>
          <option value="resume">{t('devices.actions.resume')}</option>
        </select>
      </label>
      <TextField
        label={t('curtailment.staggerMinutes')}
        name="staggerMinutes"
        type="number"
        inputMode="numeric"
        value={stagger}
        onValue={setStagger}
        error={curtail.error}
        path="body.staggerMinutes"
      />
      <DeviceChooser devices={devices} chosen={chosen} onChange={setChosen} error={curtail.error} />
      <button type="submit" disabled={curtail.isPending || count + unable === 0}>
        {t(`devices.actions.${action}`)}
      </button>
      {curtail.data === undefined ? null : (
        <CurtailmentProgress
          key={curtail.data.curtailment}
          farmId={farmId}
          curtailment={curtail.data.curtailment}
          total={curtail.data.commands}
        />
      )}
      {dialog}
    </form>
  );
}

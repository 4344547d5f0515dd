import type { FarmDevice } from '@hashwatt/schemas';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { TextField } from '../../../components/ui/text-field.tsx';
import { useFormat } from '../../../lib/format.ts';
import { useCheckedSubmit, useConfirmedOrder, type CommandFormProps } from './confirmed-order.tsx';

/** The API's bounds on a power target, W (schemas ActionParams). */
const API_MIN_W = 100;
const API_MAX_W = 100_000;

/**
 * The watts the form sends: from the API's floor to the device's nameplate power where
 * it is known (a power target is how a miner draws less; above its nameplate it would
 * run beyond its rating), else the API's own bounds.
 */
export function powerBounds(device: FarmDevice): { min: number; max: number; nominal: number | null } {
  const nominal = device.nominalPowerW;
  return nominal === null || nominal < API_MIN_W
    ? { min: API_MIN_W, max: API_MAX_W, nominal: null }
    : { min: API_MIN_W, max: Math.round(nominal), nominal };
}

/**
 * A power target in W, within powerBounds, asked before it is sent, naming the device and
 * the watts: its hashrate falls with its power.
 */
export function PowerTarget(props: CommandFormProps) {
  const { device, send, disabled } = props;
  const { t } = useTranslation();
  const format = useFormat();
  const { order, dialog } = useConfirmedOrder(props);
  const [watts, setWatts] = useState('');
  const { min, max, nominal } = powerBounds(device);
  const value = Number(watts.trim());
  const valid = /^\d+$/.test(watts.trim()) && value >= min && value <= max;
  const limits = { min: format.number(min), max: format.number(max) };
  const { checked, onSubmit } = useCheckedSubmit(
    () => valid,
    () => {
      order(
        'set-power-target',
        { powerTargetW: value },
        t('commands.confirmPower', { device: device.device, watts: format.number(value) }),
      );
    },
  );
  const name = t('devices.actions.set-power-target');
  return (
    <form className="inline-form" aria-label={name} onSubmit={onSubmit}>
      <TextField
        label={t('devices.powerTarget.watts')}
        inputMode="numeric"
        value={watts}
        onValue={setWatts}
        error={send.error}
        path="body.params.powerTargetW"
        disabled={disabled}
      />
      <span className="muted">
        {nominal === null
          ? t('devices.powerTarget.noNameplate', limits)
          : t('devices.powerTarget.range', { ...limits, nominal: format.number(nominal) })}
      </span>
      {checked && !valid ? (
        <span role="alert" className="alert-text">
          {t('devices.powerTarget.outOfRange', limits)}
        </span>
      ) : null}
      <button type="submit" disabled={disabled || send.isPending}>
        {name}
      </button>
      {dialog}
    </form>
  );
}

import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { TextField } from '../../../components/ui/text-field.tsx';
import { useCheckedSubmit, useConfirmedOrder, type CommandFormProps } from './confirmed-order.tsx';

/** The API's limits (schemas ActionParams): the URL, the worker and its password. */
const MAX_URL = 500;
const MAX_USER = 200;
const MAX_PASSWORD = 200;
/** A stratum pool as miners take it: scheme, host, port (1–65535), nothing after. */
const POOL_URL = /^stratum\+(tcp|ssl):\/\/[^\s/:@]+:(\d{1,5})$/;

interface Problem {
  readonly field: 'url' | 'user' | 'password';
  readonly key: string;
  readonly max?: number;
}

/** What is wrong with the form before anything is sent, field by field. */
export function poolProblems(url: string, user: string, password: string): Problem[] {
  const problems: Problem[] = [];
  const port = Number(POOL_URL.exec(url)?.[2] ?? 0);
  if (url.length > MAX_URL) {
    problems.push({ field: 'url', key: 'tooLong', max: MAX_URL });
  } else if (port < 1 || port > 65_535) {
    problems.push({ field: 'url', key: 'badUrl' });
  }
  if (user.trim() === '') {
    problems.push({ field: 'user', key: 'noUser' });
  } else if (user.length > MAX_USER) {
    problems.push({ field: 'user', key: 'tooLong', max: MAX_USER });
  }
  if (password.length > MAX_PASSWORD) {
    problems.push({ field: 'password', key: 'tooLong', max: MAX_PASSWORD });
  }
  return problems;
}

/**
 * A pool switch: the pool's URL, the worker (user) and its password, checked here first,
 * then asked before it is sent, naming the device and the pool (the miner leaves the
 * one it mines on). What the API refuses is said under the field it names.
 */
export function PoolSwitch(props: CommandFormProps) {
  const { device, send, disabled } = props;
  const { t } = useTranslation();
  const { order, dialog } = useConfirmedOrder(props);
  const [url, setUrl] = useState('');
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const poolUrl = url.trim();
  const { checked, onSubmit } = useCheckedSubmit(
    () => poolProblems(poolUrl, user, password).length === 0,
    () => {
      order(
        'switch-pool',
        { poolUrl, poolUser: user, ...(password !== '' && { poolPassword: password }) },
        t('commands.confirmPool', { device: device.device, pool: poolUrl, user }),
      );
    },
  );
  const problems = checked ? poolProblems(poolUrl, user, password) : [];
  const problemOf = (field: Problem['field']) => {
    const problem = problems.find((found) => found.field === field);
    return problem === undefined ? null : (
      <span role="alert" className="alert-text">
        {t(`devices.pool.${problem.key}`, { max: problem.max })}
      </span>
    );
  };
  const name = t('devices.actions.switch-pool');
  return (
    <form className="inline-form" aria-label={name} onSubmit={onSubmit}>
      <TextField
        label={t('devices.pool.url')}
        dir="ltr"
        value={url}
        onValue={setUrl}
        error={send.error}
        path="body.params.poolUrl"
        disabled={disabled}
      />
      {problemOf('url')}
      <TextField
        label={t('devices.pool.user')}
        dir="ltr"
        value={user}
        onValue={setUser}
        error={send.error}
        path="body.params.poolUser"
        disabled={disabled}
      />
      {problemOf('user')}
      <TextField
        label={t('devices.pool.password')}
        type="password"
        autoComplete="off"
        value={password}
        onValue={setPassword}
        error={send.error}
        path="body.params.poolPassword"
        disabled={disabled}
      />
      {problemOf('password')}
      <button type="submit" disabled={disabled || send.isPending}>
        {name}
      </button>
      {dialog}
    </form>
  );
}

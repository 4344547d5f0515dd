import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { useLogin } from '../lib/session.ts';

export function LoginPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const login = useLogin();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  return (
    <div className="page narrow">
      <h1>{t('login.title')}</h1>
      <form
        className="stack"
        onSubmit={(event) => {
          event.preventDefault();
          login.mutate(
            { email, password },
            {
              onSuccess: (session) => {
                const home =
                  session.user.role === 'regulator'
                    ? '/regulator'
                    : session.user.role === 'admin'
                      ? '/admin'
                      : '/farms';
                void navigate(params.get('next') ?? home);
              },
            },
          );
        }}
      >
        <label>
          {t('login.email')}
          <input
            type="email"
            name="email"
            autoComplete="username"
            dir="ltr"
            required
            value={email}
            onChange={(event) => {
              setEmail(event.target.value);
            }}
          />
        </label>
        <label>
          {t('login.password')}
          <input
            type="password"
            name="password"
            autoComplete="current-password"
            dir="ltr"
            required
            value={password}
            onChange={(event) => {
              setPassword(event.target.value);
            }}
          />
        </label>
        <button type="submit" disabled={login.isPending}>
          {t('login.submit')}
        </button>
      </form>
    </div>
  );
}

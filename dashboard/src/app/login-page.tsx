import type { SessionView, SignInChallenge } from '@hashwatt/schemas';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { ApiError } from '../lib/api-client.ts';
import { limitedToEnrolment, useLogin, useSecondFactor } from '../lib/session.ts';

/** Where a signed-in user goes: the page asked for, else the role's own; setting up a required second factor first. */
function destination(session: SessionView, next: string | null): string {
  const home =
    session.user.role === 'regulator' ? '/regulator' : session.user.role === 'admin' ? '/admin' : '/farms';
  const target = next ?? home;
  return limitedToEnrolment(session) ? `/account/two-factor?next=${encodeURIComponent(target)}` : target;
}

export function LoginPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const login = useLogin();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [challenge, setChallenge] = useState<SignInChallenge | undefined>();
  const signedIn = (session: SessionView) => {
    void navigate(destination(session, params.get('next')));
  };
  return (
    <div className="page narrow">
      <h1>{t('login.title')}</h1>
      {challenge === undefined ? (
        <form
          className="stack"
          onSubmit={(event) => {
            event.preventDefault();
            login.mutate(
              { email, password },
              {
                onSuccess: (answer) => {
                  if ('challenge' in answer) {
                    setPassword('');
                    setChallenge(answer);
                  } else {
                    signedIn(answer);
                  }
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
      ) : (
        <SecondFactorForm
          challenge={challenge}
          onSignedIn={signedIn}
          onRestart={() => {
            setChallenge(undefined);
          }}
        />
      )}
    </div>
  );
}

/** The second step: a code of the authenticator app, or a recovery code; an expired challenge starts over. */
function SecondFactorForm({
  challenge,
  onSignedIn,
  onRestart,
}: {
  challenge: SignInChallenge;
  onSignedIn: (session: SessionView) => void;
  onRestart: () => void;
}) {
  const { t } = useTranslation();
  const secondFactor = useSecondFactor();
  const [code, setCode] = useState('');
  return (
    <form
      className="stack"
      onSubmit={(event) => {
        event.preventDefault();
        secondFactor.mutate(
          { challenge: challenge.challenge, code: code.trim() },
          {
            onSuccess: onSignedIn,
            onError: (error) => {
              setCode('');
              if (error instanceof ApiError && error.code === 'HW_ERR_TWO_FACTOR_CHALLENGE') {
                onRestart();
              }
            },
          },
        );
      }}
    >
      <p>{t('login.secondFactor.explain')}</p>
      <label>
        {t('login.secondFactor.code')}
        <input
          name="code"
          autoComplete="one-time-code"
          dir="ltr"
          required
          minLength={6}
          maxLength={32}
          autoFocus
          value={code}
          onChange={(event) => {
            setCode(event.target.value);
          }}
        />
      </label>
      <p className="muted">{t('login.secondFactor.recoveryHint')}</p>
      <button type="submit" disabled={secondFactor.isPending}>
        {t('login.secondFactor.submit')}
      </button>
    </form>
  );
}

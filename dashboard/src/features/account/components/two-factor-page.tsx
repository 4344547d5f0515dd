import type { TwoFactorEnrolment, TwoFactorProof, TwoFactorStatus } from '@hashwatt/schemas';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { Section } from '../../../components/ui/stat.tsx';
import {
  useConfirmEnrolment,
  useDisableTwoFactor,
  useRenewRecoveryCodes,
  useStartEnrolment,
  useTwoFactor,
} from '../api/two-factor.ts';

/**
 * The signed-in user's second factor: set it up (the screen a user who must have one
 * lands on after signing in), see it is on, renew the recovery codes, turn it off.
 */
export function TwoFactorPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const { data: status } = useTwoFactor();
  const [recoveryCodes, setRecoveryCodes] = useState<readonly string[] | undefined>();
  const next = params.get('next');
  return (
    <div className="page narrow">
      <h1>{t('twoFactor.title')}</h1>
      {recoveryCodes !== undefined ? (
        <RecoveryCodesShown
          codes={recoveryCodes}
          onDone={() => {
            setRecoveryCodes(undefined);
            if (next !== null) {
              void navigate(next);
            }
          }}
        />
      ) : status === undefined ? (
        <p aria-busy="true">{t('app.loading')}</p>
      ) : status.enabled ? (
        <ManageTwoFactor status={status} onRenewed={setRecoveryCodes} />
      ) : (
        <Enrolment required={status.required} onConfirmed={setRecoveryCodes} />
      )}
    </div>
  );
}

function Enrolment({
  required,
  onConfirmed,
}: {
  required: boolean;
  onConfirmed: (codes: readonly string[]) => void;
}) {
  const { t } = useTranslation();
  const start = useStartEnrolment();
  const confirm = useConfirmEnrolment();
  const [code, setCode] = useState('');
  const enrolment = start.data;
  return (
    <Section title={t('twoFactor.setUp')}>
      <p role={required ? 'alert' : undefined}>{t(required ? 'twoFactor.required' : 'twoFactor.explain')}</p>
      {enrolment === undefined ? (
        <button
          type="button"
          disabled={start.isPending}
          onClick={() => {
            start.mutate();
          }}
        >
          {t('twoFactor.start')}
        </button>
      ) : (
        <form
          className="stack"
          onSubmit={(event) => {
            event.preventDefault();
            // Not mutate's callbacks: once on, this form is gone (the page shows the codes), and
            // React Query calls no callback of an unmounted form.
            confirm.mutateAsync(code.trim()).then(
              ({ recoveryCodes }) => {
                onConfirmed(recoveryCodes);
              },
              () => {
                setCode('');
              },
            );
          }}
        >
          <p>{t('twoFactor.scan')}</p>
          <QrCode enrolment={enrolment} />
          <p>
            {t('twoFactor.secret')}{' '}
            <code dir="ltr" data-testid="two-factor-secret">
              {enrolment.secret}
            </code>
          </p>
          <label>
            {t('twoFactor.code')}
            <input
              name="code"
              autoComplete="one-time-code"
              inputMode="numeric"
              pattern="\s*[0-9]{6}\s*"
              dir="ltr"
              required
              value={code}
              onChange={(event) => {
                setCode(event.target.value);
              }}
            />
          </label>
          <button type="submit" disabled={confirm.isPending}>
            {t('twoFactor.confirm')}
          </button>
        </form>
      )}
    </Section>
  );
}

/** The otpauth:// URI as a QR code: an SVG image drawn here (the page allows data: images, not inline script). */
function QrCode({ enrolment }: { enrolment: TwoFactorEnrolment }) {
  const { t } = useTranslation();
  const [source, setSource] = useState<string | undefined>();
  useEffect(() => {
    let shown = true;
    // Loaded only here: the QR encoder stays out of every other page's bundle.
    void import('qrcode')
      .then((qrcode) => qrcode.toString(enrolment.uri, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' }))
      .then((svg) => {
        if (shown) {
          setSource(`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`);
        }
      });
    return () => {
      shown = false;
    };
  }, [enrolment.uri]);
  return source === undefined ? (
    <p aria-busy="true">{t('app.loading')}</p>
  ) : (
    <img className="qr-code" src={source} alt={t('twoFactor.qrAlt')} width={200} height={200} />
  );
}

/** Shown once, right after they are made: the server keeps only their hashes. */
function RecoveryCodesShown({ codes, onDone }: { codes: readonly string[]; onDone: () => void }) {
  const { t } = useTranslation();
  const [saved, setSaved] = useState(false);
  return (
    <Section title={t('twoFactor.recoveryCodes')}>
      <p role="alert">{t('twoFactor.recoveryExplain')}</p>
      <ol className="recovery-codes" dir="ltr" data-testid="recovery-codes">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ol>
      <label>
        <input
          type="checkbox"
          checked={saved}
          onChange={(event) => {
            setSaved(event.target.checked);
          }}
        />{' '}
        {t('twoFactor.saved')}
      </label>
      <button type="button" disabled={!saved} onClick={onDone}>
        {t('twoFactor.continue')}
      </button>
    </Section>
  );
}

/** A current code, or the password instead: asked before the second factor changes. */
function ProofField({
  proof,
  onChange,
}: {
  proof: TwoFactorProof;
  onChange: (proof: TwoFactorProof) => void;
}) {
  const { t } = useTranslation();
  const byPassword = proof.password !== undefined;
  return (
    <>
      <label>
        {t(byPassword ? 'login.password' : 'twoFactor.currentCode')}
        <input
          name={byPassword ? 'password' : 'code'}
          type={byPassword ? 'password' : 'text'}
          autoComplete={byPassword ? 'current-password' : 'one-time-code'}
          dir="ltr"
          required
          value={(byPassword ? proof.password : proof.code) ?? ''}
          onChange={(event) => {
            onChange(byPassword ? { password: event.target.value } : { code: event.target.value.trim() });
          }}
        />
      </label>
      <button
        type="button"
        onClick={() => {
          onChange(byPassword ? { code: '' } : { password: '' });
        }}
      >
        {t(byPassword ? 'twoFactor.useCode' : 'twoFactor.usePassword')}
      </button>
    </>
  );
}

function ManageTwoFactor({
  status,
  onRenewed,
}: {
  status: TwoFactorStatus;
  onRenewed: (codes: readonly string[]) => void;
}) {
  const { t } = useTranslation();
  const renew = useRenewRecoveryCodes();
  const disable = useDisableTwoFactor();
  const [proof, setProof] = useState<TwoFactorProof>({ code: '' });
  return (
    <Section title={t('twoFactor.on')}>
      <p>{t('twoFactor.codesLeft', { count: status.recoveryCodesLeft })}</p>
      {status.required ? <p className="muted">{t('twoFactor.mandatory')}</p> : null}
      <form
        className="stack"
        onSubmit={(event) => {
          event.preventDefault();
          renew.mutate(proof, {
            onSuccess: ({ recoveryCodes }) => {
              onRenewed(recoveryCodes);
            },
          });
        }}
      >
        <ProofField proof={proof} onChange={setProof} />
        <div className="inline-form">
          <button type="submit" disabled={renew.isPending}>
            {t('twoFactor.renew')}
          </button>
          {status.required ? null : (
            <button
              type="button"
              disabled={disable.isPending}
              onClick={() => {
                disable.mutate(proof);
              }}
            >
              {t('twoFactor.disable')}
            </button>
          )}
        </div>
      </form>
    </Section>
  );
}

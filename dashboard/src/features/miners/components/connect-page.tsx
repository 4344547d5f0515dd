import type { ConnectInfo } from '@hashwatt/schemas';
import { useTranslation } from 'react-i18next';
import { Section } from '../../../components/ui/stat.tsx';
import { useFormat } from '../../../lib/format.ts';
import { useConnect } from '../api/get-connect.ts';
import { CopyField } from './copy-field.tsx';

/** An address of the chain, as the username's first part; the miner puts its own. */
const ADDRESS_EXAMPLE: Readonly<Record<string, string>> = {
  main: 'bc1q…',
  test: 'tb1q…',
  testnet4: 'tb1q…',
  signet: 'tb1q…',
  regtest: 'bcrt1q…',
};

/** The public names the pool was given, or the host the dashboard came from when it was given none. */
function hostsOf(connect: ConnectInfo, dashboardHost: string): readonly string[] {
  return connect.hosts.length > 0 ? connect.hosts : [dashboardHost];
}

/** The pool's Stratum URLs: each port at each host. */
function urlsOf(
  connect: ConnectInfo,
  dashboardHost: string,
): { url: string; host: string; solo: boolean; tls: boolean }[] {
  return hostsOf(connect, dashboardHost).flatMap((host) =>
    connect.endpoints.map((endpoint) => ({
      url: `${endpoint.scheme}://${host}:${String(endpoint.port)}`,
      host,
      solo: endpoint.solo,
      tls: endpoint.scheme === 'stratum+ssl',
    })),
  );
}

/** What a new miner types into its rig: the pool's URLs, the username's forms and the password's options. */
export function ConnectPage() {
  const { t } = useTranslation();
  const format = useFormat();
  const { data: connect, isError } = useConnect();
  if (isError) {
    return <p role="alert">{t('connect.failed')}</p>;
  }
  if (!connect) {
    return <p aria-busy="true">{t('app.loading')}</p>;
  }
  const urls = urlsOf(connect, window.location.hostname);
  const { difficulty } = connect;
  const address = ADDRESS_EXAMPLE[connect.chain] ?? '…';
  return (
    <div className="page">
      <h1>{t('connect.title')}</h1>
      <p>{t('connect.intro')}</p>
      <Section title={t('connect.url')}>
        {urls.length === 0 ? <p>{t('connect.noPorts')}</p> : null}
        {connect.hosts.length === 0 ? <p className="muted">{t('connect.hostGuessed')}</p> : null}
        {urls.map((entry) => {
          const kind = entry.solo
            ? t('connect.soloUrl')
            : entry.tls
              ? t('connect.tlsUrl')
              : t('connect.plainUrl');
          return (
            <CopyField
              key={entry.url}
              label={connect.hosts.length > 1 ? t('connect.urlAtHost', { kind, host: entry.host }) : kind}
              value={entry.url}
            />
          );
        })}
      </Section>
      <Sv2Section connect={connect} hosts={hostsOf(connect, window.location.hostname)} />
      <Section title={t('connect.username')}>
        <CopyField label={t('connect.usernameAddress', { chain: connect.chain })} value={`${address}.rig1`} />
        <CopyField label={t('connect.usernameAccount')} value="account.rig1" />
        <p className="muted">{t('connect.usernameHint')}</p>
      </Section>
      <Section title={t('connect.password')}>
        <CopyField
          label={t('connect.passwordVardiff', {
            start: format.difficulty(difficulty.start),
            seconds: format.number(difficulty.targetShareSeconds),
          })}
          value="x"
        />
        <CopyField
          label={t('connect.passwordFixed', {
            min: format.difficulty(difficulty.min),
            max: format.difficulty(difficulty.max),
          })}
          value={`${difficulty.passwordOption}${String(difficulty.start)}`}
        />
        <CopyField label={t('connect.passwordSolo')} value={connect.soloPasswordOption} />
      </Section>
    </div>
  );
}

/**
 * [sv2-spec 4.7] Stratum V2's URL at each host, `stratum2+tcp://host:port/<authority key>`
 * as V2 firmware and proxies take it, the key alone, and the Job Declaration Server when
 * the pool runs one; said plainly when the pool does not serve V2, or does but this server
 * does not know the key yet.
 */
function Sv2Section({ connect, hosts }: { connect: ConnectInfo; hosts: readonly string[] }) {
  const { t } = useTranslation();
  const { sv2 } = connect;
  if (sv2 === null) {
    return (
      <Section title={t('connect.sv2')}>
        <p>{t('connect.sv2Off')}</p>
      </Section>
    );
  }
  const key = sv2.authorityPublicKey;
  return (
    <Section title={t('connect.sv2')}>
      {key === null ? (
        <p role="status">{t('connect.sv2KeyUnknown')}</p>
      ) : (
        <>
          {hosts.map((host) => (
            <CopyField
              key={host}
              label={
                hosts.length > 1
                  ? t('connect.urlAtHost', { kind: t('connect.sv2Url'), host })
                  : t('connect.sv2Url')
              }
              value={`stratum2+tcp://${host}:${String(sv2.port)}/${key}`}
            />
          ))}
          <CopyField label={t('connect.sv2Key')} value={key} />
        </>
      )}
      <p className="muted">{t('connect.sv2Hint')}</p>
      {sv2.jdsPort === null ? null : <JdsEndpoint port={sv2.jdsPort} hosts={hosts} />}
    </Section>
  );
}

/**
 * [sv2-spec 6] The Job Declaration Server at each host, as `host:port` (Job Declarator Clients
 * take the address and the authority key apart): where a farm declares its own templates.
 */
function JdsEndpoint({ port, hosts }: { port: number; hosts: readonly string[] }) {
  const { t } = useTranslation();
  return (
    <>
      {hosts.map((host) => (
        <CopyField
          key={host}
          label={
            hosts.length > 1
              ? t('connect.urlAtHost', { kind: t('connect.jdsAddress'), host })
              : t('connect.jdsAddress')
          }
          value={`${host}:${String(port)}`}
        />
      ))}
      <p className="muted">{t('connect.jdsHint')}</p>
    </>
  );
}

import type { ConnectInfo, MinerStats, WorkerStats } from '@hashwatt/schemas';
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react';
import i18next from 'i18next';
import { Route } from 'react-router';
import { describe, expect, it, vi } from 'vitest';
import { setupComponentTests } from '../../../testing/component-tests.ts';
import { minerFixture, NO_SHARES } from '../../../testing/fixtures.ts';
import { renderAt } from '../../../testing/render-at.tsx';
import { ConnectPage } from './connect-page.tsx';
import { MinerPage } from './miner-page.tsx';
import { WorkerPage } from './worker-page.tsx';

// uPlot draws on a canvas jsdom does not have; the chart's own behaviour is checked in Chromium.
vi.mock('../../../components/ui/time-chart.tsx', () => ({
  TimeChart: ({ title }: { title: string }) => <div role="img" aria-label={title} />,
}));

const RIG: WorkerStats = {
  name: 'acct.rig1',
  hashrate: { tenMinutes: 110e12, oneHour: 100e12, oneDay: 95e12 },
  lastShareAt: new Date(Date.now() - 60_000).toISOString(),
  shares: {
    accepted: 970,
    rejected: 20,
    stale: 10,
    duplicate: 3,
    lowDifficulty: 12,
    invalid: 5,
    rejectRate: 0.03,
  },
  protocol: 'v2',
};

/** An account as GET /api/miners/:account answers: registered without a payout address. */
const MINER: MinerStats = minerFixture({
  account: 'acct',
  payoutAddress: null,
  hashrate: { tenMinutes: 110e12, oneHour: 100e12, oneDay: 95e12 },
  workers: [
    RIG,
    {
      name: 'acct.spare',
      hashrate: { tenMinutes: 0, oneHour: 0, oneDay: 1e12 },
      lastShareAt: null,
      shares: NO_SHARES,
      protocol: null,
    },
  ],
  shares: {
    accepted: 970,
    rejected: 20,
    stale: 10,
    duplicate: 3,
    lowDifficulty: 12,
    invalid: 5,
    rejectRate: 0.03,
  },
});

const CONNECT: ConnectInfo = {
  chain: 'main',
  hosts: [],
  endpoints: [
    { scheme: 'stratum+tcp', port: 3333, solo: false },
    { scheme: 'stratum+ssl', port: 3443, solo: false },
  ],
  difficulty: { start: 1024, min: 0.01, max: 2 ** 48, targetShareSeconds: 10, passwordOption: 'd=' },
  soloPasswordOption: 'solo',
  sv2: null,
};

/** A Stratum V2 authority key as miners pin it (the reference implementation's example pool's). */
const AUTHORITY_KEY = '9auqWEzQDVyd2oe1JVGFLMLHZtCo2FFqZwtKA5gd9xbuEu7PH72';

/** The API as these pages call it: each path's answer, 404 for any other. */
function stubApi(answers: Readonly<Record<string, unknown>>): void {
  const respond = (url: string): Promise<Response> => {
    const body = answers[new URL(url, 'http://dashboard.test').pathname];
    const status = body === undefined ? 404 : 200;
    return Promise.resolve(
      Response.json(body ?? { error: 'HW_ERR_WORKER_NOT_FOUND', message: 'no such worker' }, { status }),
    );
  };
  vi.stubGlobal('fetch', vi.fn(respond));
}

function at(path: string) {
  return renderAt(
    path,
    <>
      <Route path="/miners/:account?" element={<MinerPage />} />
      <Route path="/miners/:account/workers/:worker" element={<WorkerPage />} />
      <Route path="/connect" element={<ConnectPage />} />
    </>,
  );
}

/** A figure's box, found by its label. */
const stat = (label: string): HTMLElement | null =>
  screen.getByText(label, { selector: '.stat-label' }).parentElement;

describe("the miners' pages", () => {
  setupComponentTests();

  it('warns of a missing payout address, and shows an unknown estimate with its reason, never 0', async () => {
    stubApi({ '/api/miners/acct': MINER });
    at('/miners/acct');
    expect((await screen.findByRole('alert')).textContent).toMatch(/no payout address/);
    const earnings = stat('Estimated earnings per day');
    expect(earnings?.textContent).toContain('the pool has not yet seen the network’s difficulty');
    expect(earnings?.textContent).not.toMatch(/0\.0/);
  });

  it('says what a known estimate assumes, and shows shares by refusal reason with the reject rate', async () => {
    const known: MinerStats = {
      ...MINER,
      payoutAddress: 'bc1qexample',
      earnings: {
        satsPerDay: 4_321,
        unknownReason: null,
        basis: {
          ...MINER.earnings.basis,
          hashpriceSatsPerThDay: 45.5,
          networkDifficulty: 1.42e14,
          height: 930_000,
        },
      },
    };
    stubApi({ '/api/miners/acct': known });
    at('/miners/acct');
    const earnings = await screen.findByText('≈ 0.00004321 BTC');
    expect(earnings.parentElement?.textContent).toMatch(
      /An estimate, not a promise: .*95\.0 TH\/s.*142tn.*144 blocks.*PPLNS fee of 1%/,
    );
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.getByText('bc1qexample')).toBeTruthy();
    const shares = screen.getByRole('region', { name: 'Shares, last 24 hours' });
    expect(within(shares).getByText('Rejected: stale').parentElement?.textContent).toContain('10');
    const count = (label: string): string | null | undefined =>
      within(shares).getByText(label).parentElement?.textContent.replace(label, '');
    expect(count('Rejected: duplicate')).toMatch(/^3(?!\d)/);
    expect(count('Rejected: low difficulty')).toMatch(/^12(?!\d)/);
    expect(count('Rejected: invalid')).toMatch(/^5(?!\d)/);
    expect(within(shares).getByText('Reject rate').parentElement?.textContent).toContain('3%');
  });

  it('finds a worker by name, and links each to its own page', async () => {
    stubApi({ '/api/miners/acct': MINER });
    at('/miners/acct');
    const workers = await screen.findByRole('region', { name: 'Workers' });
    expect(
      within(workers)
        .getAllByRole('link')
        .map((link) => link.getAttribute('href')),
    ).toEqual(['/miners/acct/workers/acct.rig1', '/miners/acct/workers/acct.spare']);
    // Each worker's protocol: the latest connection's, or unknown with why when not recorded.
    const [, rig, spare] = within(workers).getAllByRole('row');
    expect(
      within(rig as HTMLElement)
        .getByText('V2')
        .getAttribute('title'),
    ).toMatch(/^Stratum V2: binary/);
    expect(within(spare as HTMLElement).getByTitle(/^Not recorded/).textContent).toBe('—');
    fireEvent.change(within(workers).getByRole('searchbox', { name: 'Find a worker' }), {
      target: { value: 'SPARE' },
    });
    expect(
      within(workers)
        .getAllByRole('link')
        .map((link) => link.textContent),
    ).toEqual(['acct.spare']);
    // A worker with no share sent has no reject rate: unknown, not 0 %.
    expect(within(workers).getAllByRole('row')[1]?.textContent).not.toContain('0%');
    fireEvent.change(within(workers).getByRole('searchbox'), { target: { value: 'nothing' } });
    expect(within(workers).getByText('No worker with a share in the last 24 hours matches.')).toBeTruthy();
  });

  it("shows one worker's hashrate, last share and shares, or says it has none", async () => {
    stubApi({ '/api/miners/acct/workers/acct.rig1': RIG });
    at('/miners/acct/workers/acct.rig1');
    expect((await screen.findByRole('heading', { level: 1 })).textContent).toBe('acct.rig1');
    expect(stat('Hashrate · 10 minutes')?.textContent).toContain('110 TH/s');
    expect(stat('Last share')?.textContent).toContain('Online');
    expect(stat('Accepted')?.textContent).toContain('970');
    expect(stat('Protocol')?.textContent).toBe(
      'ProtocolV2Stratum V2: binary and encrypted, on the pool’s jobs',
    );
    cleanup();
    at('/miners/acct/workers/acct.gone');
    expect((await screen.findByRole('alert')).textContent).toBe(
      'acct has no worker acct.gone with a share in the last 24 hours.',
    );
  });

  it("tells a new miner the pool's URLs, username forms and difficulty option, each copyable", async () => {
    stubApi({ '/api/pool/connect': CONNECT });
    const copied: string[] = [];
    // jsdom has no clipboard; a browser's, as a secure page has it.
    Object.defineProperty(navigator, 'clipboard', {
      configurable: true,
      value: {
        writeText: (text: string) => {
          copied.push(text);
          return Promise.resolve();
        },
      },
    });
    at('/connect');
    const url = await screen.findByLabelText<HTMLInputElement>('Stratum');
    expect(url.value).toBe(`stratum+tcp://${window.location.hostname}:3333`);
    expect(screen.getByLabelText<HTMLInputElement>('Stratum over TLS').value).toMatch(
      /^stratum\+ssl:.*:3443$/,
    );
    expect(screen.getByLabelText<HTMLInputElement>(/payout address, a dot/).value).toBe('bc1q….rig1');
    // The minimum difficulty as it is, not rounded to 0.
    const fixed = screen.getByLabelText<HTMLInputElement>(
      'd=N fixes the difficulty at N (kept between 0.01 and 281.5tn)',
    );
    expect(fixed.value).toBe('d=1024');
    const buttons = screen.getAllByRole('button', { name: 'Copy' });
    fireEvent.click(buttons[0] as HTMLElement);
    expect(await screen.findByText('Copied')).toBeTruthy();
    expect(copied).toEqual([`stratum+tcp://${window.location.hostname}:3333`]);
    Reflect.deleteProperty(navigator, 'clipboard');
  });

  it('offers each port at every public name the pool was given, and says when it guessed the host', async () => {
    stubApi({ '/api/pool/connect': { ...CONNECT, hosts: ['eu.pool.example', '[2001:db8::7]'] } });
    at('/connect');
    expect((await screen.findByLabelText<HTMLInputElement>('Stratum (eu.pool.example)')).value).toBe(
      'stratum+tcp://eu.pool.example:3333',
    );
    expect(screen.getByLabelText<HTMLInputElement>('Stratum over TLS ([2001:db8::7])').value).toBe(
      'stratum+ssl://[2001:db8::7]:3443',
    );
    expect(screen.queryByText(/the one this page was loaded from/)).toBeNull();
    cleanup();
    stubApi({ '/api/pool/connect': CONNECT });
    at('/connect');
    expect(await screen.findByText(/the one this page was loaded from/)).toBeTruthy();
  });

  it('gives the Stratum V2 URL with the authority key at every host, and the key, each copyable', async () => {
    stubApi({
      '/api/pool/connect': {
        ...CONNECT,
        hosts: ['eu.pool.example', 'us.pool.example'],
        sv2: { port: 3336, authorityPublicKey: AUTHORITY_KEY, jdsPort: null },
      },
    });
    at('/connect');
    const v2 = await screen.findByRole('region', { name: 'Stratum V2' });
    expect(
      within(v2)
        .getAllByRole<HTMLInputElement>('textbox')
        .map((field) => field.value),
    ).toEqual([
      `stratum2+tcp://eu.pool.example:3336/${AUTHORITY_KEY}`,
      `stratum2+tcp://us.pool.example:3336/${AUTHORITY_KEY}`,
      AUTHORITY_KEY,
    ]);
    expect(within(v2).getByLabelText(/^Stratum V2 URL.*\(us\.pool\.example\)$/)).toBeTruthy();
    expect(within(v2).getAllByRole('button', { name: 'Copy' })).toHaveLength(3);
    expect(within(v2).queryByText(/Job Declaration Server/)).toBeNull();
  });

  it("gives the Job Declaration Server's host and port at every host when the pool runs one", async () => {
    stubApi({
      '/api/pool/connect': {
        ...CONNECT,
        hosts: ['eu.pool.example', '[2001:db8::7]'],
        sv2: { port: 3336, authorityPublicKey: AUTHORITY_KEY, jdsPort: 3337 },
      },
    });
    at('/connect');
    const v2 = await screen.findByRole('region', { name: 'Stratum V2' });
    const jds = within(v2).getAllByLabelText(/^Job Declaration Server/);
    expect(jds.map((field) => (field as HTMLInputElement).value)).toEqual([
      'eu.pool.example:3337',
      '[2001:db8::7]:3337',
    ]);
    expect(within(v2).getByLabelText(/^Job Declaration Server.*\(\[2001:db8::7\]\)$/)).toBeTruthy();
    expect(
      within(v2).getByText(/points its Job Declarator Client here, with the authority key above/),
    ).toBeTruthy();
  });

  it('says when the pool does not serve Stratum V2, and when its key is not known yet', async () => {
    stubApi({ '/api/pool/connect': CONNECT });
    at('/connect');
    const off = await screen.findByRole('region', { name: 'Stratum V2' });
    expect(off.textContent).toContain('This pool does not serve Stratum V2');
    expect(within(off).queryByRole('textbox')).toBeNull();
    cleanup();
    stubApi({
      '/api/pool/connect': { ...CONNECT, sv2: { port: 3336, authorityPublicKey: null, jdsPort: null } },
    });
    at('/connect');
    const pending = await screen.findByRole('region', { name: 'Stratum V2' });
    expect(within(pending).getByRole('status').textContent).toMatch(/^The authority key is not known yet/);
    expect(within(pending).queryByRole('textbox')).toBeNull();
  });

  it('reads in Persian, with Persian digits in the difficulty', async () => {
    stubApi({ '/api/pool/connect': CONNECT });
    await act(() => i18next.changeLanguage('fa'));
    at('/connect');
    expect((await screen.findByRole('heading', { level: 1 })).textContent).toBe('ماینر خود را وصل کنید');
    expect(screen.getByText(/d=N سختی را روی N ثابت می‌کند \(میان ۰٫۰۱ و/)).toBeTruthy();
  });
});

import { lazy } from 'react';
import { useTranslation } from 'react-i18next';
import { useRoutes, type RouteObject } from 'react-router';
import { PoolOverview } from '../features/pool/components/pool-overview.tsx';
import { Layout, RequireRole } from './layout.tsx';
import { LoginPage } from './login-page.tsx';

// The pool overview, the landing page, comes with the app; every other area loads when first visited.
const MinerPage = lazy(() =>
  import('../features/miners/components/miner-page.tsx').then((module) => ({ default: module.MinerPage })),
);
const WorkerPage = lazy(() =>
  import('../features/miners/components/worker-page.tsx').then((module) => ({ default: module.WorkerPage })),
);
const ConnectPage = lazy(() =>
  import('../features/miners/components/connect-page.tsx').then((module) => ({
    default: module.ConnectPage,
  })),
);
const FarmsPage = lazy(() =>
  import('../features/farms/components/farms-page.tsx').then((module) => ({ default: module.FarmsPage })),
);
const DevicePage = lazy(() =>
  import('../features/farms/components/device-page.tsx').then((module) => ({ default: module.DevicePage })),
);
const FarmPage = lazy(() =>
  import('../features/farms/components/farm-page.tsx').then((module) => ({ default: module.FarmPage })),
);
const EconomicsPage = lazy(() =>
  import('../features/economics/components/economics-page.tsx').then((module) => ({
    default: module.EconomicsPage,
  })),
);
const ReportsPage = lazy(() =>
  import('../features/reports/components/reports-page.tsx').then((module) => ({
    default: module.ReportsPage,
  })),
);
const RegulatorPage = lazy(() =>
  import('../features/regulator/components/regulator-page.tsx').then((module) => ({
    default: module.RegulatorPage,
  })),
);
const PasswordPage = lazy(() =>
  import('../features/account/components/password-page.tsx').then((module) => ({
    default: module.PasswordPage,
  })),
);
const TwoFactorPage = lazy(() =>
  import('../features/account/components/two-factor-page.tsx').then((module) => ({
    default: module.TwoFactorPage,
  })),
);
const AuditPage = lazy(() =>
  import('../features/audit/components/audit-page.tsx').then((module) => ({ default: module.AuditPage })),
);
const AlertsPage = lazy(() =>
  import('../features/alerts/components/alerts-page.tsx').then((module) => ({ default: module.AlertsPage })),
);
const AdminPage = lazy(() =>
  import('../features/admin/components/admin-page.tsx').then((module) => ({ default: module.AdminPage })),
);

function NotFound() {
  const { t } = useTranslation();
  return <p role="alert">{t('app.notFound')}</p>;
}

/**
 * Every page and who may see it (RequireRole's `roles`): the router's table, which the
 * phone-layout test walks too, so a new page is tested on a phone as soon as it is added.
 */
export function appRoutes(): RouteObject[] {
  return [
    {
      element: <Layout />,
      children: [
        { index: true, element: <PoolOverview /> },
        { path: 'login', element: <LoginPage /> },
        { path: 'miners/:account?', element: <MinerPage /> },
        { path: 'miners/:account/workers/:worker', element: <WorkerPage /> },
        { path: 'connect', element: <ConnectPage /> },
        {
          path: 'farms',
          element: (
            <RequireRole roles={['operator', 'admin']}>{(user) => <FarmsPage user={user} />}</RequireRole>
          ),
        },
        {
          path: 'farms/:id',
          element: <RequireRole roles={['operator', 'admin']}>{() => <FarmPage />}</RequireRole>,
        },
        {
          path: 'farms/:id/devices/:deviceId',
          element: <RequireRole roles={['operator', 'admin']}>{() => <DevicePage />}</RequireRole>,
        },
        {
          path: 'farms/:id/economics',
          element: <RequireRole roles={['operator', 'admin']}>{() => <EconomicsPage />}</RequireRole>,
        },
        {
          path: 'reports',
          element: (
            <RequireRole roles={['operator', 'regulator', 'admin']}>
              {(user) => <ReportsPage user={user} />}
            </RequireRole>
          ),
        },
        {
          path: 'regulator',
          element: <RequireRole roles={['regulator', 'admin']}>{() => <RegulatorPage />}</RequireRole>,
        },
        {
          path: 'audit',
          element: (
            <RequireRole roles={['operator', 'regulator', 'admin']}>{() => <AuditPage />}</RequireRole>
          ),
        },
        {
          path: 'alerts',
          element: (
            <RequireRole roles={['operator', 'admin']}>{(user) => <AlertsPage user={user} />}</RequireRole>
          ),
        },
        { path: 'admin', element: <RequireRole roles={['admin']}>{() => <AdminPage />}</RequireRole> },
        {
          path: 'account/password',
          element: (
            <RequireRole roles={['operator', 'regulator', 'admin']}>{() => <PasswordPage />}</RequireRole>
          ),
        },
        {
          path: 'account/two-factor',
          element: (
            <RequireRole roles={['operator', 'regulator', 'admin']} beforeTwoFactor>
              {() => <TwoFactorPage />}
            </RequireRole>
          ),
        },
        { path: '*', element: <NotFound /> },
      ],
    },
  ];
}

const ROUTES = appRoutes();

/**
 * The table matched by React Router's declarative API: its data router (loaders, actions)
 * weighed 17 KB gzipped more on the landing page, for loaders that only started two
 * queries, which main.tsx now starts itself.
 */
export function AppRoutes() {
  return useRoutes(ROUTES);
}

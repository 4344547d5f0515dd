import type { SessionView } from '@hashwatt/schemas';
import { Suspense, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, NavLink, Outlet, useLocation } from 'react-router';
import { ErrorBoundary } from '../components/ui/error-boundary.tsx';
import { Toaster } from '../components/ui/toaster.tsx';
import { LANGUAGES } from '../i18n/index.ts';
import { limitedToEnrolment, useLogout, useSession } from '../lib/session.ts';

type Role = SessionView['user']['role'];

const LINKS: readonly { to: string; label: string; roles?: readonly Role[] }[] = [
  { to: '/', label: 'app.nav.pool' },
  { to: '/miners', label: 'app.nav.miners' },
  { to: '/connect', label: 'app.nav.connect' },
  { to: '/farms', label: 'app.nav.farms', roles: ['operator', 'admin'] },
  { to: '/regulator', label: 'app.nav.regulator', roles: ['regulator', 'admin'] },
  { to: '/reports', label: 'app.nav.reports', roles: ['operator', 'regulator', 'admin'] },
  { to: '/audit', label: 'app.nav.audit', roles: ['operator', 'regulator', 'admin'] },
  { to: '/alerts', label: 'app.nav.alerts', roles: ['operator', 'admin'] },
  { to: '/admin', label: 'app.nav.admin', roles: ['admin'] },
  { to: '/account/two-factor', label: 'app.nav.twoFactor', roles: ['operator', 'regulator', 'admin'] },
  { to: '/account/password', label: 'app.nav.password', roles: ['operator', 'regulator', 'admin'] },
];

export function Layout() {
  const { t, i18n } = useTranslation();
  const session = useSession();
  const logout = useLogout();
  const role = session?.user.role;
  // A session that may only set up its second factor is shown only that.
  const limited = session ? limitedToEnrolment(session) : false;
  // On a phone the navigation folds behind a button; it folds again once a page is chosen.
  const location = useLocation();
  const [menuOpenAt, setMenuOpenAt] = useState<string | null>(null);
  const menuOpen = menuOpenAt === location.pathname;
  return (
    <div className="shell">
      <header className="topbar">
        <span className="brand">{t('app.name')}</span>
        <button
          type="button"
          className="menu-button"
          aria-expanded={menuOpen}
          aria-controls="main-navigation"
          onClick={() => {
            setMenuOpenAt(menuOpen ? null : location.pathname);
          }}
        >
          {t('app.menu')}
        </button>
        <nav id="main-navigation" aria-label={t('app.name')} className={menuOpen ? 'open' : undefined}>
          {LINKS.filter((link) =>
            limited
              ? link.to === '/account/two-factor'
              : link.roles === undefined || (role !== undefined && link.roles.includes(role)),
          ).map((link) => (
            <NavLink key={link.to} to={link.to} end={link.to === '/'}>
              {t(link.label)}
            </NavLink>
          ))}
        </nav>
        <div className="topbar-end">
          <label>
            <span className="visually-hidden">{t('app.language')}</span>
            <select
              aria-label={t('app.language')}
              value={i18n.language}
              onChange={(event) => {
                void i18n.changeLanguage(event.target.value);
              }}
            >
              {LANGUAGES.map((language) => (
                <option key={language} value={language}>
                  {t(`app.languages.${language}`)}
                </option>
              ))}
            </select>
          </label>
          {session ? (
            <>
              <span className="muted" dir="ltr">
                {session.user.email}
              </span>
              <button
                type="button"
                onClick={() => {
                  logout.mutate();
                }}
              >
                {t('app.nav.logout')}
              </button>
            </>
          ) : (
            <NavLink to="/login">{t('app.nav.login')}</NavLink>
          )}
        </div>
      </header>
      <main>
        <ErrorBoundary>
          <Suspense fallback={<p aria-busy="true">{t('app.loading')}</p>}>
            <Outlet />
          </Suspense>
        </ErrorBoundary>
      </main>
      <Toaster />
    </div>
  );
}

/**
 * A page for some roles: the signed-out go to sign in and come back; others see nothing
 * of it. A user who must set up a second factor and has not does that first, unless
 * this page is where it is done (`beforeTwoFactor`).
 */
export function RequireRole({
  roles,
  beforeTwoFactor = false,
  children,
}: {
  roles: readonly Role[];
  beforeTwoFactor?: boolean;
  children: (user: SessionView['user']) => ReactNode;
}) {
  const { t } = useTranslation();
  const session = useSession();
  const location = useLocation();
  if (session === undefined) {
    return <p aria-busy="true">{t('app.loading')}</p>;
  }
  if (session === null) {
    return <Navigate to={`/login?next=${encodeURIComponent(location.pathname)}`} replace />;
  }
  if (!beforeTwoFactor && limitedToEnrolment(session)) {
    return <Navigate to={`/account/two-factor?next=${encodeURIComponent(location.pathname)}`} replace />;
  }
  if (!roles.includes(session.user.role)) {
    return <p role="alert">{t('errors.HW_ERR_ROLE_FORBIDDEN')}</p>;
  }
  return children(session.user);
}

/**
 * The app shell: who is signed in, the language switch and the routes. Library users land
 * on their library's page, the provincial office and administrators on the dashboard.
 */
import type { ComponentType } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { configureApi } from './api.js';
import {
  currentSession,
  isSignInPath,
  markSessionExpired,
  rememberReturnPath,
  type Session,
  type SignInProblem,
  signOut,
  type WebConfig,
} from './auth.js';
import { initialLang, type Lang, LangProvider, rememberLang, translator } from './i18n.js';
import { FormPage } from './pages/form-page.js';
import { LibraryHome } from './pages/library-home.js';
import { SignIn } from './pages/sign-in.js';
import { Link, matchPath, navigate, useLocation } from './router.js';

type DashboardProps = { session: Session };

/** The dashboard and its chart library load only when someone opens it. */
const LazyDashboard = (props: DashboardProps) => {
  const t = translator(initialLang());
  const [Dashboard, setDashboard] = useState<ComponentType<DashboardProps>>();
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    import('./province/dashboard.js')
      .then((module) => setDashboard(() => module.Dashboard))
      .catch(() => setFailed(true));
  }, []);
  if (failed)
    return (
      <p class="banner error" role="alert">
        {t('页面加载失败，请刷新重试。', 'The page failed to load; please reload.')}
      </p>
    );
  return Dashboard ? <Dashboard {...props} /> : <p class="muted">{t('正在加载…', 'Loading…')}</p>;
};

const homeOf = (session: Session) =>
  session.role === 'library' ? `/libraries/${session.libraryId}` : '/province';

export const App = (props: { config: WebConfig; signInProblem?: SignInProblem | undefined }) => {
  const [lang, setLang] = useState<Lang>(initialLang);
  const [session, setSession] = useState(currentSession);
  const { path } = useLocation();
  const t = useMemo(() => translator(lang), [lang]);

  useMemo(
    () =>
      configureApi({
        token: () => currentSession()?.token,
        unauthorized: () => {
          // Several requests may fail at once (a save as the page unmounts): act on the first.
          if (isSignInPath(location.pathname)) return;
          markSessionExpired();
          setSession(undefined);
          rememberReturnPath(`${location.pathname}${location.search}`);
          navigate('/sign-in', { replace: true });
        },
      }),
    [],
  );

  useEffect(() => {
    if (!session && path !== '/sign-in') {
      rememberReturnPath(path);
      navigate('/sign-in', { replace: true });
    } else if (session && (path === '/' || path === '/sign-in')) {
      navigate(homeOf(session), { replace: true });
    }
  }, [session, path]);

  const switchLang = () => {
    const next = lang === 'zh' ? 'en' : 'zh';
    rememberLang(next);
    setLang(next);
  };

  const formParams = matchPath('/libraries/:libraryId/submissions/:formId/:period', path);
  const libraryParams = matchPath('/libraries/:libraryId', path);
  const page = !session ? (
    <SignIn config={props.config} problem={props.signInProblem} />
  ) : formParams?.libraryId && formParams.formId && formParams.period ? (
    <FormPage
      key={path}
      session={session}
      libraryId={formParams.libraryId}
      formId={formParams.formId}
      period={formParams.period}
    />
  ) : libraryParams?.libraryId ? (
    <LibraryHome key={path} session={session} libraryId={libraryParams.libraryId} />
  ) : path === '/province' && session.role !== 'library' ? (
    <LazyDashboard session={session} />
  ) : (
    <section class="card">
      <h1>{t('页面不存在', 'Page not found')}</h1>
      <Link href={homeOf(session)}>{t('返回首页', 'Back to the home page')}</Link>
    </section>
  );

  return (
    <LangProvider lang={lang}>
      <a class="skip-link" href="#main">
        {t('跳到正文', 'Skip to content')}
      </a>
      <header class="topbar">
        <Link class="brand" href={session ? homeOf(session) : '/sign-in'}>
          {t('县级公共图书馆年报平台', 'County library reports')}
        </Link>
        <nav class="topbar-actions" aria-label={t('账号', 'Account')}>
          {session && session.role !== 'library' ? (
            <Link href="/province">{t('全省概览', 'Province')}</Link>
          ) : null}
          <button
            type="button"
            class="link-button"
            onClick={switchLang}
            lang={lang === 'zh' ? 'en' : 'zh-CN'}
          >
            {lang === 'zh' ? 'English' : '中文'}
          </button>
          {session ? (
            <button type="button" class="link-button" onClick={() => signOut(props.config)}>
              {t('退出', 'Sign out')}
            </button>
          ) : null}
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        {page}
      </main>
    </LangProvider>
  );
};

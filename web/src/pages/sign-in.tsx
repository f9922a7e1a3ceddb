/**
 * Sign-in. In AWS: one button to the Cognito hosted UI. Locally: the development identities
 * the stack offers (province, administrator, any library of the registry).
 */
import { useState } from 'preact/hooks';
import {
  type DevIdentity,
  devLoginUrl,
  hasUnsavedEdits,
  type SignInProblem,
  sessionExpired,
  startCognitoSignIn,
  type WebConfig,
} from '../auth.js';
import { TechnicalDetails } from '../components.js';
import { useT } from '../i18n.js';

const LocalSignIn = (props: { identities: DevIdentity[] }) => {
  const t = useT();
  const libraries = props.identities.filter((identity) => identity.role === 'library');
  const others = props.identities.filter((identity) => identity.role !== 'library');
  const [libraryId, setLibraryId] = useState(libraries[0]?.libraryId ?? '');
  const cities = [...new Set(libraries.map((identity) => identity.city ?? ''))];
  return (
    <>
      <p class="muted">
        {t(
          '本地开发环境：选择一个身份登录。',
          'Local development stack: sign in as one of these identities.',
        )}
      </p>
      <ul class="identity-list">
        {others.map((identity) => (
          <li key={identity.role}>
            <a class="button secondary" href={devLoginUrl(identity)}>
              {identity.name}
            </a>
          </li>
        ))}
      </ul>
      <form
        class="stack"
        onSubmit={(event) => {
          event.preventDefault();
          location.assign(devLoginUrl({ role: 'library', libraryId }));
        }}
      >
        <label for="dev-library">{t('图书馆', 'Library')}</label>
        <select
          id="dev-library"
          value={libraryId}
          onChange={(event) => setLibraryId(event.currentTarget.value)}
        >
          {cities.map((city) => (
            <optgroup key={city} label={city}>
              {libraries
                .filter((identity) => (identity.city ?? '') === city)
                .map((identity) => (
                  <option key={identity.libraryId} value={identity.libraryId}>
                    {identity.name}（{identity.libraryId}）
                  </option>
                ))}
            </optgroup>
          ))}
        </select>
        <button type="submit" class="button">
          {t('以该图书馆身份登录', 'Sign in as this library')}
        </button>
      </form>
    </>
  );
};

export const SignIn = (props: { config: WebConfig; problem?: SignInProblem | undefined }) => {
  const t = useT();
  const { auth } = props.config;
  return (
    <section class="card narrow">
      <h1>{t('登录', 'Sign in')}</h1>
      {props.problem ? (
        <div class="banner error" role="alert">
          <p>
            {t('登录未完成：', 'Sign-in did not complete: ')}
            {t(props.problem.message)}
          </p>
          {props.problem.detail ? <TechnicalDetails text={props.problem.detail} /> : null}
        </div>
      ) : sessionExpired() ? (
        <div class="banner warning" role="alert">
          <p>{t('登录已过期，请重新登录。', 'Your sign-in has expired; sign in again.')}</p>
          {hasUnsavedEdits() ? (
            <p>
              {t(
                '未保存的修改已暂存在本标签页，重新登录后将回到报告并恢复这些修改。',
                'Your unsaved changes are kept in this tab; after signing in you return to the report and they are restored.',
              )}
            </p>
          ) : null}
        </div>
      ) : null}
      {auth.kind === 'local' ? (
        <LocalSignIn identities={auth.identities} />
      ) : (
        <button type="button" class="button" onClick={() => void startCognitoSignIn(auth)}>
          {t('使用账号登录', 'Sign in with your account')}
        </button>
      )}
    </section>
  );
};

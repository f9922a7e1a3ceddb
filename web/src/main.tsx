import './styles.css';
import { render } from 'preact';
import { App } from './app.js';
import { completeSignIn, loadConfig, type WebConfig } from './auth.js';
import { initialLang, rememberLang } from './i18n.js';

const root = document.getElementById('app');
const boot = async () => {
  if (!root) return;
  rememberLang(initialLang());
  let config: WebConfig;
  try {
    config = await loadConfig();
  } catch {
    root.innerHTML =
      '<p class="banner error" role="alert">无法加载应用配置，请刷新重试。<span lang="en">Cannot load the app configuration; please reload.</span></p>';
    return;
  }
  // A sign-in that failed (the network too) is shown on the sign-in page, not as a config error.
  const signInProblem = await completeSignIn(config);
  // Preact renders beside existing children; the loading text must go.
  root.textContent = '';
  render(<App config={config} signInProblem={signInProblem} />, root);
};
void boot();

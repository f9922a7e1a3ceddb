import './styles.css';
import { render } from 'preact';
import { App } from './app.js';
import { completeSignIn, loadConfig } from './auth.js';
import { initialLang, rememberLang } from './i18n.js';

const root = document.getElementById('app');
const boot = async () => {
  if (!root) return;
  rememberLang(initialLang());
  try {
    const config = await loadConfig();
    const signInError = await completeSignIn(config);
    // Preact renders beside existing children; the loading text must go.
    root.textContent = '';
    render(<App config={config} signInError={signInError} />, root);
  } catch {
    root.innerHTML =
      '<p class="banner error" role="alert">无法加载应用配置，请刷新重试。<span lang="en">Cannot load the app configuration; please reload.</span></p>';
  }
};
void boot();

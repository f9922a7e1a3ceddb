/**
 * zod/mini registers no locale, so on its own every issue it finds would read "Invalid input".
 * zod's full build registers English when its first schema is built; this does the same (only
 * when no locale is set yet), so problem+json details, logs and the forms CLI keep zod's English
 * text, e.g. "Too small: expected string to have >=1 characters". Imported for its effect by the
 * modules whose issues reach people as text. The browser does without: the forms engine gives
 * every check its own zh/en message.
 */
import { en } from 'zod/locales';
import { config } from 'zod/mini';

// `config()` reads the settings; `core.globalConfig` would pull all of zod's core into bundles.
if (!config().localeError) config(en());

/** `npm start`: the whole application on http://127.0.0.1:PORT until Ctrl-C. */

import { resolve } from 'node:path';
import { readLocalSettings } from './settings.js';
import { startLocalStack } from './stack.js';

// Handlers log JSON through Powertools; keep the terminal to warnings unless asked otherwise.
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
const verbose = process.env.LOG_REQUESTS === '1';

/** A path as one word for a POSIX shell: quoted when it holds anything but plain characters. */
const shellWord = (text: string) =>
  /^[\w./-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;

const main = async () => {
  const settings = readLocalSettings();
  console.log(`Starting the local stack (data in ${settings.DATA_DIR}) ...`);
  const stack = await startLocalStack(settings, (line) => {
    if (verbose) console.log(line);
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the local stack ...`);
    await stack.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  const url = stack.apiUrl;
  // The commands read the stack's keys and state from DATA_DIR: name a directory other than the
  // default, or they would sign with another key and find no stack.
  const withData =
    settings.DATA_DIR === resolve('.data') ? '' : `DATA_DIR=${shellWord(settings.DATA_DIR)} `;
  console.log(`
县级公共图书馆年报平台 · County library reports — local stack ready

  Web app      ${url}/
  Health       ${url}/api/health
  Sign in      ${url}/dev-login?role=province
               ${url}/dev-login?role=library&library=140429
               ${url}/dev-login?role=admin
  API token    ${withData}npm run --silent dev:token -- --role library --library 140429
  Example      curl -H "Authorization: Bearer $(${withData}npm run --silent dev:token -- --role province)" ${url}/api/libraries

  Registry     ${stack.libraries} libraries; demo reports: ${settings.DEMO === '1' ? (stack.demoReports > 0 ? `${stack.demoReports} written` : 'already loaded') : 'off (DEMO=0)'}
  Rollups      ${withData}npm run rollup -- --form county-annual-report --period 2025
  Nightly      ${stack.nightlyRollup === 'off' ? 'off (ROLLUP_AT=off)' : stack.nightlyRollup}
  Emulators    DynamoDB Local ${stack.dynamoDbEndpoint}, s3rver ${stack.s3Endpoint}
  Data         ${settings.DATA_DIR}

Press Ctrl-C to stop.`);
};

main().catch((error: unknown) => {
  console.error(
    `\nThe local stack could not start:\n${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
});

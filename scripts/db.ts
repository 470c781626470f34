// The embedded PostgreSQL of this checkout (.pgdata/, port 54329): `start`, `stop`, `url` (password redacted).
import { DEFAULT_DATA_DIR, DEFAULT_PORT, ensureEmbeddedServer, stopEmbeddedServer } from '../core/postgres/embedded-server.js';
import { displayPath } from '../core/display-path.js';
import { redactUrl, resolveDatabase, scrubSecrets } from '../core/postgres/database-url.js';
import { exitQuietlyOnClosedPipe } from '../core/closed-pipe.js';

const USAGE = 'usage: db <start|stop|url>';

function main(argv: readonly string[]): number {
  const [command, ...extra] = argv;
  if (extra.length > 0 || !command || !['start', 'stop', 'url'].includes(command)) {
    process.stderr.write(`error: ${USAGE}\n`);
    return 2;
  }
  try {
    if (command === 'start') {
      const server = ensureEmbeddedServer();
      process.stdout.write(`embedded PostgreSQL running in ${displayPath(server.dataDir)} on port ${server.port}: ${redactUrl(server.url)}\n`);
    } else if (command === 'stop') {
      const stopped = stopEmbeddedServer();
      process.stdout.write(stopped ? `stopped the embedded PostgreSQL in ${displayPath(DEFAULT_DATA_DIR)}\n` : `the embedded PostgreSQL in ${displayPath(DEFAULT_DATA_DIR)} was not running\n`);
    } else {
      process.stdout.write(`${redactUrl(resolveDatabase().url)}\n`);
    }
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`error: ${scrubSecrets(message, process.env.DATABASE_URL).split('\n')[0]} (port ${DEFAULT_PORT})\n`);
    return 1;
  }
}

exitQuietlyOnClosedPipe();
process.exitCode = main(process.argv.slice(2));

// Running Debian's PostgreSQL binaries (initdb, pg_ctl, pg_dump) from node: as the "postgres" user when root, in the C
// locale, bounded in time. Shared by the tests' PostgreSQL 15 server and the agreement harness's judge.
import { readFileSync } from 'node:fs';
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';

/** The uid and gid to run PostgreSQL as: {} when not root; undefined when root and there is no "postgres" user. */
export function postgresUserIds(): Pick<SpawnSyncOptions, 'uid' | 'gid'> | undefined {
  if (process.getuid?.() !== 0) return {};
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'));
  if (!line) return undefined;
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** Run a tool to completion; undefined when it succeeded, else `<tool> failed: <its last line>`. */
export function runTool(command: string, args: readonly string[], options: SpawnSyncOptions): string | undefined {
  const result = spawnSync(command, [...args], { ...options, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' }, timeout: 120_000 });
  if (!result.error && result.status === 0) return undefined;
  const why = (result.error?.message ?? `${result.stdout ?? ''}${result.stderr ?? ''}`).trim().split('\n').pop();
  return `${command.split('/').pop()} failed: ${why}`;
}

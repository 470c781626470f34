// Which migrations the executed lock report already showed: a small record in the verifier's cache folder, per
// migration file its checksum when its locks were last reported. `make verify-db` shows only the migrations new or
// changed since (`--locks=all`: every one). Safe to delete: the next report then shows every migration once.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { MigrationRun } from './execute/types.js';

const RECORD_FORMAT = 1;
export const LOCK_RECORD_FILE = 'locks-reported.json';

interface RecordFile {
  readonly format: number;
  /** Absolute path of a migration file → sha256 of its bytes when its locks were last reported. */
  readonly files: Record<string, string>;
}

function checksum(path: string): string | undefined {
  try {
    return createHash('sha256').update(readFileSync(path)).digest('hex');
  } catch {
    return undefined;
  }
}

export interface LockSelection {
  /** The migrations whose locks to show: new, or a file changed, since the last report. */
  readonly shown: readonly string[];
  /** Record the files of this report as reported. */
  save(): void;
}

/** The migrations of `runs` with a file whose checksum differs from the record in `directory` (or is not in it). */
export function locksNewSinceLastReport(runs: readonly MigrationRun[], directory: string | undefined): LockSelection {
  const path = directory ? join(directory, LOCK_RECORD_FILE) : undefined;
  let recorded: Record<string, string> = {};
  try {
    if (path) {
      const file = JSON.parse(readFileSync(path, 'utf8')) as RecordFile;
      if (file.format === RECORD_FORMAT && file.files && typeof file.files === 'object') recorded = file.files;
    }
  } catch {
    // No record yet, or a damaged one: every migration is new.
  }
  const now: Record<string, string> = {};
  const shown: string[] = [];
  for (const run of runs) {
    const files = [...new Set(run.locks.map((l) => resolve(l.file)))];
    let changed = false;
    for (const file of files) {
      const sum = checksum(file);
      if (sum === undefined) continue;
      now[file] = sum;
      if (recorded[file] !== sum) changed = true;
    }
    if (changed) shown.push(run.name);
  }
  return {
    shown,
    save() {
      if (!path || !directory) return;
      try {
        mkdirSync(directory, { recursive: true });
        const temporary = `${path}.${process.pid}.tmp`;
        writeFileSync(temporary, JSON.stringify({ format: RECORD_FORMAT, files: { ...recorded, ...now } }));
        renameSync(temporary, path);
      } catch {
        // A record that cannot be written only means the next report shows these migrations again.
      }
    },
  };
}

// The schema a history starts from when it does not start empty: a baseline SQL file (`baseline` in
// verify-migrations.json, the agreement harness's setup), run on the scratch database before the first migration and
// again whenever the scratch state is rebuilt from an empty database. Each statement runs on its own and a failure does
// not stop the others: a baseline made by pg_dump, or one whose roles exist on the server already, still gives the
// rest. The first run's failures are reported, at the baseline's line.
import type { Sql } from '../../core/postgres/database-url.js';
import type { SourceFile } from '../../core/migrations/layout.js';
import { prepareFile, spanOf } from './prepared-file.js';
import type { Violation } from './types.js';

export async function applyBaseline(sql: Sql, baseline: SourceFile): Promise<Violation[]> {
  const file = prepareFile(baseline);
  if (file.parseError) {
    const at = baseline.lines.position(file.parseError.offset);
    return [failure(file.path, at.line, at.column, at.line, at.column, `The baseline does not parse: ${file.parseError.message}`)];
  }
  const failures: Violation[] = [];
  for (const statement of file.statements) {
    try {
      await sql.unsafe(statement.text);
    } catch (error) {
      const span = spanOf(file, statement.start, statement.end);
      failures.push(failure(file.path, span.start.line, span.start.column, span.end.line, span.end.column, `The baseline's statement fails, and the migrations start without what it makes: ${(error as Error).message}`));
    }
  }
  return failures;
}

function failure(file: string, line: number, column: number, endLine: number, endColumn: number, message: string): Violation {
  return { file, line, column, endLine, endColumn, rule: 'up-fails', severity: 'error', message: `${message.replace(/\.?$/, '')}.`, help: 'Make the baseline run on an empty database of the target server, or leave out what the server already has.' };
}

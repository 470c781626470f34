// The executed rules' messages and the violations they make. Messages: consequence first, one sentence.
import { spanOf, statementNaming, type FileStatement, type PreparedFile } from './prepared-file.js';
import type { StatementFailure } from './apply.js';
import type { Violation } from './types.js';

export type ExecutedRule = 'up-fails' | 'down-fails' | 'down-restores-schema' | 'up-is-repeatable' | 'schema-drift';

export const EXECUTED_RULES: Readonly<Record<ExecutedRule, { readonly description: string; readonly help: string }>> = {
  'up-fails': {
    description: 'The up file fails on a real PostgreSQL after the earlier migrations.',
    help: 'Make the statement run against the schema the earlier migrations leave.',
  },
  'down-fails': {
    description: 'The down file fails on a real PostgreSQL right after its up.',
    help: 'Make the down run against the schema its up leaves, or mark it -- verify:irreversible <reason>.',
  },
  'down-restores-schema': {
    description: 'After up then down, the schema is not what it was before the up.',
    help: 'Make the down undo exactly what the up does, in reverse order.',
  },
  'up-is-repeatable': {
    description: 'After up, down and up again, the schema is not what the first up made.',
    help: 'Make the down remove everything the up creates, so that a rollback followed by a redeploy works.',
  },
  'schema-drift': {
    description: 'The target database differs from what its recorded migrations make.',
    help: 'Capture the change in a new migration, or undo it on the target.',
  },
};

const STOPS: Readonly<Record<'up-fails' | 'down-fails' | 'up-is-repeatable', string>> = {
  'up-fails': 'The deploy stops here',
  'down-fails': 'Rolling back stops here',
  'up-is-repeatable': 'Redeploying after a rollback stops here',
};

function sentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

function make(rule: ExecutedRule, file: string, line: number, column: number, endLine: number, endColumn: number, message: string): Violation {
  return { file, line, column, endLine, endColumn, rule, severity: 'error', message: sentence(message), help: EXECUTED_RULES[rule].help };
}

/** A statement PostgreSQL rejected, at the position it points to. */
export function failureViolation(rule: 'up-fails' | 'down-fails' | 'up-is-repeatable', file: PreparedFile, failure: StatementFailure): Violation {
  const span = spanOf(file, failure.start, failure.end);
  const why = failure.parse ? 'because the file does not parse' : 'because PostgreSQL rejects this statement';
  return make(rule, file.path, span.start.line, span.start.column, span.end.line, span.end.column, `${STOPS[rule]} ${why}: ${failure.message}`);
}

/** A migration whose layout expects a down and has none, nor a reason it cannot have one: rolling it back is impossible. */
export function missingDownViolation(file: PreparedFile, downLabel: string): Violation {
  const first = file.statements[0];
  const span = spanOf(file, first?.start ?? file.anchor, first?.end ?? file.anchor);
  return make('down-fails', file.path, span.start.line, span.start.column, span.end.line, span.end.column, `${STOPS['down-fails']}: there is no down to run (${downLabel} is missing)`);
}

/** A schema difference, at the statement naming the object when there is one, else at the file's anchor. */
export function differenceViolation(rule: 'down-restores-schema' | 'up-is-repeatable', file: PreparedFile, line: string, names: readonly string[]): Violation {
  const lead = rule === 'down-restores-schema' ? 'Rolling back leaves the schema changed' : 'Redeploying after a rollback gives a different schema';
  const statement = statementNaming(file, names);
  if (!statement) {
    const at = file.lines.position(file.anchor);
    return make(rule, file.path, at.line, at.column, at.line, at.column, `${lead}: ${line}`);
  }
  const span = spanOf(file, statement.start, statement.end);
  return make(rule, file.path, span.start.line, span.start.column, span.end.line, span.end.column, `${lead}: ${line}`);
}

/**
 * A difference between the target and its migrations, at the statement of the newest applied migration that names the
 * object (where a DBA looks first), else at the target itself (an object no migration names).
 */
export function driftViolation(target: string, line: string, at?: { readonly file: PreparedFile; readonly statement: FileStatement }): Violation {
  // Line 0: a place in no file (the reporters show the database, with no line and column).
  if (!at) return make('schema-drift', target, 0, 0, 0, 0, `The target schema differs from its migrations: ${line}`);
  const span = spanOf(at.file, at.statement.start, at.statement.end);
  return make('schema-drift', at.file.path, span.start.line, span.start.column, span.end.line, span.end.column, `The target schema differs from its migrations: ${line}`);
}

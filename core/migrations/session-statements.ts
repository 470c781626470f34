// Statements that change the session for what runs after them: settings that change how the server reads SQL (so it
// no longer runs what the parser read), and session state a later migration would inherit. The runner and the
// verifier's rules both ask here.
import type { AstNode } from './parse.js';

interface SettingStatement {
  readonly kind: string;
  readonly node: AstNode;
}

/** Settings under which the server reads string literals differently from the parser (PostgreSQL 18's defaults). */
const LEXER_SETTINGS: Readonly<Record<string, (value: string | undefined) => boolean>> = {
  // off: a backslash escapes inside '...', so 'a\' ...' reads on past the quote the parser closed.
  standard_conforming_strings: (value) => value === undefined || !/^(on|true|yes|1)$/i.test(value),
  // on: \' is a quote inside '...' whenever backslashes escape.
  backslash_quote: (value) => value === undefined || /^(on|true|yes|1)$/i.test(value),
};

const SET_CONFIG = /\bset_config\s*\(\s*'([a-z_.]+)'\s*,\s*'([^']*)'\s*,\s*(true|false)\s*\)/gi;

/** The setting, as `name = value`, when the statement changes how the server lexes SQL; else undefined. */
export function lexerSetting(statement: SettingStatement, text: string): string | undefined {
  const set = setStatementOf(statement);
  if (set?.name && LEXER_SETTINGS[set.name] && set.kind === 'VAR_SET_VALUE') {
    const value = settingValue(set);
    if (LEXER_SETTINGS[set.name]!(value)) return `${set.name} = ${value ?? 'DEFAULT'}`;
  }
  for (const match of text.matchAll(SET_CONFIG)) {
    const name = match[1]!.toLowerCase();
    if (LEXER_SETTINGS[name]?.(match[2])) return `${name} = ${match[2]}`;
  }
  return undefined;
}

/**
 * What the statement changes in the session that outlives it (SET without LOCAL, RESET, SET ROLE, SET SESSION
 * AUTHORIZATION, DISCARD, set_config(..., false), advisory unlocks), as a short phrase; undefined when nothing.
 */
export function sessionChange(statement: SettingStatement, text: string): string | undefined {
  if (statement.kind === 'VariableSetStmt') {
    const set = statement.node as { kind?: string; name?: string; is_local?: boolean };
    if (set.is_local) return undefined;
    if (set.kind === 'VAR_RESET_ALL') return 'RESET ALL';
    if (set.kind === 'VAR_RESET') return `RESET ${set.name}`;
    if (set.name === 'role') return 'SET ROLE';
    if (set.name === 'session_authorization') return 'SET SESSION AUTHORIZATION';
    if (set.kind === 'VAR_SET_VALUE' || set.kind === 'VAR_SET_DEFAULT' || set.kind === 'VAR_SET_CURRENT') return `SET ${set.name}`;
    return undefined;
  }
  if (statement.kind === 'DiscardStmt') return `DISCARD ${String((statement.node as { target?: string }).target ?? '').replace(/^DISCARD_/, '')}`;
  for (const match of text.matchAll(SET_CONFIG)) if (match[3]!.toLowerCase() === 'false') return `set_config('${match[1]}', ..., false)`;
  const unlock = /\b(pg_advisory_unlock_all|pg_advisory_unlock|pg_advisory_unlock_shared)\s*\(/i.exec(text);
  if (unlock) return `${unlock[1]!.toLowerCase()}()`;
  return undefined;
}

function setStatementOf(statement: SettingStatement): { kind?: string; name?: string; args?: AstNode[] } | undefined {
  if (statement.kind === 'VariableSetStmt') return statement.node;
  if (statement.kind === 'AlterDatabaseSetStmt' || statement.kind === 'AlterRoleSetStmt') return statement.node.setstmt;
  return undefined;
}

function settingValue(set: { args?: AstNode[] }): string | undefined {
  const arg = set.args?.[0]?.A_Const;
  if (!arg) return undefined;
  if (arg.sval) return String(arg.sval.sval);
  if (arg.ival) return String(arg.ival.ival ?? 0);
  if (arg.boolval) return String(Boolean(arg.boolval.boolval));
  return undefined;
}

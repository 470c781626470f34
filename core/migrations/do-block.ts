// What a DO block runs: the SQL statements written in its PL/pgSQL body (inside IF, loops and exception blocks alike),
// or 'dynamic' when it builds statements at run time (EXECUTE, OPEN ... FOR EXECUTE) or is not PL/pgSQL the parser can
// read. Which of them run depends on the server: callers treat them as statements that may have run.
import { parsePlpgsql, parseSql, type AstNode, type Statement } from './parse.js';

/** A statement of the body; `conditional` when it sits under IF, CASE or a loop, so it may not run at all. */
export interface DoBlockStatement extends Statement {
  readonly conditional: boolean;
}

export type DoBlockStatements = readonly DoBlockStatement[] | 'dynamic';

/** PL/pgSQL statements whose body may run zero times. */
const BRANCHES = new Set(['PLpgSQL_stmt_if', 'PLpgSQL_stmt_case', 'PLpgSQL_stmt_loop', 'PLpgSQL_stmt_while', 'PLpgSQL_stmt_fori', 'PLpgSQL_stmt_fors', 'PLpgSQL_stmt_foreach_a', 'PLpgSQL_stmt_forc']);

/** Statement kinds of PL/pgSQL that build SQL from strings. */
const DYNAMIC = new Set(['PLpgSQL_stmt_dynexecute', 'PLpgSQL_stmt_dynfors']);

/** Read once per DO node: the schema model and down-reverses-up both ask for the same statement. */
const read = new WeakMap<AstNode, DoBlockStatements>();

/** The statements of a DoStmt's body. Call loadParser() first. */
export function doBlockStatements(node: AstNode): DoBlockStatements {
  let statements = read.get(node);
  if (statements === undefined) read.set(node, (statements = readDoBlock(node)));
  return statements;
}

function readDoBlock(node: AstNode): DoBlockStatements {
  const option = (name: string): AstNode | undefined => (node.args ?? []).find((a: AstNode) => a.DefElem?.defname === name)?.DefElem;
  const language = option('language')?.arg?.String?.sval ?? 'plpgsql';
  const body = option('as')?.arg?.String?.sval;
  if (language.toLowerCase() !== 'plpgsql' || typeof body !== 'string') return 'dynamic';
  let tree: unknown;
  try {
    // PL/pgSQL's parser reads function definitions: wrap the body in one (a dollar quote no body can contain).
    const quote = `$do_${'x'.repeat(8)}$`;
    if (body.includes(quote)) return 'dynamic';
    tree = parsePlpgsql(`CREATE FUNCTION pg_temp.do_block() RETURNS void LANGUAGE plpgsql AS ${quote}${body}${quote}`);
  } catch {
    return 'dynamic';
  }
  const queries: { query: string; conditional: boolean }[] = [];
  let dynamic = false;
  const walk = (value: unknown, conditional: boolean): void => {
    if (dynamic || value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const item of value) walk(item, conditional);
      return;
    }
    for (const [key, child] of Object.entries(value)) {
      if (DYNAMIC.has(key)) dynamic = true;
      else if (key === 'PLpgSQL_stmt_open' && (child as AstNode)?.dynquery) dynamic = true;
      else if (key === 'PLpgSQL_stmt_execsql') {
        const query = (child as AstNode)?.sqlstmt?.PLpgSQL_expr?.query;
        if (typeof query === 'string') queries.push({ query, conditional });
      }
      walk(child, conditional || BRANCHES.has(key));
    }
  };
  walk(tree, false);
  if (dynamic) return 'dynamic';
  const statements: DoBlockStatement[] = [];
  for (const { query, conditional } of queries) {
    const parsed = parseSql(query);
    // PL/pgSQL variables where the SQL grammar wants a name: what the statement does is not known.
    if (parsed.error) return 'dynamic';
    for (const statement of parsed.statements) statements.push({ ...statement, conditional });
  }
  return statements;
}

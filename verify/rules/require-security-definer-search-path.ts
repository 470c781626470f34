import { defineRule } from '../rule.js';
import type { AstNode, Statement } from '../../core/migrations/parse.js';
import { displayName, qualifiedFromList, stringList } from '../ast.js';
import type { SourceFile } from '../../core/migrations/layout.js';

/** What this rule knows of a function: SECURITY DEFINER or not, and whether it pins its search_path. */
interface FunctionState {
  readonly definer: boolean;
  readonly searchPath: boolean;
}

interface Change {
  readonly name: string;
  readonly before: FunctionState | undefined;
  readonly after: FunctionState;
  /** Byte offsets of the SECURITY clause and of the SET / RESET search_path clause, when the statement has them. */
  readonly securityAt?: number;
  readonly resetAt?: number;
}

/** SECURITY DEFINER code runs with its owner's rights; an unpinned search_path lets callers choose what it calls. */
export default defineRule({
  meta: {
    name: 'require-security-definer-search-path',
    description: 'SECURITY DEFINER functions and procedures set their own search_path.',
    category: 'security',
    severity: 'error',
    messages: {
      missingSearchPath: "{{kind}} {{name}} runs with its owner's privileges (SECURITY DEFINER) but takes its search_path from the caller: a caller who can create objects in a schema on that path can shadow a table, function or operator it uses and run their own code with the owner's privileges.",
      resetSearchPath: "This removes the search_path setting of SECURITY DEFINER {{kind}} {{name}}: from now on it resolves names through the caller's search_path, so a caller can shadow what it uses and run their own code with the owner's privileges.",
    },
    help: {
      missingSearchPath: 'Add SET search_path = <trusted schemas>, pg_temp to the definition (or SET search_path = \'\' with every name schema-qualified).',
      resetSearchPath: 'Keep a SET search_path = <trusted schemas>, pg_temp on the function.',
    },
  },
  create(context) {
    // What this migration's own statements say about functions (up, then down), over what the schema model
    // records of earlier definitions (SECURITY DEFINER, SET search_path).
    const functions = new Map<string, FunctionState>();
    return {
      statement({ statement, file, schema }) {
        const named = functionName(statement);
        if (named && !functions.has(named)) {
          const known = schema.object('function', named)?.attributes;
          if (known) functions.set(named, { definer: known.securityDefiner === true, searchPath: known.searchPath === true });
        }
        const change = apply(functions, statement);
        if (!change || !change.after.definer || change.after.searchPath) return;
        const kind = statement.node.is_procedure || /PROCEDURE/.test(statement.node.objtype ?? '') ? 'procedure' : 'function';
        const name = displayName(change.name);
        if (change.securityAt !== undefined) {
          context.report({ messageId: 'missingSearchPath', file, at: change.securityAt, endAt: securityEnd(file, change.securityAt), data: { name, kind: kind === 'procedure' ? 'Procedure' : 'Function' } });
        } else if (change.resetAt !== undefined && change.before?.definer && change.before.searchPath) {
          context.report({ messageId: 'resetSearchPath', file, at: change.resetAt, data: { name, kind } });
        }
      },
    };
  },
});

/** The function a CREATE or ALTER FUNCTION statement names. */
function functionName(statement: Statement): string | undefined {
  const n = statement.node;
  if (statement.kind === 'CreateFunctionStmt') return qualifiedFromList(stringList(n.funcname));
  if (statement.kind === 'AlterFunctionStmt') return qualifiedFromList(stringList(n.func?.objname));
  return undefined;
}

/** Apply a statement to the known functions; describe the change if it creates or alters one. */
function apply(functions: Map<string, FunctionState>, statement: Statement): Change | undefined {
  const n = statement.node;
  switch (statement.kind) {
    case 'CreateFunctionStmt': {
      const name = qualifiedFromList(stringList(n.funcname));
      const change = applyOptions(name, functions.get(name), { definer: false, searchPath: false }, n.options);
      functions.set(name, change.after);
      return change;
    }
    case 'AlterFunctionStmt': {
      const name = qualifiedFromList(stringList(n.func?.objname));
      const before = functions.get(name);
      const change = applyOptions(name, before, before ?? { definer: false, searchPath: false }, n.actions);
      functions.set(name, change.after);
      return change;
    }
    case 'DropStmt':
      if (/^OBJECT_(FUNCTION|PROCEDURE|ROUTINE)$/.test(n.removeType)) {
        for (const object of n.objects ?? []) functions.delete(qualifiedFromList(stringList(object.ObjectWithArgs?.objname)));
      }
      return undefined;
    case 'RenameStmt':
      if (/^OBJECT_(FUNCTION|PROCEDURE|ROUTINE)$/.test(n.renameType)) {
        const names = stringList(n.object?.ObjectWithArgs?.objname);
        const from = qualifiedFromList(names);
        const state = functions.get(from);
        functions.delete(from);
        if (state) functions.set(qualifiedFromList([...names.slice(0, -1), n.newname]), state);
      }
      return undefined;
    default:
      return undefined;
  }
}

function applyOptions(name: string, before: FunctionState | undefined, start: FunctionState, options: readonly AstNode[] | undefined): Change {
  let { definer, searchPath } = start;
  let securityAt: number | undefined;
  let resetAt: number | undefined;
  for (const option of options ?? []) {
    const def = option.DefElem;
    if (!def) continue;
    if (def.defname === 'security') {
      definer = def.arg?.Boolean?.boolval === true;
      if (definer) securityAt = def.location;
    } else if (def.defname === 'set') {
      const set = def.arg?.VariableSetStmt ?? {};
      if (set.kind === 'VAR_RESET_ALL' || (set.name === 'search_path' && (set.kind === 'VAR_RESET' || set.kind === 'VAR_SET_DEFAULT'))) {
        searchPath = false;
        resetAt = def.location;
      } else if (set.name === 'search_path') {
        searchPath = true;
      }
    }
  }
  return { name, before, after: { definer, searchPath }, securityAt, resetAt };
}

/** Byte offset just past `[EXTERNAL] SECURITY DEFINER` written at `at`. */
function securityEnd(file: SourceFile, at: number): number | undefined {
  const clause = /^(?:EXTERNAL\s+)?SECURITY\s+DEFINER\b/i.exec(file.lines.textBetween(at, at + 80));
  return clause ? at + Buffer.byteLength(clause[0], 'utf8') : undefined;
}

// The migration runner's bookkeeping: pgmigrations (node-pg-migrate's table) and every pgmigrations_* table and
// function beside it (checksums, their log, the audit trail). A migration may not name it: the runner refuses such a
// statement before anything runs, and the verifier reports it (ban-runner-bookkeeping). One definition for both.
import type { AstNode } from './parse.js';

export const BOOKKEEPING_PREFIX = 'pgmigrations';

const NAMED = /(?<![A-Za-z0-9_$])(pgmigrations[A-Za-z0-9_$]*)/i;

/**
 * The first bookkeeping name a statement names: in its text, comments aside (so also inside a string that a DO block
 * or EXECUTE runs), or, when its parse tree is given, in any name or string of it as PostgreSQL decoded it
 * (U&"\0070gmigrations", E'\x70gmigrations').
 */
export function bookkeepingNameIn(text: string, node?: AstNode): string | undefined {
  const code = text.replace(/--[^\n]*/g, ' ').replace(/\/\*[\s\S]*?\*\//g, ' ');
  const inText = NAMED.exec(code)?.[1];
  if (inText || node === undefined) return inText;
  return inTree(node);
}

function inTree(node: unknown): string | undefined {
  if (typeof node === 'string') return NAMED.exec(node)?.[1];
  if (Array.isArray(node)) {
    for (const item of node) {
      const found = inTree(item);
      if (found) return found;
    }
    return undefined;
  }
  if (node && typeof node === 'object') {
    for (const value of Object.values(node)) {
      const found = inTree(value);
      if (found) return found;
    }
  }
  return undefined;
}

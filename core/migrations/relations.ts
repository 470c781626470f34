// The relations a statement names, read from its parse tree: the tables (and indexes, views, sequences) it creates,
// alters, reads, references or drops. The runner asks to know which tables a pending migration will lock (the
// deploy's preflight) and which table was busy when a lock timeout fired; a verifier rule may ask the same.
import type { AstNode } from './parse.js';

/**
 * Every relation named in `node` (a statement's parse tree, or any part of it), schema-qualified when the SQL says
 * so, each identifier quoted as PostgreSQL would need it, in order of appearance, without repeats.
 */
export function relationsNamed(node: AstNode | readonly AstNode[] | undefined): string[] {
  const found: string[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (!value || typeof value !== 'object') return;
    const record = value as Record<string, unknown>;
    // A RangeVar, bare (CreateStmt.relation) or wrapped ({ RangeVar: {...} }): it has inh or relpersistence.
    if (typeof record.relname === 'string' && ('inh' in record || 'relpersistence' in record)) {
      found.push(typeof record.schemaname === 'string' ? `${quoteIdent(record.schemaname)}.${quoteIdent(record.relname)}` : quoteIdent(record.relname));
    }
    // DROP TABLE / INDEX / VIEW ... names its objects as lists of strings, not RangeVars.
    const drop = record.DropStmt as { objects?: unknown[]; removeType?: string } | undefined;
    if (drop && /^OBJECT_(TABLE|INDEX|VIEW|MATVIEW|SEQUENCE|FOREIGN_TABLE)$/.test(drop.removeType ?? '')) {
      for (const object of drop.objects ?? []) {
        const items = (object as { List?: { items?: { String?: { sval?: string } }[] } }).List?.items ?? [];
        const parts = items.map((i) => i.String?.sval).filter((s): s is string => typeof s === 'string');
        if (parts.length) found.push(parts.map(quoteIdent).join('.'));
      }
    }
    for (const child of Object.values(record)) visit(child);
  };
  visit(node);
  return [...new Set(found)];
}

/** An identifier as SQL text: bare when lower-case and plain, else double-quoted. */
export function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

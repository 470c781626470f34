// What a statement locks, as PostgreSQL's manual gives it: the lock mode on each relation the statement names, and what
// each mode blocks. One table for the language server's hover (verify/lsp/locks.ts), --explain (verify/explain.ts) and
// the executed proof's report of statements run outside a transaction, whose locks are gone before pg_locks can be read.
import type { Statement, AstNode } from '../core/migrations/parse.js';
import { relationName, walk } from './ast.js';
import type { LockMode } from './rule.js';

export interface StatementLock {
  readonly mode: LockMode;
  readonly relation: string;
}

/** Lock modes, weakest first (the manual's conflict table order). */
export const LOCK_RANK: readonly LockMode[] = ['AccessShareLock', 'RowShareLock', 'RowExclusiveLock', 'ShareUpdateExclusiveLock', 'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'];

/** What each mode blocks, as the manual's conflict table has it (only the ones a migration is asked about). */
const BLOCKS: Readonly<Record<LockMode, string>> = {
  AccessShareLock: 'blocks only ACCESS EXCLUSIVE (DROP, most ALTER TABLE)',
  RowShareLock: 'blocks EXCLUSIVE and ACCESS EXCLUSIVE',
  RowExclusiveLock: 'blocks SHARE and stronger (CREATE INDEX without CONCURRENTLY)',
  ShareUpdateExclusiveLock: 'blocks schema changes, VACUUM and other SHARE UPDATE EXCLUSIVE holders; reads and writes go on',
  ShareLock: 'blocks writes (INSERT, UPDATE, DELETE); reads go on',
  ShareRowExclusiveLock: 'blocks writes and other schema changes; reads go on',
  ExclusiveLock: 'blocks writes and SELECT ... FOR UPDATE; plain reads go on',
  AccessExclusiveLock: 'blocks reads and writes',
};

/** ALTER TABLE subcommands that take less than ACCESS EXCLUSIVE (PostgreSQL 18, AlterTableGetLockLevel). */
const ALTER_LEVELS: Readonly<Record<string, LockMode>> = {
  AT_ValidateConstraint: 'ShareUpdateExclusiveLock',
  AT_SetStatistics: 'ShareUpdateExclusiveLock',
  AT_ClusterOn: 'ShareUpdateExclusiveLock',
  AT_DropCluster: 'ShareUpdateExclusiveLock',
  AT_SetRelOptions: 'ShareUpdateExclusiveLock',
  AT_ResetRelOptions: 'ShareUpdateExclusiveLock',
  AT_SetOptions: 'ShareUpdateExclusiveLock',
  AT_ResetOptions: 'ShareUpdateExclusiveLock',
  AT_AttachPartition: 'ShareUpdateExclusiveLock',
  AT_DetachPartitionFinalize: 'ShareUpdateExclusiveLock',
  AT_EnableTrig: 'ShareRowExclusiveLock',
  AT_EnableAlwaysTrig: 'ShareRowExclusiveLock',
  AT_EnableReplicaTrig: 'ShareRowExclusiveLock',
  AT_DisableTrig: 'ShareRowExclusiveLock',
  AT_EnableTrigAll: 'ShareRowExclusiveLock',
  AT_DisableTrigAll: 'ShareRowExclusiveLock',
  AT_EnableTrigUser: 'ShareRowExclusiveLock',
  AT_DisableTrigUser: 'ShareRowExclusiveLock',
};

function stronger(a: LockMode, b: LockMode): LockMode {
  return LOCK_RANK.indexOf(a) >= LOCK_RANK.indexOf(b) ? a : b;
}

/**
 * The locks PostgreSQL takes on the relations a statement names (catalog-only statements: none). `tableOf` names an
 * index's table, as the schema model knows it: dropping or reindexing an index locks its table too.
 */
/** The newest PostgreSQL the table describes; `version` below says which older levels differ. */
export const LOCK_TABLE_VERSION = 18;

export function statementLocks(statement: Statement, tableOf: (index: string) => string | undefined = () => undefined, version = LOCK_TABLE_VERSION): StatementLock[] {
  const node = statement.node;
  const locks = new Map<string, LockMode>();
  const take = (relation: string, mode: LockMode): void => {
    if (!relation || relation.endsWith('.')) return;
    const known = locks.get(relation);
    locks.set(relation, known ? stronger(known, mode) : mode);
  };
  const referenced = (root: unknown, mode: LockMode): void => {
    for (const [kind, body] of walk(root)) if (kind === 'Constraint' && body.contype === 'CONSTR_FOREIGN' && body.pktable) take(relationName(body.pktable), mode);
  };
  switch (statement.kind) {
    case 'IndexStmt':
      take(relationName(node.relation), node.concurrent ? 'ShareUpdateExclusiveLock' : 'ShareLock');
      break;
    case 'AlterTableStmt': {
      const table = relationName(node.relation);
      let mode: LockMode | undefined;
      for (const item of node.cmds ?? []) {
        const cmd: AstNode = item.AlterTableCmd ?? {};
        let level: LockMode = ALTER_LEVELS[cmd.subtype] ?? 'AccessExclusiveLock';
        // ATTACH PARTITION took ACCESS EXCLUSIVE on the parent before 12; DETACH ... CONCURRENTLY (14) takes SHARE UPDATE EXCLUSIVE.
        if (cmd.subtype === 'AT_AttachPartition' && version < 12) level = 'AccessExclusiveLock';
        if (cmd.subtype === 'AT_DetachPartition' && cmd.def?.PartitionCmd?.concurrent) level = 'ShareUpdateExclusiveLock';
        const constraint = cmd.def?.Constraint;
        if (cmd.subtype === 'AT_AddConstraint' && constraint?.contype === 'CONSTR_FOREIGN') level = 'ShareRowExclusiveLock';
        mode = mode ? stronger(mode, level) : level;
        referenced(cmd.def, 'ShareRowExclusiveLock');
      }
      if (mode) take(table, mode);
      break;
    }
    case 'CreateStmt':
      referenced(node, 'ShareRowExclusiveLock');
      break;
    case 'DropStmt': {
      const concurrent = node.concurrent === true;
      const relational = ['OBJECT_TABLE', 'OBJECT_INDEX', 'OBJECT_VIEW', 'OBJECT_MATVIEW', 'OBJECT_SEQUENCE', 'OBJECT_FOREIGN_TABLE'].includes(node.removeType);
      if (!relational) break;
      for (const object of node.objects ?? []) {
        const names: string[] = (object.List?.items ?? []).map((n: AstNode) => n.String?.sval ?? '');
        const name = names.length >= 2 ? `${names[names.length - 2]}.${names[names.length - 1]}` : `public.${names[0] ?? ''}`;
        take(name, concurrent ? 'ShareUpdateExclusiveLock' : 'AccessExclusiveLock');
        const table = node.removeType === 'OBJECT_INDEX' ? tableOf(name) : undefined;
        if (table) take(table, concurrent ? 'ShareUpdateExclusiveLock' : 'AccessExclusiveLock');
      }
      break;
    }
    case 'TruncateStmt':
      for (const relation of node.relations ?? []) take(relationName(relation.RangeVar), 'AccessExclusiveLock');
      break;
    case 'RenameStmt':
      if (node.relation) take(relationName(node.relation), 'AccessExclusiveLock');
      break;
    case 'InsertStmt':
    case 'UpdateStmt':
    case 'DeleteStmt':
    case 'MergeStmt':
      take(relationName(node.relation), 'RowExclusiveLock');
      break;
    case 'CreateTrigStmt':
      take(relationName(node.relation), 'ShareRowExclusiveLock');
      break;
    case 'RefreshMatViewStmt':
      take(relationName(node.relation), node.concurrent ? 'ExclusiveLock' : 'AccessExclusiveLock');
      break;
    case 'ClusterStmt':
      take(relationName(node.relation), 'AccessExclusiveLock');
      break;
    case 'VacuumStmt': {
      const full = (node.options ?? []).some((o: AstNode) => o.DefElem?.defname === 'full');
      for (const relation of node.rels ?? []) take(relationName(relation.VacuumRelation?.relation), full ? 'AccessExclusiveLock' : 'ShareUpdateExclusiveLock');
      break;
    }
    case 'ReindexStmt':
      if (node.relation) take(relationName(node.relation), (node.params ?? []).some((o: AstNode) => o.DefElem?.defname === 'concurrently') ? 'ShareUpdateExclusiveLock' : 'ShareLock');
      break;
    case 'CommentStmt':
      break;
    default:
      break;
  }
  return [...locks].map(([relation, mode]) => ({ relation, mode }));
}

/** What a lock mode blocks, in words. */
export function lockBlocks(mode: LockMode): string {
  return BLOCKS[mode];
}

import { defineRule } from '../rule.js';
import type { Statement } from '../../core/migrations/parse.js';
import { displayName, qualifiedFromList, relationName, stringList } from '../ast.js';

/** Row level security stays on, forced, and its policies stay in place. */
export default defineRule({
  meta: {
    name: 'ban-disable-row-level-security',
    description: 'Migrations do not disable row level security, stop forcing it, or drop a policy.',
    category: 'security',
    severity: 'error',
    messages: {
      disable: 'Disabling row level security on {{table}} lets every role with privileges on the table read and change all its rows, whatever its policies say.',
      noForce: "NO FORCE ROW LEVEL SECURITY lets the owner of {{table}}, and every view and SECURITY DEFINER function it owns, bypass the table's policies.",
      dropPolicy: 'Dropping policy {{policy}} changes which rows of {{table}} its roles can read and change (a RESTRICTIVE policy stops filtering at once), and nothing in this migration replaces it.',
    },
    help: {
      disable: 'Keep row level security enabled and change the policies instead (ALTER POLICY, or CREATE POLICY for new access).',
      noForce: 'Keep FORCE ROW LEVEL SECURITY and give the owner what it needs through a policy.',
      dropPolicy: 'Change the policy in place with ALTER POLICY, or drop and recreate it in the same transaction.',
    },
  },
  create(context) {
    return {
      statement({ statement, file, side, schema, changes, migration, undoesUp }) {
        const inverse = undoesUp;
        // A table this migration creates is not in use yet: whatever it does to its security is not a change anyone sees.
        const isNew = (table: string): boolean => schema.isNew(table, migration.name);
        // The statements after this one, read only when one of them might undo it (a slice per statement is quadratic).
        const later = (): readonly Statement[] => file.parsed.statements.slice(statement.index + 1);
        const n = statement.node;
        if (statement.kind === 'AlterTableStmt' && (n.objtype ?? 'OBJECT_TABLE') === 'OBJECT_TABLE') {
          const table = relationName(n.relation);
          if (isNew(table)) return;
          for (const command of n.cmds ?? []) {
            const subtype = command.AlterTableCmd?.subtype;
            if (subtype === 'AT_DisableRowSecurity' && !inverse(`disable rls ${table}`)) {
              if (!migration.noTransaction && later().some((s) => altersTable(s, table, 'AT_EnableRowSecurity'))) continue;
              context.report({ messageId: 'disable', file, at: statement.start, data: { table: displayName(table) } });
            }
            if (subtype === 'AT_NoForceRowSecurity' && !inverse(`noforce rls ${table}`)) {
              if (!migration.noTransaction && later().some((s) => altersTable(s, table, 'AT_ForceRowSecurity'))) continue;
              context.report({ messageId: 'noForce', file, at: statement.start, data: { table: displayName(table) } });
            }
          }
          return;
        }
        if (statement.kind === 'DropStmt' && n.removeType === 'OBJECT_POLICY') {
          for (const object of n.objects ?? []) {
            const names = stringList(object.List?.items);
            const policy = names[names.length - 1] ?? '';
            const table = qualifiedFromList(names.slice(0, -1));
            if (inverse(`drop policy ${table}.${policy}`) || isNew(table)) continue;
            if (!migration.noTransaction && later().some((s) => createsPolicy(s, table, policy))) continue;
            context.report({ messageId: 'dropPolicy', file, at: statement.start, data: { policy, table: displayName(table) } });
          }
        }
      },
    };
  },
});

/** ALTER TABLE <table> ... <subtype> (re-enabling or re-forcing later in the same transaction). */
function altersTable(statement: Statement, table: string, subtype: string): boolean {
  if (statement.kind !== 'AlterTableStmt' || relationName(statement.node.relation) !== table) return false;
  return (statement.node.cmds ?? []).some((c: { AlterTableCmd?: { subtype?: string } }) => c.AlterTableCmd?.subtype === subtype);
}

function createsPolicy(statement: Statement, table: string, policy: string): boolean {
  return statement.kind === 'CreatePolicyStmt' && statement.node.policy_name === policy && relationName(statement.node.table) === table;
}

import { defineRule } from '../rule.js';
import type { AstNode, Statement } from '../../core/migrations/parse.js';
import { displayName, qualifiedFromList, relationName, stringList } from '../ast.js';

/** The bootstrap superuser every cluster starts with. */
const BOOTSTRAP_SUPERUSER = 'postgres';

const RELATION_KINDS: Readonly<Record<string, string>> = {
  OBJECT_TABLE: 'table', OBJECT_VIEW: 'view', OBJECT_MATVIEW: 'materialized view', OBJECT_SEQUENCE: 'sequence',
  OBJECT_FOREIGN_TABLE: 'foreign table', OBJECT_INDEX: 'index',
};

/** Objects are owned by ordinary roles: whatever runs with its owner's rights must not run as superuser. */
export default defineRule({
  meta: {
    name: 'ban-owner-to-superuser',
    description: 'Objects are not handed to a superuser with OWNER TO or REASSIGN OWNED.',
    category: 'security',
    severity: 'error',
    messages: {
      owner: "Making superuser {{role}} the owner of {{object}} means whatever runs with the owner's rights (SECURITY DEFINER code, views, the owner's bypass of row level security) runs as superuser, so any flaw in it hands out the whole cluster.",
      reassign: "REASSIGN OWNED hands everything {{from}} owns to superuser {{role}}: whatever runs with the owner's rights (SECURITY DEFINER code, views) then runs as superuser, so any flaw in it hands out the whole cluster.",
    },
    help: {
      owner: 'Make a dedicated non-superuser role (e.g. app_owner) the owner, with only the privileges the object needs.',
      reassign: 'Reassign to a dedicated non-superuser role (e.g. app_owner).',
    },
  },
  create(context) {
    // `postgres`, the roles earlier migrations made superusers (the schema model records roles), and those this one does.
    const superusers = new Set([BOOTSTRAP_SUPERUSER]);
    let seeded = false;
    /** Objects whose owner this migration's up changes: a down may give them back to their earlier owner. */
    const changedInUp = new Set<string>();
    return {
      statement({ statement, file, side, schema }) {
        if (!seeded) {
          seeded = true;
          for (const role of schema.objectsOf('role')) if (role.attributes?.superuser) superusers.add(role.name);
        }
        trackRoles(superusers, statement);
        for (const change of ownerChanges(statement)) {
          if (side === 'up') changedInUp.add(change.object);
          if (change.role === undefined || !superusers.has(change.role)) continue;
          if (side === 'down' && changedInUp.has(change.object)) continue;
          const at = change.at >= 0 ? change.at : statement.start;
          if (change.reassign) context.report({ messageId: 'reassign', file, at, data: { from: change.object, role: change.role } });
          else context.report({ messageId: 'owner', file, at, data: { object: change.object, role: change.role } });
        }
      },
    };
  },
});

interface OwnerChange {
  /** `table orders`, `function f`, ... or the reassigned roles. */
  readonly object: string;
  /** The new owner by name; undefined for CURRENT_USER, SESSION_USER and CURRENT_ROLE, which cannot be known here. */
  readonly role: string | undefined;
  readonly at: number;
  readonly reassign?: boolean;
}

function ownerChanges(statement: Statement): OwnerChange[] {
  const n = statement.node;
  switch (statement.kind) {
    case 'AlterTableStmt': {
      const kind = RELATION_KINDS[n.objtype ?? 'OBJECT_TABLE'] ?? 'relation';
      const object = `${kind} ${displayName(relationName(n.relation))}`;
      return (n.cmds ?? [])
        .map((c: AstNode) => c.AlterTableCmd)
        .filter((cmd: AstNode | undefined) => cmd?.subtype === 'AT_ChangeOwner')
        .map((cmd: AstNode) => ({ object, role: named(cmd.newowner), at: cmd.newowner?.location ?? -1 }));
    }
    case 'AlterOwnerStmt': {
      const kind = String(n.objectType ?? 'OBJECT_OBJECT').replace(/^OBJECT_/, '').toLowerCase().replace(/_/g, ' ');
      return [{ object: `${kind} ${objectName(n.object)}`, role: named(n.newowner), at: n.newowner?.location ?? -1 }];
    }
    case 'ReassignOwnedStmt': {
      const from = (n.roles ?? []).map((r: AstNode) => named(r.RoleSpec) ?? 'CURRENT_USER').join(', ');
      return [{ object: from, role: named(n.newrole), at: n.newrole?.location ?? -1, reassign: true }];
    }
    default:
      return [];
  }
}

function named(spec: AstNode | undefined): string | undefined {
  return spec?.roletype === 'ROLESPEC_CSTRING' ? spec.rolename : undefined;
}

function objectName(object: AstNode | undefined): string {
  if (!object) return '?';
  if (object.String) return object.String.sval;
  if (object.ObjectWithArgs) return displayName(qualifiedFromList(stringList(object.ObjectWithArgs.objname)));
  if (object.TypeName) return displayName(qualifiedFromList(stringList(object.TypeName.names)));
  if (object.List) return displayName(qualifiedFromList(stringList(object.List.items)));
  return '?';
}

function trackRoles(superusers: Set<string>, statement: Statement): void {
  const n = statement.node;
  const flag = (options: readonly AstNode[] | undefined): boolean | undefined => {
    const def = (options ?? []).map((o) => o.DefElem).find((d: AstNode | undefined) => d?.defname === 'superuser');
    return def ? def.arg?.Boolean?.boolval === true : undefined;
  };
  switch (statement.kind) {
    case 'CreateRoleStmt':
      if (flag(n.options)) superusers.add(n.role);
      return;
    case 'AlterRoleStmt': {
      const role = named(n.role);
      const superuser = flag(n.options);
      if (role === undefined || superuser === undefined) return;
      if (superuser) superusers.add(role);
      else superusers.delete(role);
      return;
    }
    case 'DropRoleStmt':
      for (const role of n.roles ?? []) {
        const name = named(role.RoleSpec);
        if (name && name !== BOOTSTRAP_SUPERUSER) superusers.delete(name);
      }
      return;
    case 'RenameStmt':
      if (n.renameType === 'OBJECT_ROLE' && superusers.delete(n.subname)) superusers.add(n.newname);
      return;
    default:
      return;
  }
}

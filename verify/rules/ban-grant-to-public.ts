import { defineRule } from '../rule.js';
import type { AstNode } from '../../core/migrations/parse.js';
import { displayName, qualifiedFromList, relationName, stringList } from '../ast.js';

/** USAGE on a type or domain is PUBLIC's by default and exposes no data: granting it again changes nothing. */
const HARMLESS = new Set(['OBJECT_TYPE', 'OBJECT_DOMAIN']);

const KINDS: Readonly<Record<string, string>> = {
  OBJECT_TABLE: 'tables', OBJECT_SEQUENCE: 'sequences', OBJECT_FUNCTION: 'functions', OBJECT_PROCEDURE: 'procedures', OBJECT_ROUTINE: 'routines',
  OBJECT_TYPE: 'types', OBJECT_SCHEMA: 'schemas', OBJECT_LARGEOBJECT: 'large objects',
};

/** GRANT ... TO PUBLIC hands a privilege to every role there is and ever will be. */
export default defineRule({
  meta: {
    name: 'ban-grant-to-public',
    description: 'Privileges are granted to named roles, never to PUBLIC.',
    category: 'security',
    severity: 'error',
    messages: {
      grant: 'Granting {{privileges}} on {{object}} to PUBLIC gives it to every role, present and future, including roles made for other applications and for people.',
      defaultPrivileges: 'This default privilege grants {{privileges}} on every {{kind}} created later{{where}} to PUBLIC: every role, present and future, gets it without anyone reviewing those objects.',
    },
    help: {
      grant: 'Grant it to a named group role that the application roles are members of.',
      defaultPrivileges: 'Name a group role in ALTER DEFAULT PRIVILEGES ... GRANT ... TO instead of PUBLIC.',
    },
  },
  create(context) {
    /** Default privileges a down may grant PUBLIC because its up revoked them: restoring the earlier state. */
    const revokedDefaults = new Set<string>();
    return {
      statement({ statement, file, side, changes, undoesUp }) {
        const n = statement.node;
        if (statement.kind === 'GrantStmt') {
          const pub = (n.grantees ?? []).find(isPublic)?.RoleSpec;
          if (!n.is_grant || !pub || HARMLESS.has(n.objtype)) return;
          const keys = changes.actions.map((a) => a.key).filter((k) => k.endsWith(' public'));
          if (keys.length > 0 && keys.every(undoesUp)) return;
          context.report({ messageId: 'grant', file, at: location(pub, statement.start), data: { privileges: privileges(n), object: objects(n) } });
          return;
        }
        if (statement.kind === 'AlterDefaultPrivilegesStmt') {
          const action = n.action ?? {};
          const key = defaultsKey(n);
          const pub = (action.grantees ?? []).find(isPublic)?.RoleSpec;
          if (!pub) return;
          if (!action.is_grant) {
            if (side === 'up') revokedDefaults.add(key);
            return;
          }
          if (HARMLESS.has(action.objtype) || (side === 'down' && revokedDefaults.has(key))) return;
          const schemas = (n.options ?? []).find((o: AstNode) => o.DefElem?.defname === 'schemas');
          const where = schemas ? ` in schema ${stringList(schemas.DefElem.arg?.List?.items).join(', ')}` : '';
          context.report({ messageId: 'defaultPrivileges', file, at: location(pub, statement.start), data: { privileges: privileges(action), kind: (KINDS[action.objtype] ?? 'object').replace(/s$/, ''), where } });
        }
      },
    };
  },
});

function isPublic(grantee: AstNode): boolean {
  return grantee.RoleSpec?.roletype === 'ROLESPEC_PUBLIC';
}

function location(node: AstNode, fallback: number): number {
  return typeof node.location === 'number' && node.location >= 0 ? node.location : fallback;
}

function privileges(grant: AstNode): string {
  const names = (grant.privileges ?? []).map((p: AstNode) => String(p.AccessPriv?.priv_name ?? 'all').toUpperCase());
  return names.length ? names.join(', ') : 'ALL PRIVILEGES';
}

function objects(grant: AstNode): string {
  if (grant.targtype === 'ACL_TARGET_ALL_IN_SCHEMA') {
    return `all ${KINDS[grant.objtype] ?? 'objects'} in schema ${stringList(grant.objects).join(', ')}`;
  }
  const names = (grant.objects ?? []).map((o: AstNode) => {
    if (o.RangeVar) return displayName(relationName(o.RangeVar));
    if (o.String) return o.String.sval as string;
    if (o.ObjectWithArgs) return `${displayName(qualifiedFromList(stringList(o.ObjectWithArgs.objname)))}()`;
    return displayName(qualifiedFromList(stringList(o.List?.items ?? o.TypeName?.names)));
  });
  const kind = grant.objtype === 'OBJECT_TABLE' ? '' : `${(KINDS[grant.objtype] ?? grant.objtype?.replace(/^OBJECT_/, '').toLowerCase() ?? 'object').replace(/s$/, '')} `;
  return `${kind}${names.join(', ')}`;
}

/** Identifies one ALTER DEFAULT PRIVILEGES target (roles, schemas, object kind), whatever its privileges. */
function defaultsKey(n: AstNode): string {
  const options = (n.options ?? []).map((o: AstNode) => {
    const items: AstNode[] = o.DefElem?.arg?.List?.items ?? [];
    return `${o.DefElem?.defname}=${items.map((i) => i.String?.sval ?? i.RoleSpec?.rolename ?? '').sort().join(',')}`;
  });
  return `defaults ${n.action?.objtype} ${options.sort().join(';')}`;
}

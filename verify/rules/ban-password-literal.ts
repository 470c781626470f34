import { defineRule } from '../rule.js';
import type { AstNode } from '../../core/migrations/parse.js';

/** A password written into a migration is a secret committed to git. The messages never repeat it. */
export default defineRule({
  meta: {
    name: 'ban-password-literal',
    description: 'Migrations set no password (or password hash) from a literal.',
    category: 'security',
    severity: 'error',
    messages: {
      rolePassword: 'Role {{role}} gets a password written in the migration: everyone who can read the repository, its history or its CI logs has it, and it stays in the history after the password is changed.',
      mappingPassword: 'The user mapping for {{role}} on server {{server}} holds a password written in the migration: everyone who can read the repository, its history or its CI logs has it.',
      connectionPassword: 'Subscription {{name}} connects with a password written in its connection string: everyone who can read the repository, its history or its CI logs has it.',
    },
    help: {
      rolePassword: 'Create the role without a password (or with PASSWORD NULL) and set it outside the migrations, e.g. with psql \\password from a secret store.',
      mappingPassword: 'Create the mapping without the password option and add it outside the migrations (ALTER USER MAPPING ... OPTIONS (ADD password ...)) from a secret store, or use a password file.',
      connectionPassword: 'Leave the password out of CONNECTION and supply it through the subscriber\'s ~/.pgpass (passfile) or a certificate.',
    },
  },
  create(context) {
    return {
      statement({ statement, file }) {
        const n = statement.node;
        switch (statement.kind) {
          case 'CreateRoleStmt':
          case 'AlterRoleStmt': {
            const password = literalOption(n.options, 'password');
            if (!password) return;
            context.report({ messageId: 'rolePassword', file, at: at(password, statement.start), data: { role: roleName(statement.kind === 'CreateRoleStmt' ? { rolename: n.role } : n.role) } });
            return;
          }
          case 'CreateUserMappingStmt':
          case 'AlterUserMappingStmt': {
            const password = literalOption(n.options, 'password');
            if (!password) return;
            context.report({ messageId: 'mappingPassword', file, at: at(password, statement.start), data: { role: roleName(n.user), server: n.servername ?? '?' } });
            return;
          }
          case 'CreateSubscriptionStmt':
          case 'AlterSubscriptionStmt':
            if (typeof n.conninfo === 'string' && hasPassword(n.conninfo)) {
              context.report({ messageId: 'connectionPassword', file, at: statement.start, data: { name: n.subname ?? '?' } });
            }
            return;
          default:
            return;
        }
      },
    };
  },
});

/** The DefElem `name` when it carries a string; PASSWORD NULL (no argument) and DROP of the option do not count. */
function literalOption(options: readonly AstNode[] | undefined, name: string): AstNode | undefined {
  const def = (options ?? []).map((o) => o.DefElem).find((d: AstNode | undefined) => d?.defname === name && d.defaction !== 'DEFELEM_DROP');
  return def && typeof def.arg?.String?.sval === 'string' ? def : undefined;
}

/** A `password=` (or `sslpassword=`) keyword, or a postgresql://user:secret@host URI. */
export function hasPassword(conninfo: string): boolean {
  return /(^|\s)(ssl)?password\s*=/i.test(conninfo) || /^postgres(ql)?:\/\/[^/@\s:]*:[^@\s]+@/i.test(conninfo.trim());
}

function at(node: AstNode, fallback: number): number {
  return typeof node.location === 'number' && node.location >= 0 ? node.location : fallback;
}

function roleName(spec: AstNode | undefined): string {
  switch (spec?.roletype) {
    case 'ROLESPEC_CURRENT_USER':
      return 'CURRENT_USER';
    case 'ROLESPEC_SESSION_USER':
      return 'SESSION_USER';
    case 'ROLESPEC_CURRENT_ROLE':
      return 'CURRENT_ROLE';
    case 'ROLESPEC_PUBLIC':
      return 'PUBLIC';
    default:
      return spec?.rolename ?? '?';
  }
}

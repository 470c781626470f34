// A deploy in the audit trail (runner/audit.ts): a deploy-start entry before its preflight, whose id the deploy's
// migrations carry as their deploy_id, and a deploy-end entry with its outcome, what it applied, the failed step and
// its error, and how long it took. Both ids are reported. A deploy whose start cannot be recorded does not run.
import { connect, connectionErrorMessage, describeTarget, scrubSecrets } from '../core/postgres/database-url.js';
import { auditEventSql, currentOperator, ensureAuditTable, recordAuditEvent, AUDIT_TABLE, type Operator } from './audit.js';
import { operatorName } from './checksums.js';
import type { DeployOptions, DeployResult } from './deploy.js';

/** Run `body` (the deploy) between its two audit entries; `body` gets the id of the start entry. */
export async function withDeployAudit(options: DeployOptions, body: (deployId: string) => Promise<DeployResult>): Promise<DeployResult> {
  const url = options.target.url;
  const operator = currentOperator(operatorName());
  const started = Date.now();
  let deployId: string;
  try {
    deployId = await writeEvent(url, async (sql) => {
      const notes = await ensureAuditTable(sql);
      for (const note of notes) options.report({ kind: 'warn', text: scrubSecrets(note, url) });
      return recordAuditEvent(sql, { event: 'deploy-start', command: 'deploy', outcome: 'started', detail: `migrations from ${options.dir}, backup ${options.backup}`, operator }, url);
    });
  } catch (error) {
    const message = cannotRecord(error, url);
    return { ok: false, failedStep: 'preflight', error: message, state: 'Nothing was changed: no backup was taken and no migration ran.', applied: [], exitCode: 1 };
  }
  options.report({ kind: 'info', text: `audit: this deploy is entry #${deployId} in ${AUDIT_TABLE} (make history)` });
  let result: DeployResult;
  try {
    result = await body(deployId);
  } catch (error) {
    // Not a failed step (those are results) but a fault of the deploy itself: its end is recorded all the same.
    const message = scrubSecrets(error instanceof Error ? error.message : String(error), url).split('\n')[0] ?? '';
    await recordEnd(url, deployId, { ok: false, error: message, state: 'the deploy stopped on an unexpected error', applied: [], exitCode: 1 }, Date.now() - started, operator);
    throw error;
  }
  const end = await recordEnd(url, deployId, result, Date.now() - started, operator);
  options.report(
    end.id
      ? { kind: 'info', text: `audit: deploy #${deployId} ended with entry #${end.id} (${result.ok ? 'ok' : 'failed'})` }
      : { kind: 'warn', text: `audit: the end of deploy #${deployId} could not be recorded (${end.problem}): make history will show it started but not how it ended` },
  );
  return result;
}

async function recordEnd(url: string, deployId: string, result: DeployResult, milliseconds: number, operator: Operator): Promise<{ id?: string; problem?: string }> {
  const applied = result.applied.length;
  const detail = [
    `applied ${applied}${applied ? `: ${result.applied.join(', ')}` : ''}`,
    result.backupFile ? `backup ${result.backupFile}` : '',
    result.ok ? '' : `failed${result.failedStep ? ` at ${result.failedStep}` : ''}; ${result.state}`,
  ]
    .filter(Boolean)
    .join('; ');
  try {
    const id = await writeEvent(url, (sql) =>
      sql
        .unsafe<{ id: string }[]>(
          auditEventSql(
            { event: 'deploy-end', command: 'deploy', outcome: result.ok ? 'ok' : 'failed', milliseconds, detail, ...(result.error ? { error: result.error } : {}), deployId, operator },
            url,
          ),
        )
        .then((rows) => String(rows[0]?.id ?? '')),
    );
    return { id };
  } catch (error) {
    return { problem: cannotRecord(error, url) };
  }
}

async function writeEvent<T>(url: string, body: (sql: ReturnType<typeof connect>) => Promise<T>): Promise<T> {
  const sql = connect(url, { max: 1, idle_timeout: 1, prepare: false, connection: { application_name: 'skincare-deploy' } });
  try {
    return await body(sql);
  } finally {
    await sql.end({ timeout: 1 }).catch(() => undefined);
  }
}

/** One line: why the audit trail could not be written (a standby, read-only, a connection failure, a privilege). */
function cannotRecord(error: unknown, url: string): string {
  const code = (error as { code?: unknown }).code;
  if (code === '25006') {
    return `cannot record the deploy in the audit trail (${AUDIT_TABLE}): ${describeTarget(url)} is read-only (a standby, or default_transaction_read_only): point DATABASE_URL at the primary`;
  }
  if (typeof code === 'string' && !/^[0-9A-Z]{5}$/.test(code)) return connectionErrorMessage(error, url);
  const raw = scrubSecrets(error instanceof Error ? error.message : String(error), url).split('\n')[0];
  return `cannot record the deploy in the audit trail (${AUDIT_TABLE}): ${raw}${typeof code === 'string' ? ` [${code}]` : ''}: the deploying role needs to create it (or INSERT into it)`;
}

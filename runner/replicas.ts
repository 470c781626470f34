// The streaming standbys of the primary a deploy targets: who they are, how far behind they replay, whether one that
// should be there (a physical replication slot) is disconnected; and, after a run, waiting until each has replayed it.
// Read from pg_stat_replication and pg_replication_slots on the primary; nothing here connects to a standby.
// docs/deploy.md ("Replicas") is the runbook around it.
import { connect, scrubSecrets, type Sql } from '../core/postgres/database-url.js';
import { MigrationError } from './errors.js';

/** MAX_REPLICA_LAG: a time and/or a size; a standby over either refuses the deploy. Both absent: off. */
export interface LagBound {
  readonly ms?: number;
  readonly bytes?: number;
  /** As the user wrote it (or the default), for messages. */
  readonly text: string;
}

export interface ReplicaSettings {
  readonly maxLag: LagBound;
  /** REPLICA_WAIT: how long deploy waits after the run for every standby to replay it; 0 = do not wait. */
  readonly waitMs: number;
  readonly waitText: string;
}

export const DEFAULT_MAX_REPLICA_LAG = '30s,64MB';
export const DEFAULT_REPLICA_WAIT = '60s';

const TIME_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, min: 60_000, h: 3_600_000 };
// PostgreSQL's memory units: 1kB = 1024 bytes.
const SIZE_UNITS: Readonly<Record<string, number>> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4 };

function parseTime(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|min|h)$/.exec(text);
  return match ? Number(match[1]) * TIME_UNITS[match[2]!]! : undefined;
}

function parseSize(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*([kmgt]?b)$/i.exec(text);
  return match ? Math.round(Number(match[1]) * SIZE_UNITS[match[2]!.toLowerCase()]!) : undefined;
}

/** `30s,64MB`, `2min`, `1GB`, `off`: one time and/or one size, comma-separated. Throws a one-line usage error naming the setting. */
export function parseLagBound(value: string, setting = 'MAX_REPLICA_LAG'): LagBound {
  const text = value.trim();
  const bad = (why: string): MigrationError =>
    new MigrationError('USAGE', `${setting}=${value}${why}; use a time and/or a size, e.g. ${DEFAULT_MAX_REPLICA_LAG} (the default), 2min, 1GB, or off`);
  if (text === 'off') return { text };
  let ms: number | undefined;
  let bytes: number | undefined;
  for (const part of text.split(',').map((p) => p.trim())) {
    const time = parseTime(part);
    const size = time === undefined ? parseSize(part) : undefined;
    if (time !== undefined) {
      if (ms !== undefined) throw bad(' gives two times');
      ms = time;
    } else if (size !== undefined) {
      if (bytes !== undefined) throw bad(' gives two sizes');
      bytes = size;
    } else {
      throw bad(part === '' ? ' has an empty part' : `: "${part}" is neither a time (ms, s, min, h) nor a size (B, kB, MB, GB, TB)`);
    }
  }
  return { text, ...(ms !== undefined ? { ms } : {}), ...(bytes !== undefined ? { bytes } : {}) };
}

/** MAX_REPLICA_LAG (default 30s,64MB) and REPLICA_WAIT (default 60s; 0 = report without waiting). */
export function replicaSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): ReplicaSettings {
  const maxLag = parseLagBound((env.MAX_REPLICA_LAG ?? '').trim() || DEFAULT_MAX_REPLICA_LAG);
  const waitText = (env.REPLICA_WAIT ?? '').trim() || DEFAULT_REPLICA_WAIT;
  const waitMs = waitText === '0' ? 0 : parseTime(waitText);
  if (waitMs === undefined) throw new MigrationError('USAGE', `REPLICA_WAIT=${env.REPLICA_WAIT} is not a time; use e.g. 60s, 5min, or 0 to report the standbys' lag without waiting`);
  return { maxLag, waitMs, waitText };
}

export interface Standby {
  /** application_name (from the standby's primary_conninfo), else its slot's name, else its address. */
  readonly name: string;
  readonly slot?: string;
  readonly address?: string;
  /** pg_stat_replication.state (streaming, catchup, startup, stopping); 'disconnected' for an inactive slot. */
  readonly state: string;
  readonly replayLsn?: string;
  /** WAL the standby has not replayed yet: pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn). */
  readonly lagBytes?: number;
  /** pg_stat_replication.replay_lag; absent when the standby is idle and caught up (or never measured). */
  readonly lagMs?: number;
  /** pg_stat_replication hides the standby's progress from this role (it needs pg_monitor or pg_read_all_stats). */
  readonly hidden?: boolean;
}

interface StandbyRow {
  application_name: string | null;
  client_addr: string | null;
  state: string | null;
  replay_lsn: string | null;
  lag_bytes: string | null;
  lag_ms: string | null;
  slot_name: string | null;
  connected: boolean;
}

/**
 * The standbys of the primary at `url`: each walsender streaming to one (pg_basebackup's own connections excluded),
 * and each inactive permanent physical slot (a standby that should be there but is not connected).
 */
export async function readStandbys(url: string): Promise<Standby[]> {
  const sql = connect(url, { max: 1, idle_timeout: 1, connect_timeout: 10, connection: { application_name: 'skincare-deploy' } });
  try {
    return await queryStandbys(sql);
  } catch (error) {
    throw new MigrationError('CONNECTION_FAILED', `cannot read the standbys (pg_stat_replication): ${scrubSecrets(error instanceof Error ? error.message : String(error), url).split('\n')[0]}`);
  } finally {
    await sql.end({ timeout: 1 }).catch(() => undefined);
  }
}

async function queryStandbys(sql: Sql): Promise<Standby[]> {
  const rows = await sql.unsafe<StandbyRow[]>(`
    SELECT r.application_name, host(r.client_addr) AS client_addr, r.state, r.replay_lsn::text AS replay_lsn,
           pg_wal_lsn_diff(pg_current_wal_lsn(), r.replay_lsn)::bigint::text AS lag_bytes,
           (extract(epoch FROM r.replay_lag) * 1000)::bigint::text AS lag_ms, s.slot_name::text AS slot_name, true AS connected
    FROM pg_stat_replication r
    LEFT JOIN pg_replication_slots s ON s.active_pid = r.pid
    WHERE r.state IS DISTINCT FROM 'backup'
    UNION ALL
    SELECT NULL, NULL, 'disconnected', restart_lsn::text,
           pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint::text, NULL, slot_name::text, false
    FROM pg_replication_slots
    WHERE slot_type = 'physical' AND NOT active AND NOT temporary
    ORDER BY 8 DESC, 1, 7`);
  return rows.map((r) => {
    const name = r.application_name || r.slot_name || r.client_addr || 'a standby';
    return {
      name,
      ...(r.slot_name ? { slot: r.slot_name } : {}),
      ...(r.client_addr ? { address: r.client_addr } : {}),
      state: r.state ?? 'unknown',
      ...(r.replay_lsn ? { replayLsn: r.replay_lsn } : {}),
      ...(r.lag_bytes !== null ? { lagBytes: Math.max(0, Number(r.lag_bytes)) } : {}),
      ...(r.lag_ms !== null ? { lagMs: Number(r.lag_ms) } : {}),
      ...(r.connected && r.state === null ? { hidden: true } : {}),
    };
  });
}

/** An LSN ('16/B374D848') as a number of bytes. */
function lsnValue(lsn: string): bigint {
  const [hi, lo] = lsn.split('/');
  return (BigInt(`0x${hi}`) << 32n) + BigInt(`0x${lo}`);
}

export function formatLagBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : ms < 120_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 60_000).toFixed(1)} min`;
}

/** "standby1 (10.0.0.7, slot standby1)". */
export function standbyLabel(s: Standby): string {
  const extra = [s.address, s.slot && s.slot !== s.name ? `slot ${s.slot}` : ''].filter(Boolean).join(', ');
  return extra ? `${s.name} (${extra})` : s.name;
}

/** "replay lag 3.2 s, 12 MB of WAL" */
export function describeLag(s: Standby): string {
  if (s.hidden) return 'replay lag unknown: this role cannot read pg_stat_replication (GRANT pg_monitor TO it)';
  const bytes = s.lagBytes === undefined ? 'unknown WAL' : `${formatLagBytes(s.lagBytes)} of WAL`;
  const time = s.lagMs !== undefined ? formatMs(s.lagMs) : s.lagBytes === 0 ? '0 s' : 'not measured';
  return `replay lag ${time}, ${bytes}`;
}

export interface StandbyCheck {
  readonly lines: readonly { readonly kind: 'ok' | 'info' | 'warn'; readonly text: string }[];
  /** Why the deploy should not start (one sentence naming each standby), or undefined. */
  readonly refusal?: string;
}

/** Preflight: each standby within MAX_REPLICA_LAG and connected; one line per standby, one info line when there are none. */
export function checkStandbys(standbys: readonly Standby[], bound: LagBound): StandbyCheck {
  if (standbys.length === 0) return { lines: [{ kind: 'info', text: 'replicas: none (no standby streams from this primary, no physical replication slot waits for one)' }] };
  const lines: { kind: 'ok' | 'warn'; text: string }[] = [];
  const problems: string[] = [];
  for (const s of standbys) {
    let problem: string | undefined;
    if (s.state === 'disconnected') {
      problem = `standby ${standbyLabel(s)} is disconnected: its physical replication slot is not active (${s.lagBytes !== undefined ? `${formatLagBytes(s.lagBytes)} of WAL retained for it` : 'it never connected'})`;
    } else if (s.hidden) {
      problem = `standby ${standbyLabel(s)}: ${describeLag(s)}`;
    } else if ((bound.bytes !== undefined && (s.lagBytes ?? Infinity) > bound.bytes) || (bound.ms !== undefined && (s.lagMs ?? 0) > bound.ms)) {
      problem = `standby ${standbyLabel(s)} is behind: ${describeLag(s)}, over MAX_REPLICA_LAG=${bound.text}`;
    }
    if (problem) problems.push(problem);
    lines.push(problem ? { kind: 'warn', text: problem } : { kind: 'ok', text: `standby ${standbyLabel(s)}: ${s.state}, ${describeLag(s)} (MAX_REPLICA_LAG=${bound.text})` });
  }
  if (problems.length === 0) return { lines };
  const advice: string[] = [];
  const gone = standbys.filter((s) => s.state === 'disconnected');
  if (gone.length) {
    const drops = gone.map((s) => `SELECT pg_drop_replication_slot('${(s.slot ?? s.name).replace(/'/g, "''")}')`).join('; ');
    advice.push(`start the standby (if it is gone for good, drop its slot: ${drops})`);
  }
  if (standbys.some((s) => s.hidden)) advice.push('grant the deploying role pg_monitor');
  if (problems.length > gone.length + standbys.filter((s) => s.hidden).length) {
    advice.push('wait for the standby to catch up (SELECT application_name, replay_lag, pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) FROM pg_stat_replication) or raise MAX_REPLICA_LAG');
  }
  return { lines, refusal: `${problems.length} standby problem${problems.length === 1 ? '' : 's'}: ${problems.join('; ')}; ${advice.join('; ')}, then re-run (docs/deploy.md, Replicas)` };
}

export interface ReplayWait {
  /** pg_current_wal_insert_lsn() on the primary after the run (past its last commit record, even one not yet flushed): what each standby had to replay. */
  readonly lsn: string;
  readonly waitedMs: number;
  /** Every standby as last read; `caughtUp` says whether its replay_lsn reached `lsn`. */
  readonly standbys: readonly (Standby & { readonly caughtUp: boolean; readonly behindBytes?: number })[];
}

/**
 * After a run: read the primary's WAL insert position (past the run's last commit, which with synchronous_commit = off
 * may not be written yet, so pg_current_wal_lsn() could be short of it), then poll pg_stat_replication until every standby's replay_lsn
 * has passed it, or `waitMs` has gone by. Standbys report replay progress every wal_receiver_status_interval (10 s by
 * default), so a caught-up standby can show up to that late.
 */
export async function waitForReplay(url: string, waitMs: number, signal?: AbortSignal): Promise<ReplayWait> {
  const sql = connect(url, { max: 1, idle_timeout: 1, connect_timeout: 10, connection: { application_name: 'skincare-deploy' } });
  const started = Date.now();
  try {
    const [row] = await sql.unsafe<{ lsn: string }[]>('SELECT pg_current_wal_insert_lsn()::text AS lsn');
    const lsn = row!.lsn;
    for (;;) {
      const standbys = await queryStandbys(sql);
      const target = lsnValue(lsn);
      const marked = standbys.map((s) => {
        const replayed = s.state === 'disconnected' || s.replayLsn === undefined ? undefined : lsnValue(s.replayLsn);
        const behind = replayed === undefined ? undefined : target > replayed ? Number(target - replayed) : 0;
        return { ...s, caughtUp: behind === 0, ...(behind !== undefined ? { behindBytes: behind } : {}) };
      });
      const waited = Date.now() - started;
      if (marked.every((s) => s.caughtUp) || waited >= waitMs || signal?.aborted) return { lsn, waitedMs: waited, standbys: marked };
      await new Promise((resolve) => setTimeout(resolve, Math.min(250, waitMs - waited)));
    }
  } finally {
    await sql.end({ timeout: 1 }).catch(() => undefined);
  }
}

/** A standby that has not replayed the run within REPLICA_WAIT; `state` says where things stand. */
export class ReplicaLag extends Error {
  constructor(
    message: string,
    readonly state: string,
  ) {
    super(message);
  }
}

/** After the run: wait (REPLICA_WAIT) until every standby has replayed it, report each one's lag; ReplicaLag when one has not. */
export async function waitForStandbys(url: string, settings: ReplicaSettings, say: (kind: 'ok' | 'info' | 'warn', text: string) => void, signal?: AbortSignal): Promise<void> {
  const standbys = await readStandbys(url);
  if (standbys.length === 0) return;
  const result = await waitForReplay(url, settings.waitMs, signal);
  const waited = `${(result.waitedMs / 1000).toFixed(1)} s`;
  for (const s of result.standbys) {
    if (s.caughtUp) say('ok', `standby ${standbyLabel(s)} replayed this deploy (up to ${result.lsn}) within ${waited}: ${describeLag(s)}`);
    else say(settings.waitMs === 0 ? 'info' : 'warn', `standby ${standbyLabel(s)} has not replayed this deploy yet: ${s.state}, ${s.behindBytes !== undefined ? `${formatLagBytes(s.behindBytes)} short of ${result.lsn}` : `nothing known of its replay`}, ${describeLag(s)}`);
  }
  const behind = result.standbys.filter((s) => !s.caughtUp);
  if (behind.length === 0 || settings.waitMs === 0) return;
  const why = signal?.aborted ? `: the wait was interrupted after ${waited}` : ` within REPLICA_WAIT=${settings.waitText}`;
  const names = behind.map((s) => `${standbyLabel(s)} (${s.state}${s.behindBytes !== undefined ? `, ${formatLagBytes(s.behindBytes)} behind` : ''})`).join(', ');
  throw new ReplicaLag(
    `${behind.length === 1 ? 'standby' : 'standbys'} ${names} did not replay this deploy (up to ${result.lsn})${why}`,
    `${behind.length === 1 ? 'standby' : 'standbys'} ${names} had not replayed it after ${waited}: readers there still see the schema from before this deploy. Do not roll back or re-run for this: check the standby (SELECT application_name, state, replay_lag FROM pg_stat_replication), wait until it has replayed ${result.lsn}, then let traffic rely on the new schema (docs/deploy.md, Replicas).`,
  );
}

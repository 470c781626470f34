// Static claims against the judge, per migration: TP (both say the down does not restore), FP (static claims it, the
// judge saw the schema restored), FN (the judge saw it not restored, static said nothing), TN. Precision and recall
// of the static claims; migrations the judge could not judge (up failed, irreversible) are listed, not counted.
import type { Violation } from '../../verify/index.js';
import { isJudged, judgedPositive, type JudgedMigration } from './judge.js';

export type Outcome = 'TP' | 'FP' | 'FN' | 'TN' | 'not judged';

export interface MigrationAgreement {
  readonly name: string;
  readonly judged: JudgedMigration;
  readonly claims: readonly Violation[];
  readonly outcome: Outcome;
}

export interface Tally {
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  readonly tn: number;
  readonly notJudged: number;
  /** undefined when static made no claim (no denominator). */
  readonly precision?: number;
  /** undefined when the judge found nothing (no denominator). */
  readonly recall?: number;
}

export function outcomeOf(judged: JudgedMigration, claims: readonly Violation[]): Outcome {
  if (!isJudged(judged.verdict)) return 'not judged';
  const claimed = claims.length > 0;
  const positive = judgedPositive(judged.verdict);
  return claimed ? (positive ? 'TP' : 'FP') : positive ? 'FN' : 'TN';
}

export function agree(judged: readonly JudgedMigration[], claims: ReadonlyMap<string, readonly Violation[]>): MigrationAgreement[] {
  return judged.map((j) => {
    const found = claims.get(j.name) ?? [];
    return { name: j.name, judged: j, claims: found, outcome: outcomeOf(j, found) };
  });
}

export function tally(rows: readonly MigrationAgreement[]): Tally {
  const count = (outcome: Outcome) => rows.filter((r) => r.outcome === outcome).length;
  const tp = count('TP');
  const fp = count('FP');
  const fn = count('FN');
  const tn = count('TN');
  return {
    tp,
    fp,
    fn,
    tn,
    notJudged: count('not judged'),
    ...(tp + fp > 0 ? { precision: tp / (tp + fp) } : {}),
    ...(tp + fn > 0 ? { recall: tp / (tp + fn) } : {}),
  };
}

export function percent(value: number | undefined): string {
  return value === undefined ? 'n/a' : `${(value * 100).toFixed(1)} %`;
}

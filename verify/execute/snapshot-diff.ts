// Compare two snapshots and say each difference in one readable line.
import type { PropertyValue, Snapshot, SnapshotObject } from './snapshot.js';

export interface Difference {
  readonly change: 'missing' | 'extra' | 'changed';
  /** What differs: "index idx_x on products", "table products privilege app SELECT". */
  readonly subject: string;
  readonly property?: string;
  readonly expected?: string;
  readonly actual?: string;
  /** Identifiers to look for in statements. */
  readonly names: readonly string[];
  readonly rank: number;
}

/** How one comparison talks: `expected` is the reference (the schema before the up, after the first up, or from the migrations). */
export interface Wording {
  readonly missing: string;
  readonly extra: string;
  changed(subject: string, property: string, expected: string, actual: string): string;
  differs(subject: string, property: string): string;
}

export const RESTORE_WORDING: Wording = {
  missing: 'is missing',
  extra: 'still exists',
  changed: (subject, property, expected, actual) => `${subject} ${property} was ${expected}, is ${actual}`,
  differs: (subject, property) => `${subject} ${property} differs from before the up`,
};

export const REPEAT_WORDING: Wording = {
  missing: 'is missing after the second up',
  extra: 'appears only after the second up',
  changed: (subject, property, expected, actual) => `${subject} ${property} was ${expected} after the first up, is ${actual} after the second`,
  differs: (subject, property) => `${subject} ${property} differs after the second up`,
};

export const DRIFT_WORDING: Wording = {
  missing: 'is missing in the target',
  extra: 'exists in the target but not in the migrations',
  changed: (subject, property, expected, actual) => `${subject} ${property} is ${actual} in the target, ${expected} in the migrations`,
  differs: (subject, property) => `${subject} ${property} differs between the target and the migrations`,
};

/** Differences from `expected` to `actual`; an object's parts are not listed when the object itself is missing or extra. */
export function diffSnapshots(expected: Snapshot, actual: Snapshot): Difference[] {
  const out: Difference[] = [];
  for (const [key, object] of expected) {
    const other = actual.get(key);
    if (!other) {
      if (!object.parent || !expected.has(object.parent) || actual.has(object.parent)) out.push(whole('missing', object));
      continue;
    }
    out.push(...propertyDifferences(object, other));
  }
  for (const [key, object] of actual) {
    if (expected.has(key)) continue;
    if (!object.parent || !actual.has(object.parent) || expected.has(object.parent)) out.push(whole('extra', object));
  }
  return out.sort((a, b) => a.rank - b.rank || compare(a.subject, b.subject) || compare(a.property ?? '', b.property ?? ''));
}

function whole(change: 'missing' | 'extra', object: SnapshotObject): Difference {
  return { change, subject: object.key, names: object.names, rank: object.rank };
}

function propertyDifferences(expected: SnapshotObject, actual: SnapshotObject): Difference[] {
  const out: Difference[] = [];
  const properties = new Set([...Object.keys(expected.props), ...Object.keys(actual.props)]);
  for (const property of properties) {
    const before = expected.props[property];
    const after = actual.props[property];
    if (Array.isArray(before) || Array.isArray(after)) {
      const was = new Set(asList(before));
      const is = new Set(asList(after));
      const singular = property.replace(/s$/, '').replace(/ie$/, 'y');
      for (const item of was) if (!is.has(item)) out.push({ change: 'missing', subject: `${expected.key} ${singular} ${item}`, names: expected.names, rank: expected.rank });
      for (const item of is) if (!was.has(item)) out.push({ change: 'extra', subject: `${expected.key} ${singular} ${item}`, names: expected.names, rank: expected.rank });
      continue;
    }
    if (before === after) continue;
    out.push({
      change: 'changed',
      subject: expected.key,
      property,
      ...(before === undefined ? {} : { expected: before as string }),
      ...(after === undefined ? {} : { actual: after as string }),
      names: expected.names,
      rank: expected.rank,
    });
  }
  return out;
}

function asList(value: PropertyValue | undefined): readonly string[] {
  return value === undefined ? [] : typeof value === 'string' ? [value] : value;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const MAX_VALUE = 60;

/** A value on one line, at most 60 characters; undefined is "none". */
function shown(value: string | undefined): string {
  if (value === undefined) return 'none';
  const line = value.replace(/\s+/g, ' ').trim();
  const chars = [...line];
  return chars.length > MAX_VALUE ? `${chars.slice(0, MAX_VALUE - 1).join('')}…` : line;
}

export function describeDifference(difference: Difference, wording: Wording): string {
  if (difference.change === 'missing') return `${difference.subject} ${wording.missing}`;
  if (difference.change === 'extra') return `${difference.subject} ${wording.extra}`;
  const property = difference.property ?? 'definition';
  const expected = shown(difference.expected);
  const actual = shown(difference.actual);
  return expected === actual ? wording.differs(difference.subject, property) : wording.changed(difference.subject, property, expected, actual);
}

// SARIF 2.1.0 for code scanning: a descriptor for every rule that can report (rules, the engine's checks, the
// executed ones), results located relative to %SRCROOT%, and the layouts, executed timings and locks, and drift
// differences in the run's property bag. test/report-sarif.test.ts validates the output against the SARIF schema.
import { posix, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LineIndex } from '../../core/migrations/source-position.js';
import type { Violation } from '../rule.js';
import { executedData } from './execution.js';
import { allViolations, hasPosition, type RuleDescriptor, type VerifyReport } from './types.js';

export const SRCROOT = 'SRCROOT';

const level = (severity: 'error' | 'warning'): 'error' | 'warning' => (severity === 'warning' ? 'warning' : 'error');

/** The longest snippet text given with a result. */
const SNIPPET_CHARACTERS = 1000;

export function formatSarif(report: VerifyReport): string {
  const violations = allViolations(report);
  // A violation of a rule the report does not describe (a rule from elsewhere) still gets a descriptor.
  const descriptors: RuleDescriptor[] = [...report.rules];
  for (const v of violations) {
    if (!descriptors.some((d) => d.id === v.rule)) descriptors.push({ id: v.rule, description: `${v.rule}.`, severity: v.severity, category: 'unknown', help: [] });
  }
  const index = new Map(descriptors.map((d, i) => [d.id, i]));
  const lines = new Map<string, LineIndex>();
  const snippet = (v: Violation): string | undefined => {
    const text = report.sources.get(v.file);
    if (text === undefined) return undefined;
    if (!lines.has(v.file)) lines.set(v.file, new LineIndex(text));
    // A minified file's one line can be megabytes: the snippet is the line up to a length a viewer shows.
    return lines.get(v.file)!.lineText(v.line).slice(0, SNIPPET_CHARACTERS) || undefined;
  };
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            version: report.tool.version,
            informationUri: 'https://www.postgresql.org/docs/current/sql-commands.html',
            rules: descriptors.map((d) => ({
              id: d.id,
              shortDescription: { text: d.description },
              ...(d.help.length ? { help: { text: d.help.join(' ') } } : {}),
              defaultConfiguration: { level: level(d.severity) },
              properties: { category: d.category, tags: [d.category], ...(d.doc ? { documentation: d.doc } : {}) },
            })),
          },
        },
        originalUriBaseIds: { [SRCROOT]: { uri: directoryUri(report.root) } },
        results: violations.map((v) => {
          const text = snippet(v);
          return {
            ruleId: v.rule,
            ruleIndex: index.get(v.rule)!,
            level: level(v.severity),
            message: { text: v.help ? `${v.message} ${v.help}` : v.message },
            locations: [
              hasPosition(v)
                ? {
                    physicalLocation: {
                      artifactLocation: { uri: relativeUri(report.root, v.file), uriBaseId: SRCROOT },
                      region: { startLine: v.line, startColumn: Math.max(1, v.column), endLine: Math.max(v.line, v.endLine), endColumn: Math.max(1, v.endColumn), ...(text ? { snippet: { text } } : {}) },
                    },
                  }
                : // Drift: the target database, which is no file.
                  { logicalLocations: [{ fullyQualifiedName: v.file, kind: 'database' }] },
            ],
          };
        }),
        properties: {
          layouts: report.static?.layouts ?? [],
          files: report.static?.files ?? 0,
          ...(report.executed ? { executed: executedData(report.executed) } : {}),
          ...(report.drift ? { drift: { differences: report.drift.differences } } : {}),
        },
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}

/** file:///work/repo/ (SARIF wants a base URI to end with a slash). */
function directoryUri(root: string): string {
  const uri = pathToFileURL(root).href;
  return uri.endsWith('/') ? uri : `${uri}/`;
}

/** The path relative to the root, as a URI reference: forward slashes, each segment percent-encoded. */
function relativeUri(root: string, file: string): string {
  return relative(root, resolve(root, file)).split(sep).map(encodeURIComponent).join(posix.sep);
}

// One migration folder held in memory for the language server: its files (the editor's unsaved text over the disk),
// each migration parsed once per text, and the schema model replayed up to the migration being edited. Re-checking
// the edited migration parses that file alone and runs the rules against the model kept before it; the model's
// journal undoes what the check applied, so the next keystroke starts from the same model.
import { basename, join } from 'node:path';
import { loadParser } from '../../core/migrations/parse.js';
import { fileContent, type FileContent } from '../../core/migrations/file-content.js';
import { readMigrationFolder, type MigrationFolder } from '../../core/migrations/folder.js';
import type { Migration, MigrationSummary, PairedFiles } from '../../core/migrations/layout.js';
import { toMigration } from '../../core/migrations/migration.js';
import { manifestProblems } from '../../core/migrations/manifest.js';
import { walk } from '../ast.js';
import { pushBuiltin, type SeverityOf } from '../apply-directives.js';
import { checkMigration, replayModel } from '../check-migration.js';
import { SchemaModel } from '../schema-model.js';
import type { Rule, Severity, VerifyOptions, Violation } from '../rule.js';

export interface HistorySettings {
  readonly rules: readonly Rule[];
  readonly settings: Readonly<Record<string, Severity | 'off'>>;
  readonly options: VerifyOptions;
  readonly known: ReadonlySet<string>;
}

interface Entry {
  readonly pair: PairedFiles;
  /** The texts the migration was parsed from (undefined: not readable). */
  readonly texts: readonly (string | undefined)[];
  migration?: Migration | null;
}

export class History {
  private folder!: MigrationFolder;
  private entries: Entry[] = [];
  /** Problems of the folder (naming, pairing, manifest) by path inside the folder, as of the last sync. */
  private problems = new Map<string, Violation[]>();
  private model = new SchemaModel();
  /** The model holds the schema before entries[position]. */
  private position = 0;
  private summaries: MigrationSummary[] = [];
  /** Nesting depth of withModelKept: the model's commit is held off while above 0. */
  private keeping = 0;
  private readonly severityOf: SeverityOf;
  private readonly active: readonly Rule[];

  constructor(
    readonly directory: string,
    private readonly overlay: ReadonlyMap<string, string>,
    private readonly config: HistorySettings,
  ) {
    this.severityOf = (rule, fallback) => {
      const setting = config.settings[rule];
      if (setting === 'off') return undefined;
      return setting ?? fallback;
    };
    this.active = config.rules.filter((rule) => this.severityOf(rule.meta.name, rule.meta.severity) !== undefined);
    this.sync();
  }

  /**
   * Read the folder again (the editor's texts over the disk): keeps every parsed migration whose texts are unchanged
   * and rewinds the model when a migration before its position changed. Returns the indexes whose texts changed.
   */
  sync(): number[] {
    const folder = readMigrationFolder(this.directory, { contents: this.overlay });
    const before = new Map(this.entries.map((e) => [e.pair.upPath, e]));
    const previous = this.entries;
    const changed: number[] = [];
    this.entries = folder.pairs.map((pair, i) => {
      const texts = textsOf(folder, pair);
      const old = before.get(pair.upPath);
      if (old && sameTexts(old.texts, texts) && samePair(old.pair, pair)) return old;
      changed.push(i);
      return { pair, texts };
    });
    // The model stays valid while every migration before its position is the same one, unchanged.
    let same = 0;
    while (same < this.position && this.entries[same] !== undefined && this.entries[same] === previous[same]) same++;
    if (same < this.position) this.rewind();
    this.folder = folder;
    this.summaries = folder.pairs.map((p) => ({ version: p.version, name: p.name, upPath: p.upPath, downPath: p.downPath }));
    this.problems = new Map();
    const add = (path: string, v: Violation): void => {
      const list = this.problems.get(path) ?? [];
      list.push(v);
      this.problems.set(path, list);
    };
    for (const problem of folder.problems) {
      const out: Violation[] = [];
      pushBuiltin(out, this.severityOf, problem.code, this.absolute(problem.path), 1, 1, problem.message);
      for (const v of out) add(problem.path, v);
    }
    for (const problem of manifestProblems(folder)) {
      const out: Violation[] = [];
      pushBuiltin(out, this.severityOf, problem.rule, this.absolute(problem.path), problem.line, 1, problem.message);
      for (const v of out) add(problem.path, v);
    }
    return changed;
  }

  absolute(path: string): string {
    return join(this.directory, path);
  }

  /** The index of the migration a file (absolute path) belongs to, or -1. */
  indexOf(file: string): number {
    const name = basename(file);
    const relative = file.startsWith(this.directory) ? file.slice(this.directory.length + 1) : name;
    return this.entries.findIndex((e) => e.pair.upPath === relative || e.pair.downPath === relative || e.pair.metadataPath === relative);
  }

  get size(): number {
    return this.entries.length;
  }

  /** Absolute paths of a migration's files. */
  filesOf(index: number): string[] {
    const pair = this.entries[index]!.pair;
    return [pair.upPath, pair.downPath].filter((p): p is string => p !== undefined).map((p) => this.absolute(p));
  }

  /** The editor changed a file: forget its migration's parse (the texts are read from the overlay when needed). */
  edited(file: string): number {
    const index = this.indexOf(file);
    if (index === -1) return -1;
    const entry = this.entries[index]!;
    const texts = textsOf(this.view(), entry.pair);
    if (sameTexts(entry.texts, texts)) return index;
    this.entries[index] = { pair: entry.pair, texts };
    if (index < this.position) this.rewind();
    return index;
  }

  /** The parsed migration at an index (parsed on first use). Call loadParser() first. */
  migration(index: number): Migration | undefined {
    const entry = this.entries[index]!;
    if (entry.migration === undefined) entry.migration = toMigration(this.view(), entry.pair, (path) => this.absolute(path)) ?? null;
    return entry.migration ?? undefined;
  }

  /** Every migration of the folder, parsed (each once per text): what --fix's planner and the drafted down read. */
  migrations(): Migration[] {
    const out: Migration[] = [];
    for (let i = 0; i < this.entries.length; i++) {
      const migration = this.migration(i);
      if (migration) out.push(migration);
    }
    return out;
  }

  /** The files of the migration at an index, as the folder pairs them (paths inside the folder). */
  pairOf(index: number): PairedFiles {
    return this.entries[index]!.pair;
  }

  /** The text of a file of the folder (the editor's over the disk), by path inside the folder. */
  textOf(path: string): string | undefined {
    return this.view().content(path)?.text;
  }

  /** Violations of one migration (both its files) against the schema before it, plus the folder's problems for its files. */
  async check(index: number): Promise<Violation[]> {
    await loadParser();
    this.moveTo(index);
    return this.checkHere(index);
  }

  /**
   * Violations of later migrations (ascending indexes after `index`), each against the schema before it; the model
   * is back before `index` afterwards, so the next keystroke in that file replays nothing.
   */
  async checkLater(index: number, later: readonly number[]): Promise<Map<number, Violation[]>> {
    await loadParser();
    this.moveTo(index);
    const out = new Map<number, Violation[]>();
    this.withModelKept(() => {
      for (const j of later) {
        this.moveTo(j);
        out.set(j, this.checkHere(j));
      }
    });
    this.position = index;
    return out;
  }

  private checkHere(index: number): Violation[] {
    const out: Violation[] = [];
    const migration = this.migration(index);
    if (migration) out.push(...this.withModelKept(() => checkMigration(migration, this.model, this.active, this.summaries, this.config.options, this.severityOf, this.config.known)));
    const pair = this.entries[index]!.pair;
    for (const path of [pair.upPath, pair.downPath, pair.metadataPath]) if (path) out.push(...(this.problems.get(path) ?? []));
    return out;
  }

  /** Problems of a file that belongs to no migration (a bad name, a down without its up). */
  problemsOf(file: string): Violation[] {
    return this.problems.get(file.slice(this.directory.length + 1)) ?? [];
  }

  /**
   * Run a check against the schema before a migration, without rules' severities or directives deciding what is seen:
   * `rules` report through `report` as they run. Used by hover (a lock is taken even when a directive allows it).
   */
  async inspect(index: number, rules: readonly Rule[]): Promise<{ migration: Migration; violations: Violation[] } | undefined> {
    await loadParser();
    this.moveTo(index);
    const migration = this.migration(index);
    if (!migration) return undefined;
    const strip = <F extends Migration['up'] | undefined>(file: F): F =>
      (file ? { ...file, directives: file.directives.filter((d) => d.kind !== 'ignore' && d.kind !== 'allow-destructive') } : file) as F;
    const bare: Migration = { ...migration, up: strip(migration.up), down: strip(migration.down) };
    const always: SeverityOf = () => 'error';
    const violations = this.withModelKept(() => checkMigration(bare, this.model, rules, this.summaries, { allowDestructive: false }, always, this.config.known));
    return { migration, violations };
  }

  /** The table of an index as the schema before the migration last checked or inspected knows it. */
  indexTable(name: string): string | undefined {
    return this.model.index(name)?.table;
  }

  /**
   * The migrations after `index` that name what its files create, change or drop (as written now and as they were):
   * they may report differently once it changed.
   */
  dependents(index: number, previousNames: ReadonlySet<string> = new Set()): number[] {
    const names = new Set([...previousNames, ...this.namesOf(index)]);
    if (names.size === 0) return [];
    const pattern = new RegExp(`(?<![A-Za-z0-9_$])(${[...names].map(escapeRegExp).join('|')})(?![A-Za-z0-9_$])`, 'i');
    const out: number[] = [];
    for (let i = index + 1; i < this.entries.length; i++) if (this.entries[i]!.texts.some((t) => t !== undefined && pattern.test(t))) out.push(i);
    return out;
  }

  /** Names of the relations, indexes, types and functions a migration's up and down mention as objects. */
  namesOf(index: number): Set<string> {
    const names = new Set<string>();
    const migration = this.entries[index] ? this.migration(index) : undefined;
    for (const file of [migration?.up, migration?.down]) {
      for (const statement of file?.parsed.statements ?? []) {
        for (const [kind, body] of [[statement.kind, statement.node] as [string, Record<string, any>], ...walk(statement.node)]) {
          if (kind === 'RangeVar' && body.relname) names.add(body.relname);
          if (kind === 'IndexStmt' && body.idxname) names.add(body.idxname);
          if (kind === 'RenameStmt' && body.newname) names.add(body.newname);
          if (kind === 'DropStmt' || kind === 'CreateEnumStmt' || kind === 'AlterEnumStmt' || kind === 'CreateFunctionStmt' || kind === 'CreateDomainStmt' || kind === 'DefineStmt') {
            for (const [inner, value] of walk(body.objects ?? body.typeName ?? body.funcname ?? body.domainname ?? body.defnames)) if (inner === 'String' && value.sval) names.add(value.sval);
          }
        }
      }
    }
    for (const common of ['public', 'pg_catalog']) names.delete(common);
    return names;
  }

  private view(): MigrationFolder {
    const folder = this.folder;
    const overlay = this.overlay;
    const directory = this.directory;
    return {
      ...folder,
      content(path: string): FileContent | undefined {
        const text = overlay.get(join(directory, path));
        return text === undefined ? folder.content(path) : fileContent(Buffer.from(text, 'utf8'));
      },
    };
  }

  private rewind(): void {
    this.model = new SchemaModel();
    this.position = 0;
  }

  /** Replay the model forward (or from the start) until it holds the schema before entries[index]. */
  private moveTo(index: number): void {
    if (index < this.position) this.rewind();
    while (this.position < index) {
      const migration = this.migration(this.position);
      if (migration) replayModel(migration, this.model);
      this.position++;
    }
  }

  /** Run `work` on the model and undo all it applied: checkMigration commits the journal, so commit waits until after. */
  private withModelKept<T>(work: () => T): T {
    const model = this.model as SchemaModel & { commit: () => void };
    const mark = model.mark();
    if (this.keeping++ === 0) model.commit = () => undefined;
    try {
      return work();
    } finally {
      if (--this.keeping === 0) delete (model as Partial<typeof model>).commit;
      model.rollback(mark);
    }
  }
}

function textsOf(folder: MigrationFolder, pair: PairedFiles): Array<string | undefined> {
  return [pair.upPath, pair.downPath, pair.metadataPath].map((path) => (path ? folder.content(path)?.text : undefined));
}

function sameTexts(a: readonly (string | undefined)[], b: readonly (string | undefined)[]): boolean {
  return a.length === b.length && a.every((text, i) => text === b[i]);
}

function samePair(a: PairedFiles, b: PairedFiles): boolean {
  return a.downPath === b.downPath && a.metadataPath === b.metadataPath && a.layout === b.layout && a.singleFile === b.singleFile;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

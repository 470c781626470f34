// One migration model under every reader: the static verifier, the executed proof and the runner list the same
// migrations, in the same order, with the same transaction mode (the runner reads only its own layout and refuses the
// others by name).
import t from 'tap';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { verify } from '../verify/engine.js';
import { migrationsOf } from '../verify/executed-run.js';
import { loadMigrationFiles } from '../runner/migration-files.js';
import { MigrationFilesError } from '../runner/errors.js';

const FOLDERS = [join(import.meta.dirname, 'fixtures', 'layouts'), join(import.meta.dirname, 'fixtures', 'execute', 'layouts')].flatMap((root) =>
  readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(root, entry.name)),
);

const listed = (migrations: readonly { name: string; layout: string; transaction: { up: string; down: string } }[]) => migrations.map((m) => `${m.name} ${m.layout} ${m.transaction.up}/${m.transaction.down}`);

t.test('the verifier and the executed proof read every layout alike', async (t) => {
  t.ok(FOLDERS.length >= 20, `${FOLDERS.length} folders`);
  for (const folder of FOLDERS) {
    const verified = await verify({ paths: [folder], rules: [], cache: false });
    const executed = await migrationsOf(folder);
    t.same(listed(executed), listed(verified.migrations), folder.split('/test/')[1]!);
  }
});

t.test('the runner reads its own layout as the others do, and refuses the other layouts by name', async (t) => {
  for (const folder of FOLDERS) {
    const verified = await verify({ paths: [folder], rules: [], cache: false });
    const ours = verified.migrations.length > 0 && verified.migrations.every((m) => m.layout === 'paired');
    const loaded = await loadMigrationFiles(folder).catch((error: unknown) => error);
    const name = folder.split('/test/')[1]!;
    if (!ours) {
      t.type(loaded, MigrationFilesError, `${name}: not the runner's layout`);
      continue;
    }
    if (loaded instanceof MigrationFilesError) continue; // a fixture of broken files: the runner's own tests cover it
    const pairs = loaded as Awaited<ReturnType<typeof loadMigrationFiles>>;
    t.same(
      pairs.map((p) => `${p.name} ${p.noTransaction ? 'none' : 'per-migration'}`),
      verified.migrations.map((m) => `${m.name} ${m.transaction.up}`),
      `${name}: the runner's list`,
    );
  }
});

// Imports point one way: core/ at the bottom; verify/ and runner/ above it, never importing each other; scripts/
// (entry points) and bench/ on top, imported by nobody. Every relative import of every source file is checked.
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const LAYERS = ['core', 'verify', 'runner', 'scripts', 'bench'] as const;
type Layer = (typeof LAYERS)[number];

/** What each top-level folder may import from. */
const ALLOWED: Readonly<Record<Layer, readonly Layer[]>> = {
  core: ['core'],
  verify: ['core', 'verify'],
  runner: ['core', 'runner'],
  scripts: ['core', 'verify', 'runner', 'scripts'],
  bench: ['core', 'verify', 'runner', 'bench'],
};

function sources(folder: string): string[] {
  return readdirSync(join(root, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(root, join(entry.parentPath, entry.name)));
}

/** Relative specifiers of static imports, re-exports and dynamic import() calls. */
export function importsOf(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)'(\.{1,2}\/[^']+)'/gm)) found.push(match[1]!);
  return found;
}

/** The layer-crossing imports of a file: `<file> imports <target>`, one per wrong import. */
export function wrongImports(file: string, text: string): string[] {
  const layer = file.split('/')[0] as Layer;
  const wrong: string[] = [];
  for (const specifier of importsOf(text)) {
    const target = posix.normalize(posix.join(dirname(file), specifier));
    const targetLayer = target.split('/')[0] as Layer;
    if (!ALLOWED[layer].includes(targetLayer)) wrong.push(`${file} imports ${target}`);
  }
  return wrong;
}

t.test('the checker sees static, re-exported and dynamic imports', async (t) => {
  const text = "import { a } from '../../runner/runner.js';\nexport { b } from '../../verify/engine.js';\nconst c = await import('../../scripts/x.js');\nimport '../../bench/side.js';\nimport { d } from './folder.js';\n";
  t.same(wrongImports('core/migrations/x.ts', text), [
    'core/migrations/x.ts imports runner/runner.js',
    'core/migrations/x.ts imports verify/engine.js',
    'core/migrations/x.ts imports scripts/x.js',
    'core/migrations/x.ts imports bench/side.js',
  ]);
  t.same(wrongImports('verify/engine.ts', "import { x } from '../core/migrations/folder.js';\nimport { y } from './rule.js';\n"), []);
});

t.test('no import runs the wrong way', async (t) => {
  let files = 0;
  const wrong: string[] = [];
  for (const layer of LAYERS) {
    for (const file of sources(layer)) {
      files++;
      wrong.push(...wrongImports(file, readFileSync(join(root, file), 'utf8')));
    }
  }
  t.ok(files > 100, `${files} source files checked`);
  t.same(wrong, []);
});

// Start compiling the parser's WebAssembly at once, on V8's background threads, while the caller loads the rest of
// the CLI: requiring libpg-query (synchronously) makes it read the .wasm and start WebAssembly.instantiate. loadParser()
// then finds the module loading or loaded. Node builtins only, so the entry can call it before anything else loads.
import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';

/** The V8 flags the parser is compiled with (docs/performance.md): set before the first WebAssembly compile. */
export function setParserFlags(): void {
  // V8 compiles the 1.7 MB parser twice: a baseline (Liftoff) then, in the background, an optimized one that a
  // short run never profits from. Liftoff alone halves a cold run's CPU and saves ~40 MB. (Compiling every function
  // up front, --no-wasm-lazy-compilation, was measured slower: 185 against 156 ms warm, 376 against 357 cold.)
  if (process.env.VERIFY_WASM_TIER_UP !== '1') setFlagsFromString('--liftoff-only');
}

let started = false;

export function warmUpParser(): void {
  if (started) return;
  started = true;
  setParserFlags();
  try {
    createRequire(import.meta.url)('libpg-query');
  } catch {
    // loadParser() reports it.
  }
}

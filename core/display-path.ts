// How a path is shown in messages: relative to the working directory when inside it, else as given.
import { isAbsolute, relative } from 'node:path';

export function displayPath(path: string, cwd = process.cwd()): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

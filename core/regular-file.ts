// Reading a file a user names (a migration, migrations.sum, a baseline, a config or targets file) that may not be a
// regular file: a FIFO would block the read forever and a device (a link to /dev/zero) would never end. Opened without
// blocking, then refused unless fstat says it is a regular file; the error's code says what it is.
import { closeSync, constants, fstatSync, openSync, readFileSync, type Stats } from 'node:fs';

/** What a path that is not a regular file is, in words for a message: "a folder", "a named pipe (FIFO)" ... */
export function fileKind(stats: Stats): string {
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a named pipe (FIFO)';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

export class NotRegularFileError extends Error {
  /** EISDIR for a folder (as readFileSync says), ENOTREG for anything else that is not a regular file. */
  readonly code: 'EISDIR' | 'ENOTREG';
  constructor(
    readonly path: string,
    /** "a folder", "a named pipe (FIFO)", "a device", "a socket". */
    readonly kind: string,
  ) {
    super(`${path} is ${kind}, not a regular file`);
    this.code = kind === 'a folder' ? 'EISDIR' : 'ENOTREG';
  }
}

export class FileTooLargeError extends Error {
  readonly code = 'EFBIG';
  constructor(
    readonly path: string,
    readonly bytes: number,
    readonly maxBytes: number,
  ) {
    super(`${path} is ${megabytes(bytes)}, more than the ${megabytes(maxBytes)} it may be`);
  }
}

/** 16777216 → "16 MiB", 52638515 → "50.2 MiB". */
export function megabytes(bytes: number): string {
  const mib = bytes / 1024 / 1024;
  return `${Number.isInteger(mib) ? mib : mib.toFixed(1)} MiB`;
}

/**
 * The bytes of a regular file; throws NotRegularFileError for anything else, FileTooLargeError past `maxBytes`
 * (checked before reading), and fs errors (ENOENT, EACCES ...) as they are.
 */
export function readRegularFile(path: string, options: { readonly maxBytes?: number } = {}): Buffer {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading does not wait for a writer. A socket cannot be opened at all (ENXIO).
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENXIO') throw new NotRegularFileError(path, 'a socket');
    throw error;
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new NotRegularFileError(path, fileKind(stats));
    if (options.maxBytes !== undefined && stats.size > options.maxBytes) throw new FileTooLargeError(path, stats.size, options.maxBytes);
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

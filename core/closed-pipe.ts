// `migrate status | head` closes the pipe early: the next write fails with EPIPE. Stop quietly with the exit code
// already decided instead of printing a stack trace.

let installed = false;

/** Once per process (the verifier's entry and its CLI module both ask). */
export function exitQuietlyOnClosedPipe(): void {
  if (installed) return;
  installed = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw error;
    });
  }
}

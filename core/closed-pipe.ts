// `migrate status | head` closes the pipe early: the next write fails with EPIPE. Stop quietly with the exit code
// already decided instead of printing a stack trace.

export function exitQuietlyOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw error;
    });
  }
}

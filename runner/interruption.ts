// SIGINT and SIGTERM for the runner's command lines: the first aborts the run (the runner cancels the running
// statement on the server, waits for it, and stops with the true state); a second exits at once.

/** Abort on the first SIGINT/SIGTERM; `say` tells the user, `warn` says the second signal exits without waiting. */
export function abortOnSignals(say: (line: string) => void, warn: (line: string) => void): AbortSignal {
  const controller = new AbortController();
  const handler = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      warn(`error: ${signal} again: exiting without waiting for the cancel; make status shows where the database stands`);
      process.exit(1);
    }
    say(`${signal}: cancelling the running statement on the server...`);
    controller.abort(signal);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return controller.signal;
}

// Ctrl-C, SIGTERM and AbortSignal while a scratch database exists: drop it first.
// On a signal the process then exits with 128 + the signal number (130, 143), as a shell would report it.

const EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

export interface InterruptGuard {
  readonly aborted: boolean;
  dispose(): void;
}

/** Call `cleanup` on SIGINT/SIGTERM (then exit) or when `signal` aborts (then let the caller's work fail). */
export function guardInterrupts(cleanup: () => Promise<void>, signal?: AbortSignal): InterruptGuard {
  let aborted = false;
  const handlers = (Object.keys(EXIT_CODES) as (keyof typeof EXIT_CODES)[]).map((name) => {
    const handler = (): void => {
      aborted = true;
      void cleanup()
        .catch(() => undefined)
        .finally(() => process.exit(EXIT_CODES[name]));
    };
    process.on(name, handler);
    return { name, handler };
  });
  const onAbort = (): void => {
    aborted = true;
    void cleanup().catch(() => undefined);
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  return {
    get aborted() {
      return aborted || Boolean(signal?.aborted);
    },
    dispose() {
      for (const { name, handler } of handlers) process.off(name, handler);
      signal?.removeEventListener('abort', onAbort);
    },
  };
}

/** The error an aborted run rejects with. */
export function abortError(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error) return reason;
  const error = new Error('The verification was aborted; its scratch database was dropped.');
  error.name = 'AbortError';
  return error;
}

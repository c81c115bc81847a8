// Waiting for something to become true in a test: poll until it holds. The deadline only
// stops a hang (CI and shared machines are slow); no test asserts how fast anything happens.

export const POLL_TIMEOUT_MS = 30_000;

/** Polls `check` every `intervalMs` until it holds; throws naming `what` after `timeoutMs`. */
export async function pollUntil(
  check: () => boolean | Promise<boolean>,
  what: string,
  { timeoutMs = POLL_TIMEOUT_MS, intervalMs = 25 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`still waiting after ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

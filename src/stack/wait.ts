/** Polls `probe` until it returns true, or throws with `what` after `timeoutMs`. */
export async function waitFor(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await probe()) return;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  const last = lastError instanceof Error ? lastError.message : lastError;
  throw new Error(
    `${what} did not become ready within ${Math.round(timeoutMs / 1000)} s${last !== undefined ? ` (last error: ${String(last)})` : ''}`,
    lastError === undefined ? undefined : { cause: lastError },
  );
}

export async function httpOk(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
  return res.ok;
}

/** livekit-sip answers 429 "UnderLoad" when the machine is busy; it still takes calls. */
export async function sipHealthy(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
  return res.ok || res.status === 429;
}

/** Reconnect delays: exponential growth with full jitter (a uniformly random delay below the cap). */
export const DEFAULT_BACKOFF = Object.freeze({ initialDelayMs: 500, maxDelayMs: 30_000, factor: 2 });

/**
 * The delay before reconnect attempt `attempt` (0 for the first retry): uniform in
 * [0, min(maxDelayMs, initialDelayMs * factor^attempt)).
 */
export function backoffDelay(attempt, policy = DEFAULT_BACKOFF, random = Math.random) {
  const { initialDelayMs, maxDelayMs, factor } = { ...DEFAULT_BACKOFF, ...policy };
  const cap = Math.min(maxDelayMs, initialDelayMs * Math.pow(factor, Math.max(0, attempt)));
  return Math.floor(random() * cap);
}

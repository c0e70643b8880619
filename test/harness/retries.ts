// Retry timings for tests: the real backoff waits seconds; the retry logic is the same with short
// waits. Side-effect free (no n8n-core), like emulatorApi.ts.

/**
 * Gives `settings` (BACKOFF, DEFAULT_POLICY of nodes/Masv/transport/retry.ts) the `timings` before each test of the calling describe
 * block and its own values back after each, so a test may also set its own for itself.
 */
export function useRetryTimings<T extends object>(settings: T, timings: Partial<T>): void {
	const saved = { ...settings };
	beforeEach(() => Object.assign(settings, saved, timings));
	afterEach(() => Object.assign(settings, saved));
}

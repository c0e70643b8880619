// The MASV emulator for a describe block (or a whole test file), as `useNock()` sets up nock: one
// call registers the hooks that start it before the first test, optionally bring it back to a
// known state before each test, and stop it after the last.
//
//   describe('…', () => {
//     const emu = useEmulator({ each: 'reset' });
//     it('…', async () => { await runMasv(…, { credentials: credentialsFor(emu) }); });
//   });
import { startEmulator, type Emulator, type EmulatorOptions } from '../../tools/emulator';

export interface UseEmulatorOptions {
	/** How the emulator is started (e.g. `link` for a slow link). */
	start?: EmulatorOptions;
	/**
	 * Before each test: `reset` brings it back to the seed (same IDs and API key; no files, faults
	 * or logged requests), as a fresh emulator; `clean` only clears its faults and request log;
	 * `keep` (the default) leaves what earlier tests made.
	 */
	each?: 'reset' | 'clean' | 'keep';
}

/**
 * Starts an emulator in `beforeAll` and closes it in `afterAll`. Returns it at once: the value
 * stands for the emulator that runs while the block's tests and hooks run (reading it outside
 * them, e.g. in the describe body, throws). Hooks the caller registers after this call run after
 * the emulator has started.
 */
export function useEmulator(options: UseEmulatorOptions = {}): Emulator {
	let running: Emulator | undefined;
	beforeAll(async () => {
		running = await startEmulator(options.start);
	});
	afterAll(async () => {
		await running?.close();
		running = undefined;
	});
	if (options.each === 'reset') {
		beforeEach(async () => {
			await current().admin.reset();
		});
	} else if (options.each === 'clean') {
		beforeEach(() => {
			current().faults.clear();
			current().resetRequests();
		});
	}

	function current(): Emulator {
		if (!running) throw new Error('the emulator of useEmulator() runs only during the tests and hooks of its block');
		return running;
	}

	return new Proxy({} as Emulator, {
		get(_target, property) {
			const emulator = current();
			const value: unknown = Reflect.get(emulator, property, emulator);
			return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(emulator) : value;
		},
		has: (_target, property) => Reflect.has(current(), property),
	});
}

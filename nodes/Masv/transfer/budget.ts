// Several files in flight within one upload run (option `parallelFiles`), under one memory ceiling
// for all their part buffers together.
import { MIB } from './parts';
import { READ_BUFFER_SIZE } from './upload';

/**
 * Bytes of part buffers that the files in flight may hold together. A file takes its share before it
 * starts and gives it back when it ends; one that does not fit waits, in order of arrival, so a big
 * file is not passed over forever by small ones. A share larger than the whole ceiling is cut to it,
 * so that such a file can still run alone.
 */
export class MemoryBudget {
	private used = 0;
	private readonly waiting: Array<{ bytes: number; start: () => void }> = [];

	constructor(readonly limit: number) {}

	/** Waits until `bytes` fit, takes them and returns the function that gives them back (once). */
	async take(bytes: number): Promise<() => void> {
		const share = Math.max(0, Math.min(bytes, this.limit));
		if (this.waiting.length > 0 || this.used + share > this.limit) {
			await new Promise<void>((start) => this.waiting.push({ bytes: share, start }));
		} else {
			this.used += share;
		}
		let given = false;
		return () => {
			if (given) return;
			given = true;
			this.used -= share;
			this.wake();
		};
	}

	private wake(): void {
		while (this.waiting.length > 0 && this.used + this.waiting[0].bytes <= this.limit) {
			const next = this.waiting.shift() as { bytes: number; start: () => void };
			this.used += next.bytes;
			next.start();
		}
	}
}

/**
 * What a run keeps of its memory ceiling for socket reads that the node cannot free (a source read
 * through n8n 2.x's HTTP helper, which hides the answer's socket, or on Node.js 20, which cannot
 * free memory early: `StorageAnswer.readsHeld`). Each
 * 64 KiB read then waits for V8's collector, which starts a collection once 64 MiB of such memory
 * has come since the last one and finishes it while more arrives: measured in n8n 2.40.7, 87-102 MiB
 * above the part buffers at the peak of a 1 GiB Upload From URL at 80 MiB/s, whatever their size
 * (docs/upload-from-url.md, "Memory"). At most half of the ceiling.
 */
export const HELD_READS_RESERVE = 128 * MIB;

export function heldReadsReserve(maxMemory: number): number {
	return Math.min(HELD_READS_RESERVE, Math.floor(maxMemory / 2 / MIB) * MIB);
}

/**
 * Part-buffer memory one file's upload holds at most. The part buffers of a file of several parts
 * are whole parts (so that the files of a run can share them): one per part in flight plus the one
 * being read, no more than the file has parts. A file of one part has a buffer of its own size
 * (transfer/upload.ts), a file no larger than one read is sent from that read, and a file n8n
 * already holds in memory from views of it: no part buffers.
 */
export function uploadMemory(size: number, partSize: number, parallel: number, inMemory: boolean): number {
	if (inMemory) return 0;
	const parts = Math.ceil(size / partSize);
	if (size <= READ_BUFFER_SIZE || parts <= 1) return size;
	return Math.min(parallel + 1, parts) * partSize;
}

/**
 * The execution's cancel signal handed to each file as a signal of its own. Every file in flight
 * listens for a cancel; with more than ten on n8n's one signal, Node.js warns of a listener leak. So
 * the run listens once and passes a cancel on to the files still in flight.
 */
export class FileCancels {
	private readonly live = new Set<AbortController>();
	private readonly onCancel = () => {
		for (const controller of this.live) controller.abort();
	};

	constructor(private readonly execution: AbortSignal | undefined) {
		execution?.addEventListener('abort', this.onCancel, { once: true });
	}

	/** A signal for one file, aborted with the execution, and the function that ends it. */
	forFile(): { signal: AbortSignal; done: () => void } {
		const controller = new AbortController();
		if (this.execution?.aborted) controller.abort();
		this.live.add(controller);
		return { signal: controller.signal, done: () => this.live.delete(controller) };
	}

	/** Stops listening to the execution (at the end of the run). */
	close(): void {
		this.execution?.removeEventListener('abort', this.onCancel);
	}
}

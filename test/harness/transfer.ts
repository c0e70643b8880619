// ArrayBuffer.prototype.transfer as Node.js 22+ has it, for tests that also run on Node.js 20 (which
// lacks it): the node frees memory with it (nodes/Masv/transfer/parts.ts, freeChunk).
type Transfer = (this: ArrayBuffer, length?: number) => ArrayBuffer;

/** This Node.js's own `ArrayBuffer.prototype.transfer`, taken before any test replaces it. */
const native = (ArrayBuffer.prototype as { transfer?: Transfer }).transfer;

/** Whether this Node.js can free an ArrayBuffer's memory at once (22 and later). */
export const hasNativeTransfer = typeof native === 'function';

/**
 * What `memory.transfer(length)` does: detaches `memory` (it reads as empty afterwards) and returns
 * a new buffer of `length` bytes. With Node.js's own `transfer` where there is one, else through
 * structuredClone, which detaches the same way.
 */
export function transferMemory(memory: ArrayBuffer, length = 0): ArrayBuffer {
	if (native) return native.call(memory, length);
	structuredClone(memory, { transfer: [memory] });
	return new ArrayBuffer(length);
}

/**
 * For the tests of a describe block: on Node.js 20, an `ArrayBuffer.prototype.transfer` that
 * detaches as Node.js 22+ does (`transferMemory`), so that the node frees memory as it does there;
 * the prototype is restored afterwards. Nothing changes on Node.js 22+.
 */
export function useTransferStandIn(): void {
	const proto = ArrayBuffer.prototype as { transfer?: unknown };
	const own = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'transfer');
	beforeAll(() => {
		if (hasNativeTransfer) return;
		Object.defineProperty(ArrayBuffer.prototype, 'transfer', {
			configurable: true,
			writable: true,
			value(this: ArrayBuffer, length?: number) {
				return transferMemory(this, length ?? this.byteLength);
			},
		});
	});
	afterAll(() => {
		if (own) Object.defineProperty(ArrayBuffer.prototype, 'transfer', own);
		else delete proto.transfer;
	});
}

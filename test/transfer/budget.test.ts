// The memory ceiling shared by the files of one upload run (transfer/budget.ts).
import { MemoryBudget, uploadMemory } from '../../nodes/Masv/transfer/budget';

const MIB = 1024 * 1024;
const settled = async () => await new Promise((resolve) => setImmediate(resolve));

describe('MemoryBudget', () => {
	it('lets files start while their shares fit, and the next one when memory is given back', async () => {
		const budget = new MemoryBudget(100 * MIB);
		const first = await budget.take(60 * MIB);
		const second = await budget.take(40 * MIB);
		let third: (() => void) | undefined;
		void budget.take(30 * MIB).then((giveBack) => (third = giveBack));
		await settled();
		expect(third).toBeUndefined();
		second();
		await settled();
		expect(third).toBeDefined();
		first();
		third?.();
	});

	it('starts waiting files in order: a big one is not passed over by small ones', async () => {
		const budget = new MemoryBudget(100 * MIB);
		const held = await budget.take(90 * MIB);
		const started: string[] = [];
		const big = budget.take(80 * MIB).then((giveBack) => (started.push('big'), giveBack));
		const small = budget.take(5 * MIB).then((giveBack) => (started.push('small'), giveBack));
		await settled();
		// The small one would fit, but the big one came first.
		expect(started).toEqual([]);
		held();
		(await big)();
		(await small)();
		expect(started).toEqual(['big', 'small']);
	});

	it('a share larger than the ceiling is cut to it, so that file runs alone', async () => {
		const budget = new MemoryBudget(100 * MIB);
		const huge = await budget.take(500 * MIB);
		let other: (() => void) | undefined;
		void budget.take(1).then((giveBack) => (other = giveBack));
		await settled();
		expect(other).toBeUndefined();
		huge();
		huge(); // giving back twice counts once
		await settled();
		expect(other).toBeDefined();
		const rest = await budget.take(100 * MIB - 1);
		rest();
	});
});

describe('uploadMemory', () => {
	it('is a whole part per part in flight plus the one being read, no more than the file has parts', () => {
		expect(uploadMemory(1024 * MIB, 16 * MIB, 4, false)).toBe(80 * MIB);
		expect(uploadMemory(20 * MIB, 16 * MIB, 4, false)).toBe(32 * MIB); // two parts, both in flight
	});

	it('is the file itself for a file of one part (its own buffer, not a whole part)', () => {
		expect(uploadMemory(7 * MIB, 16 * MIB, 4, false)).toBe(7 * MIB);
		expect(uploadMemory(20 * MIB, 32 * MIB, 7, false)).toBe(20 * MIB);
		expect(uploadMemory(32 * MIB, 32 * MIB, 7, false)).toBe(32 * MIB);
	});

	it('is the file itself when one read holds it (its part is that read)', () => {
		expect(uploadMemory(MIB, 16 * MIB, 4, false)).toBe(MIB);
		expect(uploadMemory(300_000, 16 * MIB, 4, false)).toBe(300_000);
	});

	it('is nothing for a binary n8n already holds in memory (its parts are views of it)', () => {
		expect(uploadMemory(1024 * MIB, 16 * MIB, 4, true)).toBe(0);
	});
});

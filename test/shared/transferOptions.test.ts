// The whole-number options of the transfers (parts, files and downloads in flight), read by one helper
// (shared/transferOptions.ts).
import type { IExecuteFunctions } from 'n8n-workflow';

import { parallelFilesOption, parallelOption } from '../../nodes/Masv/actions/package/uploadOptions';
import { wholeNumberOption } from '../../nodes/Masv/shared/transferOptions';

function context(options: Record<string, unknown>): IExecuteFunctions {
	return {
		getNode: () => ({ id: 'n', name: 'MASV', type: 'CUSTOM.masv', typeVersion: 1, position: [0, 0], parameters: {} }),
		getNodeParameter: (name: string) => (name === 'options' ? options : undefined),
	} as unknown as IExecuteFunctions;
}

describe('wholeNumberOption', () => {
	it('takes the fallback when unset, rounds down, and names the option when out of range', () => {
		const ctx = context({});
		expect(wholeNumberOption(ctx, undefined, 'Parallel Downloads', 4, 16, 0)).toBe(4);
		expect(wholeNumberOption(ctx, null, 'Parallel Downloads', 4, 16, 0)).toBe(4);
		expect(wholeNumberOption(ctx, 7.9, 'Parallel Downloads', 4, 16, 0)).toBe(7);
		expect(() => wholeNumberOption(ctx, 0, 'Parallel Downloads', 4, 16, 2)).toThrow('The option "Parallel Downloads" must be between 1 and 16');
		expect(() => wholeNumberOption(ctx, 17, 'Parallel Downloads', 4, 16, 2)).toThrow('The option "Parallel Downloads" must be between 1 and 16');
		expect(() => wholeNumberOption(ctx, Number.NaN, 'Parallel Downloads', 4, 16, 2)).toThrow('must be between 1 and 16');
	});

	it("serves Upload's Parallel Uploads and Parallel Files with their own names", () => {
		expect(parallelOption(context({}), {}, 0)).toBe(7);
		expect(parallelOption(context({}), { parallelUploads: 3 }, 0)).toBe(3);
		expect(() => parallelOption(context({}), { parallelUploads: 0 }, 0)).toThrow('The option "Parallel Uploads" must be between 1 and');
		expect(parallelFilesOption(context({}))).toBe(16);
		expect(parallelFilesOption(context({ parallelFiles: 2 }))).toBe(2);
		expect(() => parallelFilesOption(context({ parallelFiles: -1 }))).toThrow('The option "Parallel Files" must be between 1 and');
	});
});

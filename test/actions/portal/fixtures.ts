// What the portal tests share: IDs, portal records and request matchers.
import { TEST_API_KEY } from '../../../tools/harness';

export const TEAM = '01FX8CYWMQAEGW8AYSNQRGAMRM';
export const PORTAL = '01CTDNW11G67NKHQW5JE8TP2TJ';

export const portal = (id: string, extra: Record<string, unknown> = {}) => ({
	id,
	name: `Portal ${id}`,
	subdomain: `sub-${id.toLowerCase()}`,
	message: 'Hello',
	active: true,
	recipients: ['a@example.com'],
	...extra,
});

/** Records P001…P{n}. */
export const portals = (from: number, count: number) =>
	Array.from({ length: count }, (_, i) => portal(`P${String(from + i).padStart(3, '0')}`));

export const jsonHeaders = { 'x-api-key': TEST_API_KEY, 'content-type': /application\/json/ };

/** nock body matcher that asserts the exact JSON and reports a mismatch clearly. */
export const exactBody = (expected: unknown) => (body: unknown) => {
	expect(body).toEqual(expected);
	return true;
};

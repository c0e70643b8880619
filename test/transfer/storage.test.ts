import type { IHttpRequestOptions } from 'n8n-workflow';

import { storagePutPart } from '../../nodes/Masv/transfer/storage';

describe('storage part PUT', () => {
	it('sends the blueprint verbatim, never a MASV credential, and does not follow redirects', async () => {
		const sent: IHttpRequestOptions[] = [];
		const ctx = {
			helpers: {
				httpRequest: async (options: IHttpRequestOptions) => {
					sent.push(options);
					return { statusCode: 307, headers: { location: 'https://elsewhere.example/' }, body: '' };
				},
			},
		};
		const body = Buffer.from('part bytes');
		const answer = await storagePutPart(
			ctx as never,
			{
				method: 'PUT',
				url: 'https://bucket.example/key?partNumber=1&uploadId=u',
				headers: { 'x-amz-acl': 'private', 'X-API-KEY': 'leaked', 'x-package-token': 'leaked' },
			},
			body,
			{ stallMs: 60_000 },
		);
		expect(answer.statusCode).toBe(307);
		expect(answer.etag).toBeUndefined();
		expect(sent).toHaveLength(1);
		expect(sent[0]).toMatchObject({
			method: 'PUT',
			url: 'https://bucket.example/key?partNumber=1&uploadId=u',
			body,
			disableFollowRedirect: true,
			// The stall timeout goes to n8n's helper as its idle timeout.
			timeout: 60_000,
			headers: { 'x-amz-acl': 'private', 'Content-Length': String(body.length) },
		});
		expect(Object.keys(sent[0].headers ?? {}).map((h) => h.toLowerCase())).not.toEqual(
			expect.arrayContaining(['x-api-key']),
		);
		expect(JSON.stringify(sent[0].headers)).not.toContain('leaked');
	});
});

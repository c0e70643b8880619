// The pure pieces of Upload From URL's source check (nodes/Masv/transfer/urlSource.ts): file names
// from Content-Disposition and from the URL, HTML detection, the URL parameter.
import type { INode } from 'n8n-workflow';

import { dispositionFileName, isHtmlName, looksLikeHtml, sourceUrl, urlFileName } from '../../nodes/Masv/transfer/urlSource';

const node = { name: 'MASV', type: 'n8n-nodes-masv.masv', typeVersion: 1, position: [0, 0], parameters: {} } as unknown as INode;

describe('Upload From URL source check', () => {
	it.each([
		['attachment; filename="clip.mov"', 'clip.mov'],
		['attachment; filename=clip.mov', 'clip.mov'],
		['attachment; filename="a \\"quoted\\" name.mov"', 'a "quoted" name.mov'],
		[`attachment; filename="fallback.mov"; filename*=UTF-8''%C3%A9t%C3%A9%201.mov`, 'été 1.mov'],
		[`attachment; filename*=UTF-8''bad%ZZ; filename="fallback.mov"`, 'fallback.mov'],
		['inline', undefined],
		[undefined, undefined],
	])('Content-Disposition %s names %s', (header, name) => {
		expect(dispositionFileName(header)).toBe(name);
	});

	it('takes the last segment of the URL path, decoded, and nothing for a path ending in /', () => {
		expect(urlFileName('https://bucket.s3.amazonaws.com/media/clip%20one.mov?X-Amz-Signature=abc')).toBe('clip one.mov');
		expect(urlFileName('https://example.com/folder/')).toBeUndefined();
		expect(urlFileName('https://example.com/bad%ZZ')).toBe('bad%ZZ');
	});

	it('tells an HTML page by its Content-Type or by its first bytes, not a file that merely holds text', () => {
		const bytes = (text: string) => Buffer.from(text);
		expect(looksLikeHtml('text/html; charset=utf-8', bytes('anything'))).toBe(true);
		expect(looksLikeHtml('application/xhtml+xml', bytes(''))).toBe(true);
		expect(looksLikeHtml('application/octet-stream', bytes('\uFEFF \n<!DOCTYPE HTML><html>'))).toBe(true);
		expect(looksLikeHtml(undefined, bytes('<html lang="en">'))).toBe(true);
		expect(looksLikeHtml('application/octet-stream', bytes('\x00\x00\x00\x18ftypmp42'))).toBe(false);
		expect(looksLikeHtml('text/plain', bytes('a text that mentions <html> later'))).toBe(false);
		expect(looksLikeHtml('application/xml', bytes('<?xml version="1.0"?><svg/>'))).toBe(false);
		expect(isHtmlName('index.HTML')).toBe(true);
		expect(isHtmlName('page.htm')).toBe(true);
		expect(isHtmlName('report.pdf')).toBe(false);
	});

	it('accepts http and https URLs only, naming the parameter', () => {
		expect(sourceUrl(node, ' https://example.com/a b.mov ', 0)).toBe('https://example.com/a%20b.mov');
		expect(sourceUrl(node, 'http://127.0.0.1:8080/x', 0)).toBe('http://127.0.0.1:8080/x');
		expect(() => sourceUrl(node, 'ftp://example.com/x', 0)).toThrow('The parameter "URL" must be an http or https address, not ftp');
		expect(() => sourceUrl(node, 'example.com/x', 0)).toThrow('The parameter "URL" is not a valid URL');
		expect(() => sourceUrl(node, '', 0)).toThrow('The parameter "URL" is empty');
		expect(() => sourceUrl(node, 42, 0)).toThrow('The parameter "URL" is empty');
	});
});

// JWT-looking tokens (HS256, `header.payload.sig`), docs/masv-api.md §2.1: package tokens with `lvl`
// `f` (full, from package create/list/get) or `d` (download, from link info), and user tokens.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { base64url } from './util';

export interface PackageClaims {
	exp: number;
	imp: false;
	lvl: 'f' | 'd';
	sub: string;
	typ: 'package';
	uid?: string;
	lid?: string;
	/** Emulator addition: identifies one token (a download session for `d` tokens). */
	jti: string;
}

export interface UserClaims {
	exp: number;
	ext: Record<string, never>;
	imp: false;
	sub: string;
	typ: 'user';
	jti: string;
}

const HEADER = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

export function signToken(secret: Buffer, claims: object): string {
	const payload = base64url(JSON.stringify(claims));
	const sig = createHmac('sha256', secret).update(`${HEADER}.${payload}`).digest('base64url');
	return `${HEADER}.${payload}.${sig}`;
}

/** Returns the claims of a token signed by this emulator, or null when malformed or forged. */
export function verifyToken(secret: Buffer, token: string): Record<string, unknown> | null {
	const parts = token.split('.');
	if (parts.length !== 3) return null;
	const expected = createHmac('sha256', secret).update(`${parts[0]}.${parts[1]}`).digest();
	const given = Buffer.from(parts[2], 'base64url');
	if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
	try {
		const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
		return typeof claims === 'object' && claims !== null ? (claims as Record<string, unknown>) : null;
	} catch {
		return null;
	}
}

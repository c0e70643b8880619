// Browser check: Debian's chromium driven by playwright-core (no browser download) opens the n8n
// editor, an example workflow and the MASV node, and checks what a user sees.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { login, setupOwner } from '../../tools/n8n/session';

export const CHROMIUM_ARGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];

export function chromiumPath(): string | undefined {
	if (process.env.E2E_BROWSER === '0') return undefined;
	const candidates = process.env.CHROMIUM_PATH ? [process.env.CHROMIUM_PATH] : ['/usr/bin/chromium', '/usr/bin/chromium-browser'];
	return candidates.find((c) => existsSync(c));
}

/** The resources and operations of README.md "Resources and operations" (values a saved workflow stores). */
export const CONTRACT: Record<string, string[]> = {
	activity: ['getAll', 'getEvents'],
	integration: ['get', 'getAll', 'importFiles', 'listFiles'],
	link: ['create', 'download', 'get'],
	package: [
		'create',
		'delete',
		'download',
		'finalize',
		'get',
		'getAll',
		'getFiles',
		'getReceived',
		'getTransfers',
		'sendToIntegration',
		'updateExpiry',
		'upload',
		'uploadFromUrl',
	],
	portal: ['create', 'delete', 'get', 'getAll', 'getPackages', 'update'],
	tag: ['create', 'delete', 'getAll'],
	team: ['getAll', 'getMembers'],
	teamspace: ['addMembers', 'create', 'delete', 'get', 'getAll', 'getMembers', 'getPackages', 'removeMember', 'update'],
};

export interface BrowserCheckOptions {
	url: string;
	workflowId: string;
	nodeName: string;
	outDir: string;
	/** Set up the owner account first (a fresh n8n); false when it exists. */
	setupOwner?: boolean;
}

interface NodeTypeDescription {
	name: string;
	properties: Array<{ name: string; options?: Array<{ value: string }>; displayOptions?: { show?: Record<string, string[]> } }>;
}

/** What the editor knows of a node type: the options of `resource` and `operation` by resource. */
function operationsOf(description: NodeTypeDescription): Record<string, string[]> {
	const resources = description.properties.find((p) => p.name === 'resource')?.options?.map((o) => o.value) ?? [];
	const out: Record<string, string[]> = {};
	for (const resource of resources) {
		out[resource] = description.properties
			.filter((p) => p.name === 'operation' && p.displayOptions?.show?.resource?.includes(resource))
			.flatMap((p) => p.options?.map((o) => o.value) ?? [])
			.sort();
	}
	return out;
}

export async function browserCheck(options: BrowserCheckOptions): Promise<void> {
	const executablePath = chromiumPath();
	if (!executablePath) throw new Error('chromium is not installed (apt-get install -y chromium)');
	const { chromium } = await import('playwright-core');
	const cookie = options.setupOwner === false ? undefined : await setupOwner(options.url);
	mkdirSync(options.outDir, { recursive: true });
	const profile = mkdtempSync(join(tmpdir(), 'masv-e2e-chromium-'));
	const context = await chromium.launchPersistentContext(profile, {
		executablePath,
		headless: true,
		args: CHROMIUM_ARGS,
		viewport: { width: 1600, height: 1000 },
	});
	const page = context.pages()[0] ?? (await context.newPage());
	const problems: string[] = [];
	page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
	try {
		if (cookie) {
			await context.addCookies([{ name: 'n8n-auth', value: cookie, url: options.url }]);
		}
		await page.goto(`${options.url}/workflow/${options.workflowId}`, { waitUntil: 'domcontentloaded' });
		const node = page.locator(`[data-test-id="canvas-node"][data-node-name="${options.nodeName}"], [data-test-id="canvas-node"]:has-text("${options.nodeName}")`).first();
		await node.waitFor({ state: 'visible', timeout: 60_000 });
		await page.screenshot({ path: join(options.outDir, 'editor-workflow.png') });

		// The icon renders: an <img> of the node that loaded with a size.
		const icon = node.locator('img').first();
		await icon.waitFor({ state: 'attached', timeout: 15_000 });
		const iconOk = await icon.evaluate((img) => {
			const image = img as unknown as { complete: boolean; naturalWidth: number };
			return image.complete && image.naturalWidth > 0;
		});
		if (!iconOk) throw new Error(`the MASV icon did not render (src ${await icon.getAttribute('src')})`);

		// The node's resources and operations, as the editor has them, are the contract's.
		const types = await page.evaluate(async () => {
			const res = await fetch('/types/nodes.json', { credentials: 'include' });
			return (await res.json()) as NodeTypeDescription[];
		});
		const masv = types.find((t) => t.name === 'CUSTOM.masv');
		if (!masv) throw new Error('the editor has no CUSTOM.masv node type');
		const editorOperations = operationsOf(masv);
		for (const [resource, operations] of Object.entries(CONTRACT)) {
			const have = editorOperations[resource];
			if (!have) throw new Error(`resource ${resource} missing in the editor (has ${Object.keys(editorOperations).join(', ')})`);
			const missing = operations.filter((o) => !have.includes(o));
			if (missing.length) throw new Error(`resource ${resource}: operations ${missing.join(', ')} missing in the editor`);
		}

		// Open the node: the parameter panel shows Resource and Operation with the contract's options.
		await node.dblclick();
		const ndv = page.locator('[data-test-id="ndv"]');
		await ndv.waitFor({ state: 'visible', timeout: 15_000 });
		await page.locator('[data-test-id="parameter-input-resource"]').first().click();
		const shown = page.locator('.el-select-dropdown__item:visible, [role="option"]:visible');
		await shown.first().waitFor({ state: 'visible', timeout: 10_000 });
		const resourceLabels = (await shown.allInnerTexts()).map((t) => t.trim()).filter(Boolean);
		await page.screenshot({ path: join(options.outDir, 'editor-masv-node.png') });
		if (resourceLabels.length < Object.keys(CONTRACT).length) {
			throw new Error(`the Resource dropdown shows ${resourceLabels.length} options: ${resourceLabels.join(', ')}`);
		}
		await page.keyboard.press('Escape');

		// The credential test succeeds against the emulator: open the credential from the node (the
		// editor tests a saved credential when its dialog opens) and wait for the success banner.
		await page.locator('[data-test-id="credential-edit-button"]').first().click();
		const modal = page.locator('[data-test-id="editCredential-modal"]');
		await modal.waitFor({ state: 'visible', timeout: 15_000 });
		const banner = modal.getByText('Connection tested successfully');
		try {
			await banner.waitFor({ state: 'visible', timeout: 20_000 });
		} catch {
			throw new Error(`the credential dialog shows no successful test: ${(await modal.innerText()).slice(0, 400)}`);
		}
		await page.screenshot({ path: join(options.outDir, 'editor-credential.png') });
		if (problems.length) throw new Error(problems.join('\n'));
	} catch (error) {
		await page.screenshot({ path: join(options.outDir, 'editor-failure.png') }).catch(() => undefined);
		throw error;
	} finally {
		await context.close();
		rmSync(profile, { recursive: true, force: true });
	}
}

/** The README's pictures (docs/images/), as `readmeScreenshots` names them. */
export const SCREENSHOTS = {
	workflow: 'workflow-round-trip.png',
	actions: 'node-actions.png',
	upload: 'upload-parameters.png',
	credential: 'credential.png',
} as const;

export interface ScreenshotOptions {
	url: string;
	outDir: string;
	/** Set up the owner account first (a fresh n8n); false signs in as the existing one. */
	setupOwner?: boolean;
}

interface Box {
	x: number;
	y: number;
	width: number;
	height: number;
}

/** The smallest rectangle around `boxes`, `pad` pixels wider on each side, inside the page. */
function around(boxes: Box[], pad: number, page: { width: number; height: number }): Box {
	const x = Math.max(0, Math.min(...boxes.map((b) => b.x)) - pad);
	const y = Math.max(0, Math.min(...boxes.map((b) => b.y)) - pad);
	const right = Math.min(page.width, Math.max(...boxes.map((b) => b.x + b.width)) + pad);
	const bottom = Math.min(page.height, Math.max(...boxes.map((b) => b.y + b.height)) + pad);
	return { x: Math.round(x), y: Math.round(y), width: Math.round(right - x), height: Math.round(bottom - y) };
}

/**
 * Takes the README's pictures in a running n8n that has the examples and the credential
 * "MASV (local emulator)" imported: the round-trip example on the canvas, the MASV node's actions
 * in the node creator, the parameters of the delivery example's Upload node and the credential
 * dialog after its test (the API key masked). Each is cut to what it shows; returns the files.
 */
export async function readmeScreenshots(options: ScreenshotOptions): Promise<string[]> {
	const executablePath = chromiumPath();
	if (!executablePath) throw new Error('chromium is not installed (apt-get install -y chromium)');
	const { chromium } = await import('playwright-core');
	const cookie = options.setupOwner === false ? await login(options.url) : await setupOwner(options.url);
	mkdirSync(options.outDir, { recursive: true });
	const profile = mkdtempSync(join(tmpdir(), 'masv-screenshots-chromium-'));
	const context = await chromium.launchPersistentContext(profile, {
		executablePath,
		headless: true,
		args: CHROMIUM_ARGS,
		viewport: { width: 1280, height: 440 },
		deviceScaleFactor: 1,
	});
	const page = context.pages()[0] ?? (await context.newPage());
	const written: string[] = [];
	const shoot = async (name: string, clip?: Box) => {
		const path = join(options.outDir, name);
		await page.screenshot({ path, clip, animations: 'disabled', caret: 'hide' });
		written.push(path);
	};
	const boxOf = async (locator: import('playwright-core').Locator): Promise<Box> => {
		const box = await locator.boundingBox();
		if (!box) throw new Error(`${locator.toString()} has no box on the page`);
		return box;
	};
	const openWorkflow = async (id: string, nodeName: string) => {
		await page.goto(`${options.url}/workflow/${id}`, { waitUntil: 'domcontentloaded', timeout: 120_000 });
		const node = page.locator(`[data-test-id="canvas-node"][data-node-name="${nodeName}"]`).first();
		await node.waitFor({ state: 'visible', timeout: 60_000 });
		await page.waitForLoadState('networkidle').catch(() => undefined);
		return node;
	};
	try {
		await context.addCookies([{ name: 'n8n-auth', value: cookie, url: options.url }]);

		// 1. The round-trip example on the canvas, fitted to a short window.
		await openWorkflow('masvExRoundTrip', 'Upload to MASV');
		await page.locator('[data-test-id="zoom-to-fit"]').first().click();
		await page.waitForTimeout(800);
		await shoot(SCREENSHOTS.workflow);

		// 2. The MASV node's actions in the node creator, grouped by resource (down to Package's).
		const tall = { width: 1280, height: 1200 };
		await page.setViewportSize(tall);
		await page.mouse.click(640, 150);
		await page.locator('[data-test-id="node-creator-plus-button"]').first().click();
		const creator = page.locator('[data-test-id="node-creator"]');
		await creator.waitFor({ state: 'visible', timeout: 15_000 });
		await page.keyboard.type('MASV');
		await creator.getByText('MASV', { exact: true }).first().click();
		await creator.getByText('Upload files to a package').waitFor({ state: 'visible', timeout: 15_000 });
		await page.waitForTimeout(500);
		await shoot(SCREENSHOTS.actions, around([await boxOf(creator)], 0, tall));
		await page.keyboard.press('Escape');

		// 3. The parameters of an Upload node: the delivery example's, with its recipients (a window
		// tall enough for the options list to open below them).
		await page.setViewportSize({ ...tall, height: 1400 });
		const upload = await openWorkflow('masvExDeliver', 'Send to clients with MASV');
		await upload.dblclick();
		const ndv = page.locator('[data-test-id="ndv"]');
		await ndv.waitFor({ state: 'visible', timeout: 15_000 });
		const parameters = ndv.locator('[data-test-id="node-parameters"]');
		const addOption = parameters.locator('[data-test-id="collection-parameter-add"]').first();
		await addOption.waitFor({ state: 'visible', timeout: 15_000 });
		// The options it offers (parallel files, memory, part size, retries …), opened below it.
		await addOption.click();
		const optionList = page.locator('.el-select__popper:visible, .el-popper:visible').last();
		await optionList.waitFor({ state: 'visible', timeout: 10_000 });
		await page.waitForTimeout(800);
		const items = await parameters.locator('[data-test-id="parameter-item"]:visible').all();
		const content = around([await boxOf(ndv.locator('[data-test-id="tab-params"]')), ...(await Promise.all([...items, addOption, optionList].map(boxOf)))], 16, { ...tall, height: 1400 });
		const panel = await boxOf(parameters);
		await shoot(SCREENSHOTS.upload, { ...content, x: Math.round(panel.x), width: Math.round(panel.width) });
		await page.keyboard.press('Escape');

		// 4. The credential dialog, tested against the emulator (n8n shows the key masked).
		await ndv.locator('[data-test-id="credential-edit-button"]').first().click();
		const modal = page.locator('[data-test-id="editCredential-modal"]');
		await modal.waitFor({ state: 'visible', timeout: 15_000 });
		await modal.getByText('Connection tested successfully').waitFor({ state: 'visible', timeout: 20_000 });
		await page.waitForTimeout(500);
		// From the dialog's title down to its last field (not the empty space below).
		const frame = await boxOf(modal);
		const fields = await Promise.all((await modal.locator('[data-test-id="credential-connection-parameter"]:visible').all()).map(boxOf));
		const bottom = Math.max(...fields.map((b) => b.y + b.height)) + 24;
		await shoot(SCREENSHOTS.credential, { x: Math.round(frame.x), y: Math.round(frame.y), width: Math.round(frame.width), height: Math.round(bottom - frame.y) });
		return written;
	} catch (error) {
		await page.screenshot({ path: join(options.outDir, 'screenshots-failure.png') }).catch(() => undefined);
		throw error;
	} finally {
		await context.close();
		rmSync(profile, { recursive: true, force: true });
	}
}

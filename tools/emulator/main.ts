// Standalone emulator: `npm run emulator -- [--port N] [--storage-port N] [--host H] [--data-dir DIR]`.
// Prints the URL, the API key and a machine-readable line:
//   EMULATOR_READY {"url":...,"storageUrl":...,"apiKey":...,"teamId":...,"dataDir":...,"seed":{...}}
// and runs until SIGINT/SIGTERM.
import { startEmulator, type EmulatorOptions } from './index';

function parseArgs(argv: string[]): EmulatorOptions {
	const opts: EmulatorOptions = {};
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
		const value = (): string => {
			const v = inline ?? argv[++i];
			if (v === undefined) throw new Error(`${flag} needs a value`);
			return v;
		};
		switch (flag) {
			case '--port':
				opts.port = Number(value());
				break;
			case '--storage-port':
				opts.storagePort = Number(value());
				break;
			case '--host':
				opts.host = value();
				break;
			case '--data-dir':
				opts.dataDir = value();
				break;
			case '--help':
				process.stdout.write('usage: emulator [--port N] [--storage-port N] [--host H] [--data-dir DIR]\n');
				process.exit(0);
				break;
			default:
				throw new Error(`unknown option ${arg}`);
		}
	}
	for (const p of [opts.port, opts.storagePort]) {
		if (p !== undefined && (!Number.isInteger(p) || p < 0 || p > 65535)) throw new Error('ports must be integers 0..65535');
	}
	return opts;
}

async function main(): Promise<void> {
	const emu = await startEmulator(parseArgs(process.argv.slice(2)));
	const out = process.stdout;
	out.write(`MASV emulator API: ${emu.url}\n`);
	out.write(`MASV emulator storage: ${emu.storageUrl}\n`);
	out.write(`API key: ${emu.apiKey}\n`);
	out.write(`EMULATOR_READY ${JSON.stringify({ url: emu.url, storageUrl: emu.storageUrl, apiKey: emu.apiKey, teamId: emu.teamId, dataDir: emu.dataDir, seed: emu.seed })}\n`);
	let closing = false;
	const stop = (signal: string) => {
		if (closing) return;
		closing = true;
		out.write(`received ${signal}, shutting down\n`);
		emu.close().then(
			() => process.exit(0),
			(err: Error) => {
				process.stderr.write(`close failed: ${err.message}\n`);
				process.exit(1);
			},
		);
	};
	process.on('SIGINT', () => stop('SIGINT'));
	process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: Error) => {
	process.stderr.write(`emulator failed to start: ${err.message}\n`);
	process.exit(1);
});

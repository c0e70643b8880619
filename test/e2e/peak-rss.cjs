// Preloaded into n8n's CLI processes by test/e2e/fromUrl.test.ts (NODE_OPTIONS=--require): at exit,
// appends "<pid> <peak RSS in bytes> <command>" to the file named by MASV_PEAK_RSS_FILE, so that
// the test reads the peak of the `n8n execute` that ran the upload, start-up included.
const { appendFileSync } = require('node:fs');

const file = process.env.MASV_PEAK_RSS_FILE;
if (file) {
	process.on('exit', () => {
		const command = process.argv.slice(2).join(' ');
		appendFileSync(file, `${process.pid} ${process.resourceUsage().maxRSS * 1024} ${command}\n`);
	});
}

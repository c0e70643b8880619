// Preloaded into n8n's CLI processes by scripts/bench/realN8n.ts (NODE_OPTIONS=--require): at exit,
// appends one JSON line to the file named by MASV_BENCH_PROBE_FILE with the process's peak RSS, its
// CPU time and full collections over its whole life (start-up included), and the same over the
// node's transfer only: from the start of the first GET to the storage server (host:port in
// MASV_BENCH_STORAGE_HOST) to the close of the last storage answer, as Node.js's HTTP client
// reports them (diagnostics channel `http.client.request.start`).
const { appendFileSync } = require('node:fs');
const { subscribe } = require('node:diagnostics_channel');
const { PerformanceObserver, constants, performance } = require('node:perf_hooks');

const file = process.env.MASV_BENCH_PROBE_FILE;
const storageHost = process.env.MASV_BENCH_STORAGE_HOST;

if (file) {
	/** [start, duration] of every collection, full and young apart (ms on performance.now()'s clock). */
	const major = [];
	const minor = [];
	const record = (entries) => {
		for (const entry of entries) {
			const kind = entry.detail && entry.detail.kind;
			if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) major.push([entry.startTime, entry.duration]);
			else if (kind === constants.NODE_PERFORMANCE_GC_MINOR) minor.push([entry.startTime, entry.duration]);
		}
	};
	const observer = new PerformanceObserver((list) => record(list.getEntries()));
	observer.observe({ entryTypes: ['gc'] });

	const window = { gets: 0, first: undefined, last: undefined, cpuFirst: undefined, cpuLast: undefined };
	subscribe('http.client.request.start', ({ request }) => {
		if (!storageHost || request.method !== 'GET' || String(request.getHeader('host')) !== storageHost) return;
		window.gets++;
		if (window.first === undefined) {
			window.first = performance.now();
			window.cpuFirst = process.cpuUsage();
		}
		request.once('response', (response) =>
			response.once('close', () => {
				window.last = performance.now();
				window.cpuLast = process.cpuUsage();
			}),
		);
	});

	process.on('exit', () => {
		record(observer.takeRecords());
		const inWindow = (list) => list.filter(([start]) => window.first !== undefined && start >= window.first && start <= window.last);
		const total = process.cpuUsage();
		const line = {
			pid: process.pid,
			command: process.argv.slice(2).join(' '),
			peakRss: process.resourceUsage().maxRSS * 1024,
			total: { user: total.user / 1e6, system: total.system / 1e6, major: major.length, minor: minor.length },
			transfer:
				window.first !== undefined && window.last !== undefined
					? {
							gets: window.gets,
							ms: window.last - window.first,
							user: (window.cpuLast.user - window.cpuFirst.user) / 1e6,
							system: (window.cpuLast.system - window.cpuFirst.system) / 1e6,
							major: inWindow(major).length,
							minor: inWindow(minor).length,
							gcMs: inWindow(major.concat(minor)).reduce((sum, [, duration]) => sum + duration, 0),
						}
					: undefined,
		};
		appendFileSync(file, `${JSON.stringify(line)}\n`);
	});
}

// Every jest worker runs many test files in one process, and they share Node's `http` module. nock
// patches it when it is first required and leaves it patched, so a file that streams real
// downloads from the emulator after a nock-using file in the same worker would run through nock's
// socket mock (and break on streamed answers). After each test file that loaded nock, undo it.
import http from 'node:http';

const original = { request: http.request, get: http.get, ClientRequest: http.ClientRequest };
const isPatched = () =>
	http.request !== original.request || http.get !== original.get || http.ClientRequest !== original.ClientRequest;

afterAll(() => {
	if (!isPatched()) return;
	// The test file's own nock (jest's module registry), not a fresh copy.
	const nock = jest.requireActual<typeof import('nock')>('nock');
	nock.cleanAll();
	nock.restore();
	if (isPatched()) throw new Error('nock left Node\'s http module patched after this test file');
});
